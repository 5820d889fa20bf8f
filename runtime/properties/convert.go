package properties

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"

	"github.com/dop251/goja"
)

// jsonFuncs are the VM's JSON.stringify/parse captured at install time, so list and object
// values are stored exactly as JSON.stringify would write them (key order, toJSON, Dates) and
// a script replacing the JSON global cannot break the store.
type jsonFuncs struct {
	stringify, parse goja.Callable
}

func captureJSON(vm *goja.Runtime) (jsonFuncs, bool) {
	obj, ok := vm.Get("JSON").(*goja.Object)
	if !ok {
		return jsonFuncs{}, false
	}
	s, ok1 := goja.AssertFunction(obj.Get("stringify"))
	p, ok2 := goja.AssertFunction(obj.Get("parse"))
	return jsonFuncs{stringify: s, parse: p}, ok1 && ok2
}

// Doubles are stored as JSON numbers; JSON has no NaN or infinities, so those are stored as
// the strings JS prints for them.
func encodeDouble(f float64) json.RawMessage {
	switch {
	case math.IsNaN(f):
		return json.RawMessage(`"NaN"`)
	case math.IsInf(f, 1):
		return json.RawMessage(`"Infinity"`)
	case math.IsInf(f, -1):
		return json.RawMessage(`"-Infinity"`)
	}
	return json.RawMessage(strconv.FormatFloat(f, 'g', -1, 64))
}

// number reads an int or double entry (or a numeric string, as NSUserDefaults does).
func (e Entry) number() (float64, bool) {
	switch e.Kind {
	case KindInt, KindDouble:
		var f float64
		if json.Unmarshal(e.Value, &f) == nil {
			return f, true
		}
		var s string
		if json.Unmarshal(e.Value, &s) == nil {
			return parseJSNumber(s)
		}
	case KindString:
		var s string
		if json.Unmarshal(e.Value, &s) == nil {
			return parseJSNumber(strings.TrimSpace(s))
		}
	case KindBool:
		if string(e.Value) == "true" {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

func parseJSNumber(s string) (float64, bool) {
	switch s {
	case "NaN":
		return math.NaN(), true
	case "Infinity":
		return math.Inf(1), true
	case "-Infinity":
		return math.Inf(-1), true
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

// boolean reads a bool entry, a number (non-zero is true) or a "true"/"yes"/"1" style string.
func (e Entry) boolean() (bool, bool) {
	switch e.Kind {
	case KindBool:
		return string(e.Value) == "true", true
	case KindInt, KindDouble:
		f, ok := e.number()
		return ok && f != 0 && !math.IsNaN(f), ok
	case KindString:
		var s string
		if json.Unmarshal(e.Value, &s) != nil {
			return false, false
		}
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "true", "yes", "1":
			return true, true
		case "false", "no", "0", "":
			return false, true
		}
	}
	return false, false
}

// toJS converts e for getter kind want, or returns nil when the stored value has no sensible
// conversion (the getter then returns its default).
func (e Entry) toJS(vm *goja.Runtime, j jsonFuncs, want Kind) goja.Value {
	switch want {
	case KindString:
		switch e.Kind {
		case KindString:
			var s string
			if json.Unmarshal(e.Value, &s) == nil {
				return vm.ToValue(s)
			}
		case KindBool:
			return vm.ToValue(string(e.Value)) // "true" / "false"
		case KindInt, KindDouble:
			if f, ok := e.number(); ok {
				return vm.ToValue(vm.ToValue(f).String()) // JS number formatting
			}
		}
	case KindInt:
		if f, ok := e.number(); ok && !math.IsNaN(f) && !math.IsInf(f, 0) {
			return vm.ToValue(int64(math.Trunc(f)))
		}
	case KindDouble:
		if f, ok := e.number(); ok {
			return vm.ToValue(f)
		}
	case KindBool:
		if b, ok := e.boolean(); ok {
			return vm.ToValue(b)
		}
	case KindList, KindObject:
		// getObject accepts a stored list too (any JSON value); getList only a list.
		if e.Kind != KindList && (want == KindList || e.Kind != KindObject) {
			return nil
		}
		v, err := j.parse(goja.Undefined(), vm.ToValue(string(e.Value)))
		if err == nil {
			return v
		}
	}
	return nil
}
