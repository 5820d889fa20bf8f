package loop

import "github.com/dop251/goja"

// queueMicrotaskSrc builds queueMicrotask on top of a resolved promise because goja has no
// public microtask queue API. An exception thrown by the callback is handed to report (so it
// ends the run as an uncaught exception, not as a promise rejection).
const queueMicrotaskSrc = `(function (report) {
	var resolved = Promise.resolve();
	return function queueMicrotask(callback) {
		if (typeof callback !== 'function') {
			throw new TypeError("queueMicrotask: argument 'callback' must be a function");
		}
		resolved.then(function () {
			try { callback(); } catch (e) { report(e); }
		});
	};
})`

var queueMicrotaskProgram = goja.MustCompile("tirun:queueMicrotask", queueMicrotaskSrc, true)

func (l *Loop) installMicrotask(vm *goja.Runtime) {
	factory, err := vm.RunProgram(queueMicrotaskProgram)
	if err != nil {
		panic(err) // constant source: cannot fail
	}
	build, _ := goja.AssertFunction(factory)
	report := vm.ToValue(func(call goja.FunctionCall) goja.Value {
		if l.reported == nil { // keep the first error, like an uncaught exception would
			l.reported = fromRejectionValue(call.Argument(0), false)
		}
		return goja.Undefined()
	})
	fn, err := build(goja.Undefined(), report)
	if err != nil {
		panic(err)
	}
	if err := vm.Set("queueMicrotask", fn); err != nil {
		panic(err)
	}
}
