package urlsession

import (
	"strings"

	"github.com/dop251/goja"
	"golang.org/x/net/http/httpguts"

	"github.com/tirun/tirun/runtime/proxy"
	engine "github.com/tirun/tirun/urlsession"
)

// headersArg converts {name: value} (strings only) to engine headers in the object's key order.
// Names and values are checked against RFC 9110 here so a typo fails at the call, where the
// script can see it, instead of as a transport error later. what names the argument in errors,
// e.g. "Session.dataTask: 'requestHeaders'".
func headersArg(vm *goja.Runtime, v goja.Value, what string) []engine.Header {
	obj, ok := plainObject(v)
	if !ok {
		proxy.ThrowTypeError(vm, "%s must be an object whose keys and values are strings", what)
	}
	keys := obj.Keys()
	out := make([]engine.Header, 0, len(keys))
	for _, k := range keys {
		val := obj.Get(k)
		if val == nil || !goja.IsString(val) {
			proxy.ThrowTypeError(vm, "%s: the value of header '%s' must be a string", what, k)
		}
		if !httpguts.ValidHeaderFieldName(k) {
			proxy.ThrowTypeError(vm, "%s: '%s' is not a valid header name", what, k)
		}
		s := val.String()
		if !httpguts.ValidHeaderFieldValue(s) {
			proxy.ThrowTypeError(vm, "%s: the value of header '%s' contains characters not allowed in a header", what, k)
		}
		out = append(out, engine.Header{Name: k, Value: s})
	}
	return out
}

// headersObject is the JS form of headers: {} when there are none, never undefined.
func headersObject(vm *goja.Runtime, hs []engine.Header) *goja.Object {
	obj := vm.NewObject()
	for _, h := range hs {
		_ = obj.Set(h.Name, h.Value)
	}
	return obj
}

// hasHeader compares names case-insensitively, as HTTP does.
func hasHeader(hs []engine.Header, name string) bool {
	for _, h := range hs {
		if strings.EqualFold(h.Name, name) {
			return true
		}
	}
	return false
}

// validMethod accepts an HTTP token (RFC 9110 §9.1): GET, PROPFIND, ... A field name is the
// same non-empty token, so httpguts' check for it is the check for a method too.
func validMethod(m string) bool {
	return httpguts.ValidHeaderFieldName(m)
}
