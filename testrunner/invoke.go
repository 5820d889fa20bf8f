package testrunner

import (
	"github.com/dop251/goja"
)

// outcome is how one runnable ended, sent from the loop to the runner.
type outcome struct {
	token   uint64
	err     *TestError
	pending bool // this.skip()
}

// invoke calls a hook or test body with mocha's three completion styles:
// a plain return, a `done` callback (when the function declares a
// parameter), or a returned promise (any thenable). finish receives
// exactly one outcome. Loop goroutine.
func (d *driver) invoke(vm *goja.Runtime, fn goja.Value, this *goja.Object, cur *running) {
	finish := func(o outcome) {
		if cur.finished {
			return
		}
		cur.finished = true
		o.token = cur.token
		d.deliver(o)
	}
	cur.finish = finish
	fail := func(v goja.Value) {
		if v != nil && v.SameAs(d.cm.skipMarker) {
			finish(outcome{pending: true})
			return
		}
		finish(outcome{err: errorFromValue(vm, v)})
	}
	callable, ok := goja.AssertFunction(fn)
	if !ok {
		finish(outcome{err: &TestError{Name: "TypeError", Message: "callback is not a function"}})
		return
	}
	takesDone := fn.ToObject(vm).Get("length").ToInteger() > 0
	var args []goja.Value
	if takesDone {
		args = append(args, vm.ToValue(func(call goja.FunctionCall) goja.Value {
			arg := call.Argument(0)
			switch {
			case goja.IsUndefined(arg) || goja.IsNull(arg):
				finish(outcome{})
			case arg.SameAs(d.cm.skipMarker):
				finish(outcome{pending: true})
			default:
				if obj, ok := arg.(*goja.Object); ok && obj.Get("message") != nil {
					fail(arg)
				} else {
					finish(outcome{err: &TestError{Name: "Error", Message: "done() invoked with non-Error: " + inspect(vm, arg)}})
				}
			}
			return goja.Undefined()
		}))
	}
	ret, err := callable(this, args...)
	if err != nil {
		if ex, ok := err.(*goja.Exception); ok {
			fail(ex.Value())
			return
		}
		finish(outcome{err: errorFromGo(vm, err)})
		return
	}
	if then := thenMethod(ret); then != nil {
		if takesDone {
			finish(outcome{err: &TestError{Name: "Error", Message: "Resolution method is overspecified: the callback takes done() and also returns a promise; use one or the other"}})
			return
		}
		onFulfilled := vm.ToValue(func(goja.FunctionCall) goja.Value { finish(outcome{}); return goja.Undefined() })
		onRejected := vm.ToValue(func(call goja.FunctionCall) goja.Value {
			reason := call.Argument(0)
			if goja.IsUndefined(reason) || goja.IsNull(reason) {
				finish(outcome{err: &TestError{Name: "Error", Message: "Promise rejected with no or falsy reason"}})
			} else {
				fail(reason)
			}
			return goja.Undefined()
		})
		if _, err := then(ret, onFulfilled, onRejected); err != nil {
			finish(outcome{err: errorFromGo(vm, err)})
		}
		return
	}
	if !takesDone {
		finish(outcome{})
	}
}

// thenMethod returns v.then when v is a thenable object.
func thenMethod(v goja.Value) goja.Callable {
	obj, ok := v.(*goja.Object)
	if !ok {
		return nil
	}
	then, ok := goja.AssertFunction(obj.Get("then"))
	if !ok {
		return nil
	}
	return then
}
