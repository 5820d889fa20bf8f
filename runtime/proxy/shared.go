package proxy

import (
	"github.com/dop251/goja"

	"github.com/tirun/tirun/runtime/loop"
)

// shared is the per-VM part of every proxy: one prototype holding the Titanium methods (so a
// proxy costs one object, not a closure per method).
type shared struct {
	proto *goja.Object
}

type sharedKey struct{}

func sharedFor(vm *goja.Runtime, l *loop.Loop) *shared {
	return l.Local(sharedKey{}, func() any { return newShared(vm) }).(*shared)
}

// selfSymbol links a proxy's JS object to its Go Proxy. goja symbols hold no runtime state, so
// one symbol serves every VM; it is non-enumerable and scripts cannot forge the Go value.
var selfSymbol = goja.NewSymbol("tirun.proxy")

func fromObject(obj *goja.Object) (*Proxy, bool) {
	if v := obj.GetSymbol(selfSymbol); v != nil {
		if p, ok := v.Export().(*Proxy); ok && p.obj == obj {
			return p, true
		}
	}
	return nil, false
}

func newShared(vm *goja.Runtime) *shared {
	s := &shared{proto: vm.NewObject()}
	method := func(name string, fn func(p *Proxy, call goja.FunctionCall) goja.Value) {
		f := vm.ToValue(func(call goja.FunctionCall) goja.Value {
			return fn(s.this(vm, name, call.This), call)
		})
		must(s.proto.DefineDataProperty(name, f, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE))
	}
	method("addEventListener", (*Proxy).jsAddEventListener)
	method("removeEventListener", (*Proxy).jsRemoveEventListener)
	method("fireEvent", (*Proxy).jsFireEvent)
	method("applyProperties", (*Proxy).jsApplyProperties)
	method("toString", func(p *Proxy, _ goja.FunctionCall) goja.Value {
		return vm.ToValue("[object " + p.apiName + "]")
	})

	getter := vm.ToValue(func(call goja.FunctionCall) goja.Value {
		return vm.ToValue(s.this(vm, "bubbleParent", call.This).bubbleParent)
	})
	setter := vm.ToValue(func(call goja.FunctionCall) goja.Value {
		// Titanium coerces any value by truthiness (0 -> false, 1 -> true).
		s.this(vm, "bubbleParent", call.This).bubbleParent = call.Argument(0).ToBoolean()
		return goja.Undefined()
	})
	must(s.proto.DefineAccessorProperty("bubbleParent", getter, setter, goja.FLAG_FALSE, goja.FLAG_TRUE))
	return s
}

// this resolves the receiver of a shared method, throwing when it is not a proxy.
func (s *shared) this(vm *goja.Runtime, method string, this goja.Value) *Proxy {
	if obj, ok := this.(*goja.Object); ok {
		if p, ok := fromObject(obj); ok {
			return p
		}
	}
	panic(vm.NewTypeError("%s: called on an object that is not a Titanium proxy", method))
}
