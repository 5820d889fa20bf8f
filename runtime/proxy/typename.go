package proxy

import "github.com/dop251/goja"

// TypeName names a JS value's type for argument error messages: "undefined", "null",
// "string", "number", "boolean", "function", "array", a proxy's apiName (e.g. "Ti.Blob"),
// or "object". Host objects are proxies (their Go value attached with SetNative), so their
// apiName names them.
func TypeName(v goja.Value) string {
	switch {
	case v == nil || goja.IsUndefined(v):
		return "undefined"
	case goja.IsNull(v):
		return "null"
	case goja.IsString(v):
		return "string"
	case goja.IsNumber(v):
		return "number"
	}
	obj, isObj := v.(*goja.Object)
	if !isObj {
		if _, ok := v.Export().(bool); ok {
			return "boolean"
		}
		return "value" // symbols, bigints
	}
	if _, isFunc := goja.AssertFunction(obj); isFunc {
		return "function"
	}
	if p, ok := FromValue(obj); ok {
		return p.APIName()
	}
	if obj.ClassName() == "Array" {
		return "array"
	}
	return "object"
}
