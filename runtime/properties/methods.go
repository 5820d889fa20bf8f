package properties

import (
	"encoding/json"
	"errors"
	"math"

	"github.com/dop251/goja"

	"github.com/tirun/tirun/runtime/proxy"
)

// bind defines the Ti.App.Properties methods on the proxy.
func (p *Properties) bind() {
	for _, kind := range []Kind{KindString, KindInt, KindDouble, KindBool, KindList, KindObject} {
		suffix := methodSuffix[kind]
		p.proxy.Method("get"+suffix, func(call goja.FunctionCall) goja.Value { return p.get(call, kind) })
		p.proxy.Method("set"+suffix, func(call goja.FunctionCall) goja.Value { return p.set(call, kind) })
	}
	p.proxy.Method("hasProperty", func(call goja.FunctionCall) goja.Value {
		return p.vm.ToValue(p.store.Has(p.nameArg(call, "hasProperty")))
	})
	p.proxy.Method("removeProperty", func(call goja.FunctionCall) goja.Value {
		name := p.nameArg(call, "removeProperty")
		changed, err := p.store.Remove(name)
		if errors.Is(err, ErrReadOnly) {
			p.warn(apiName + ".removeProperty: '" + name + "' is a preset property and cannot be removed")
		}
		if changed {
			p.changed(name, true)
		}
		return goja.Undefined()
	})
	p.proxy.Method("removeAllProperties", func(goja.FunctionCall) goja.Value {
		if removed := p.store.RemoveAll(); len(removed) > 0 {
			p.changed("", true)
		}
		return goja.Undefined()
	})
	p.proxy.Method("listProperties", func(goja.FunctionCall) goja.Value {
		names := p.store.Names()
		items := make([]any, len(names))
		for i, n := range names {
			items[i] = n
		}
		return p.vm.NewArray(items...)
	})
}

var methodSuffix = map[Kind]string{
	KindString: "String", KindInt: "Int", KindDouble: "Double",
	KindBool: "Bool", KindList: "List", KindObject: "Object",
}

// nameArg validates the property name, the first argument of every method.
func (p *Properties) nameArg(call goja.FunctionCall, method string) string {
	v := call.Argument(0)
	if !goja.IsString(v) {
		proxy.ThrowTypeError(p.vm, "%s.%s: argument 'name' must be a string, got %s", apiName, method, proxy.TypeName(v))
	}
	name := v.String()
	if name == "" {
		proxy.ThrowTypeError(p.vm, "%s.%s: argument 'name' must not be empty", apiName, method)
	}
	return name
}

// get implements getString/getInt/...: the stored value converted to the getter's type, else
// the default argument, else null.
func (p *Properties) get(call goja.FunctionCall, kind Kind) goja.Value {
	name := p.nameArg(call, "get"+methodSuffix[kind])
	if e, ok := p.store.Get(name); ok {
		if v := e.toJS(p.vm, p.json, kind); v != nil {
			return v
		}
	}
	if len(call.Arguments) > 1 {
		return call.Argument(1)
	}
	return goja.Null()
}

// set implements setString/setInt/...: the value must already have the setter's type.
func (p *Properties) set(call goja.FunctionCall, kind Kind) goja.Value {
	method := "set" + methodSuffix[kind]
	name := p.nameArg(call, method)
	e := p.entryArg(call.Argument(1), kind, method)
	changed, err := p.store.Set(name, e)
	if errors.Is(err, ErrReadOnly) {
		p.warn(apiName + "." + method + ": '" + name + "' is a preset property and cannot be changed")
		return goja.Undefined()
	}
	p.changed(name, changed)
	return goja.Undefined()
}

func (p *Properties) entryArg(v goja.Value, kind Kind, method string) Entry {
	bad := func(want string) {
		proxy.ThrowTypeError(p.vm, "%s.%s: argument 'value' must be %s, got %s", apiName, method, want, proxy.TypeName(v))
	}
	switch kind {
	case KindString:
		if !goja.IsString(v) {
			bad("a string")
		}
		raw, _ := json.Marshal(v.String())
		return Entry{Kind: kind, Value: raw}
	case KindInt:
		if !goja.IsNumber(v) {
			bad("a number")
		}
		f := v.ToFloat()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			bad("a finite number")
		}
		raw, _ := json.Marshal(int64(math.Trunc(f))) // Titanium truncates: setInt(n, 2.7) stores 2
		return Entry{Kind: kind, Value: raw}
	case KindDouble:
		if !goja.IsNumber(v) {
			bad("a number")
		}
		return Entry{Kind: kind, Value: encodeDouble(v.ToFloat())}
	case KindBool:
		if !isBool(v) {
			bad("a boolean")
		}
		raw, _ := json.Marshal(v.ToBoolean())
		return Entry{Kind: kind, Value: raw}
	}
	obj, ok := v.(*goja.Object)
	if !ok || (kind == KindList && obj.ClassName() != "Array") {
		if kind == KindList {
			bad("an array")
		}
		bad("an object")
	}
	if _, isFunc := goja.AssertFunction(obj); isFunc {
		bad("an object")
	}
	text, err := p.json.stringify(goja.Undefined(), obj)
	if err != nil || goja.IsUndefined(text) {
		proxy.ThrowTypeError(p.vm, "%s.%s: argument 'value' cannot be stored as JSON: %v", apiName, method, err)
	}
	return Entry{Kind: kind, Value: json.RawMessage(text.String())}
}

// isBool reports a primitive boolean (a Boolean wrapper object is not accepted).
func isBool(v goja.Value) bool {
	if _, isObj := v.(*goja.Object); isObj || v == nil {
		return false
	}
	_, ok := v.Export().(bool)
	return ok
}
