package proxy

import (
	"github.com/dop251/goja"

	"github.com/tirun/tirun/runtime/loop"
)

// AddListener registers fn for name; the same function registered twice counts once.
func (p *Proxy) AddListener(name string, fn goja.Value) {
	call, ok := goja.AssertFunction(fn)
	if !ok {
		return
	}
	old := p.listeners[name]
	for _, l := range old {
		if l.val.SameAs(fn) {
			return
		}
	}
	if p.listeners == nil {
		p.listeners = make(map[string][]*listener)
	}
	// Copy on write: a dispatch in progress keeps iterating its own snapshot.
	next := make([]*listener, len(old), len(old)+1)
	copy(next, old)
	p.listeners[name] = append(next, &listener{fn: call, val: fn})
}

// RemoveListener unregisters fn; unknown functions are ignored. A listener removed during a
// dispatch is not called later in that dispatch.
func (p *Proxy) RemoveListener(name string, fn goja.Value) {
	old := p.listeners[name]
	for i, l := range old {
		if !l.val.SameAs(fn) {
			continue
		}
		l.removed = true
		if len(old) == 1 {
			delete(p.listeners, name)
			return
		}
		next := make([]*listener, 0, len(old)-1)
		next = append(next, old[:i]...)
		p.listeners[name] = append(next, old[i+1:]...)
		return
	}
}

// RemoveAllListeners drops every listener of this proxy (e.g. when a session is invalidated).
func (p *Proxy) RemoveAllListeners() {
	for _, ls := range p.listeners {
		for _, l := range ls {
			l.removed = true
		}
	}
	p.listeners = nil
}

// HasListeners reports whether firing name here would reach a listener, on this proxy or
// through bubbling on a parent.
func (p *Proxy) HasListeners(name string) bool {
	for t := p; t != nil; t = t.parent {
		if len(t.listeners[name]) > 0 {
			return true
		}
		if !t.bubbleParent {
			return false
		}
	}
	return false
}

// Fire dispatches synchronously (loop goroutine only). payload (may be nil) becomes the event
// object itself, completed with type, source, bubbles and cancelBubble. An exception thrown by a
// listener is re-thrown as a JS exception: into the calling script when JS is on the stack,
// otherwise it ends the loop run as an uncaught error.
func (p *Proxy) Fire(name string, payload *goja.Object) {
	if err := p.Dispatch(name, payload); err != nil {
		panic(err)
	}
}

// Dispatch is Fire returning a listener's exception instead of throwing it.
func (p *Proxy) Dispatch(name string, payload *goja.Object) error {
	if !p.HasListeners(name) {
		return nil
	}
	return p.dispatchPayload(name, payload)
}

// dispatchPayload completes payload into the event object and dispatches it; the caller has
// checked HasListeners.
func (p *Proxy) dispatchPayload(name string, payload *goja.Object) error {
	ev := payload
	if ev == nil {
		ev = p.vm.NewObject()
	}
	bubbles := true
	if v := ev.Get("bubbles"); v != nil && !goja.IsUndefined(v) {
		bubbles = v.ToBoolean()
	}
	must(ev.Set("type", name))
	must(ev.Set("source", p.obj))
	must(ev.Set("bubbles", bubbles))
	must(ev.Set("cancelBubble", false))
	return p.dispatch(name, ev)
}

func (p *Proxy) dispatch(name string, ev *goja.Object) error {
	for t := p; t != nil; t = t.parent {
		for _, l := range t.listeners[name] { // snapshot: slices are never mutated in place
			if l.removed {
				continue
			}
			if _, err := l.fn(t.obj, ev); err != nil {
				return err
			}
		}
		// Property reads only when there is somewhere to bubble to (the common case has not).
		if t.parent == nil || !t.bubbleParent || !ev.Get("bubbles").ToBoolean() || ev.Get("cancelBubble").ToBoolean() {
			return nil
		}
	}
	return nil
}

// FireAsync is safe from any goroutine: on the loop, build (may be nil) makes the payload and the
// event is dispatched like Fire; a listener's exception becomes the loop's uncaught error.
// h (may be nil) is the handle whose reference covers this event. build is skipped when no
// listener would receive the event. Returns false when the loop has stopped.
func (p *Proxy) FireAsync(h *loop.Handle, name string, build func(vm *goja.Runtime) *goja.Object) bool {
	job := func(vm *goja.Runtime) error {
		if !p.HasListeners(name) {
			return nil
		}
		var payload *goja.Object
		if build != nil {
			payload = build(vm)
		}
		return p.dispatchPayload(name, payload) // listeners checked above, before build
	}
	if h != nil {
		return h.Post(job)
	}
	return p.loop.RunOnLoop(job)
}

func (p *Proxy) jsAddEventListener(call goja.FunctionCall) goja.Value {
	name, fn := p.listenerArgs("addEventListener", call)
	p.AddListener(name, fn)
	return goja.Undefined()
}

func (p *Proxy) jsRemoveEventListener(call goja.FunctionCall) goja.Value {
	name, fn := p.listenerArgs("removeEventListener", call)
	p.RemoveListener(name, fn)
	return goja.Undefined()
}

func (p *Proxy) listenerArgs(method string, call goja.FunctionCall) (string, goja.Value) {
	name := call.Argument(0)
	if !goja.IsString(name) {
		ThrowTypeError(p.vm, "%s: argument 'name' must be a string", method)
	}
	fn := call.Argument(1)
	if _, ok := goja.AssertFunction(fn); !ok {
		ThrowTypeError(p.vm, "%s: argument 'callback' must be a function", method)
	}
	return name.String(), fn
}

// jsFireEvent copies the caller's dictionary so listeners cannot alter the caller's object.
func (p *Proxy) jsFireEvent(call goja.FunctionCall) goja.Value {
	name := call.Argument(0)
	if !goja.IsString(name) {
		ThrowTypeError(p.vm, "fireEvent: argument 'name' must be a string")
	}
	ev := p.vm.NewObject()
	if dict := call.Argument(1); !goja.IsUndefined(dict) && !goja.IsNull(dict) {
		src, ok := dict.(*goja.Object)
		if !ok {
			ThrowTypeError(p.vm, "fireEvent: argument 'event' must be an object")
		}
		for _, k := range src.Keys() {
			must(ev.Set(k, src.Get(k)))
		}
	}
	p.Fire(name.String(), ev)
	return goja.Undefined()
}

// jsApplyProperties assigns proxy[key] = value per key. It is native, so it rejects read-only
// and creation-only keys explicitly even when the caller is sloppy-mode code.
func (p *Proxy) jsApplyProperties(call goja.FunctionCall) goja.Value {
	dict, ok := call.Argument(0).(*goja.Object)
	if !ok {
		ThrowTypeError(p.vm, "applyProperties: argument 'properties' must be an object")
	}
	for _, k := range dict.Keys() {
		if why, fixed := p.fixed[k]; fixed {
			ThrowTypeError(p.vm, "applyProperties: property '%s' %s", k, why)
		}
		if err := p.obj.Set(k, dict.Get(k)); err != nil {
			panic(err) // a setter's TypeError, or a non-writable property defined by JS
		}
	}
	return goja.Undefined()
}
