package proxy

import (
	"fmt"

	"github.com/dop251/goja"
)

// ThrowTypeError throws a catchable JS TypeError from a native function. The message should
// name the function and the argument: "Session.dataTask: argument 'url' must be a string".
func ThrowTypeError(vm *goja.Runtime, format string, args ...any) {
	panic(vm.NewTypeError("%s", fmt.Sprintf(format, args...)))
}

// ThrowError throws a catchable plain JS Error (with a JS stack) from a native function.
func ThrowError(vm *goja.Runtime, format string, args ...any) {
	ctor, ok := goja.AssertConstructor(vm.Get("Error"))
	msg := vm.ToValue(fmt.Sprintf(format, args...))
	if ok {
		if obj, err := ctor(nil, msg); err == nil {
			panic(obj)
		}
	}
	panic(vm.NewGoError(fmt.Errorf(format, args...))) // Error was tampered with: still throw
}
