// Package proxy is the Titanium proxy base shared by Ti objects and native module objects:
// apiName, bubbleParent, event listeners, fireEvent with bubbling, and applyProperties.
//
// A Proxy's state is owned by the loop goroutine; only FireAsync may be called elsewhere.
package proxy

import (
	"github.com/dop251/goja"

	"github.com/tirun/tirun/runtime/loop"
)

// Proxy is the Go side of one Titanium proxy; its JS object is Object().
type Proxy struct {
	vm           *goja.Runtime
	loop         *loop.Loop
	obj          *goja.Object
	apiName      string
	parent       *Proxy
	bubbleParent bool
	listeners    map[string][]*listener // copy-on-write slices: a dispatch iterates a snapshot
	fixed        map[string]string      // property -> why applyProperties must reject it
	native       any                    // see SetNative
}

// listener is one registered callback; removed marks it so an ongoing dispatch skips it.
type listener struct {
	fn      goja.Callable
	val     goja.Value
	removed bool
}

const (
	whyReadOnly     = "is read-only"
	whyCreationOnly = "can only be set at creation"
)

// New creates a proxy whose JS object inherits the shared proxy methods of this VM.
func New(vm *goja.Runtime, l *loop.Loop, apiName string) *Proxy {
	s := sharedFor(vm, l)
	p := &Proxy{
		vm: vm, loop: l, apiName: apiName, bubbleParent: true,
		fixed: map[string]string{"apiName": whyReadOnly},
	}
	p.obj = vm.NewObject()
	must(p.obj.SetPrototype(s.proto))
	must(p.obj.DefineDataPropertySymbol(selfSymbol, vm.ToValue(p), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE))
	must(p.obj.DefineDataProperty("apiName", vm.ToValue(apiName), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_TRUE))
	return p
}

// FromValue returns the Proxy behind a JS value, if it is a proxy object.
func FromValue(v goja.Value) (*Proxy, bool) {
	obj, ok := v.(*goja.Object)
	if !ok {
		return nil, false
	}
	return fromObject(obj)
}

func (p *Proxy) Object() *goja.Object { return p.obj }
func (p *Proxy) APIName() string      { return p.apiName }
func (p *Proxy) VM() *goja.Runtime    { return p.vm }
func (p *Proxy) Loop() *loop.Loop     { return p.loop }

// SetNative attaches the Go value a package keeps behind this proxy (e.g. a Ti.Blob's contents),
// so FromValue(v) then Native() finds it without a second private link on the object.
func (p *Proxy) SetNative(n any) { p.native = n }

// Native returns the value given to SetNative, or nil.
func (p *Proxy) Native() any { return p.native }

// SetParent sets the proxy events bubble to (nil for none).
func (p *Proxy) SetParent(parent *Proxy) { p.parent = parent }

// Parent returns the bubbling target, or nil.
func (p *Proxy) Parent() *Proxy { return p.parent }

// BubbleParent reports whether events bubble from this proxy to its parent.
func (p *Proxy) BubbleParent() bool { return p.bubbleParent }

// SetBubbleParent sets bubbleParent from Go.
func (p *Proxy) SetBubbleParent(b bool) { p.bubbleParent = b }

// Method defines a non-enumerable method on the proxy object.
func (p *Proxy) Method(name string, fn func(call goja.FunctionCall) goja.Value) {
	must(p.obj.DefineDataProperty(name, p.vm.ToValue(fn), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE))
}

// ReadOnly defines a getter-only property: assignment throws a TypeError in strict mode and is
// ignored in sloppy mode; applyProperties rejects it.
func (p *Proxy) ReadOnly(name string, get func() goja.Value) {
	p.defineGetter(name, get, whyReadOnly)
}

// CreationOnly is ReadOnly for properties that a factory accepts in its creation dictionary:
// applyProperties' error says so.
func (p *Proxy) CreationOnly(name string, get func() goja.Value) {
	p.defineGetter(name, get, whyCreationOnly)
}

func (p *Proxy) defineGetter(name string, get func() goja.Value, why string) {
	getter := p.vm.ToValue(func(goja.FunctionCall) goja.Value { return orUndefined(get()) })
	must(p.obj.DefineAccessorProperty(name, getter, nil, goja.FLAG_FALSE, goja.FLAG_TRUE))
	p.fixed[name] = why
}

// Accessor defines a read/write property; set validates and may throw (ThrowTypeError).
func (p *Proxy) Accessor(name string, get func() goja.Value, set func(v goja.Value)) {
	getter := p.vm.ToValue(func(goja.FunctionCall) goja.Value { return orUndefined(get()) })
	setter := p.vm.ToValue(func(call goja.FunctionCall) goja.Value {
		set(call.Argument(0))
		return goja.Undefined()
	})
	must(p.obj.DefineAccessorProperty(name, getter, setter, goja.FLAG_FALSE, goja.FLAG_TRUE))
	delete(p.fixed, name)
}

// Constant defines a non-writable, non-configurable data property.
func (p *Proxy) Constant(name string, v goja.Value) {
	must(p.obj.DefineDataProperty(name, v, goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_TRUE))
	p.fixed[name] = whyReadOnly
}

func orUndefined(v goja.Value) goja.Value {
	if v == nil {
		return goja.Undefined()
	}
	return v
}

// must panics on errors that only a programming mistake can cause (defining a property on a
// fresh extensible object).
func must(err error) {
	if err != nil {
		panic(err)
	}
}
