package runtime

import (
	"strconv"
	"strings"

	"github.com/dop251/goja"

	"github.com/tirun/tirun/runtime/loop"
)

// formatArgs renders log arguments like Node's console: a leading string may hold %s %d %i %f
// %j %o %O %% placeholders, remaining values are appended space-separated, objects as JSON.
// goja_nodejs's util.format prints objects as "[object Object]", which hides what scripts log.
func formatArgs(vm *goja.Runtime, args []goja.Value) string {
	if len(args) == 0 {
		return ""
	}
	var b strings.Builder
	rest := args
	if s, ok := args[0].Export().(string); ok && goja.IsString(args[0]) {
		rest = args[1:]
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c != '%' || i+1 == len(s) {
				b.WriteByte(c)
				continue
			}
			verb := s[i+1]
			if verb == '%' {
				b.WriteByte('%')
				i++
				continue
			}
			if !strings.ContainsRune("sdifjoO", rune(verb)) || len(rest) == 0 {
				b.WriteByte(c)
				continue
			}
			v := rest[0]
			rest = rest[1:]
			i++
			switch verb {
			case 's':
				b.WriteString(inspect(vm, v))
			case 'd', 'i':
				f := v.ToFloat()
				if verb == 'i' || f == float64(int64(f)) {
					b.WriteString(strconv.FormatInt(v.ToInteger(), 10))
				} else {
					b.WriteString(v.ToNumber().String())
				}
			case 'f':
				b.WriteString(v.ToNumber().String())
			default: // j, o, O
				b.WriteString(inspect(vm, v))
			}
		}
	} else {
		b.WriteString(inspect(vm, args[0]))
		rest = args[1:]
	}
	for _, v := range rest {
		b.WriteByte(' ')
		b.WriteString(inspect(vm, v))
	}
	return b.String()
}

// inspect prints one value. Strings print raw; Errors print their stack; functions their name;
// other objects as JSON when possible.
func inspect(vm *goja.Runtime, v goja.Value) (s string) {
	defer func() {
		if recover() != nil { // a hostile toString/toJSON must not break logging
			s = "[unprintable]"
		}
	}()
	if v == nil || goja.IsUndefined(v) {
		return "undefined"
	}
	obj, ok := v.(*goja.Object)
	if !ok {
		return v.String()
	}
	if _, isFn := goja.AssertFunction(obj); isFn {
		if n := obj.Get("name"); n != nil && n.String() != "" {
			return "[Function: " + n.String() + "]"
		}
		return "[Function (anonymous)]"
	}
	if isError(vm, obj) {
		if st := obj.Get("stack"); st != nil && !goja.IsUndefined(st) {
			if frames := loop.CleanStack(st.String()); frames != "" {
				return obj.String() + "\n" + frames
			}
		}
		return obj.String()
	}
	if j, err := jsonStringify(vm, obj); err == nil && j != "" {
		return j
	}
	return obj.String()
}

func isError(vm *goja.Runtime, obj *goja.Object) bool {
	ctor, ok := vm.Get("Error").(*goja.Object)
	return ok && vm.InstanceOf(obj, ctor)
}

func jsonStringify(vm *goja.Runtime, v goja.Value) (string, error) {
	json, _ := vm.Get("JSON").(*goja.Object)
	if json == nil {
		return "", nil
	}
	stringify, ok := goja.AssertFunction(json.Get("stringify"))
	if !ok {
		return "", nil
	}
	res, err := stringify(json, v)
	if err != nil || goja.IsUndefined(res) {
		return "", err
	}
	return res.String(), nil
}
