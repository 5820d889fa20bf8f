package testrunner

import (
	"errors"
	"fmt"
	"strings"

	"github.com/dop251/goja"

	"github.com/tirun/tirun/runtime/loop"
)

// TestError is a failure reduced to Go strings, so reporters never touch
// the VM (they run on another goroutine, possibly after it is closed).
type TestError struct {
	Name     string // "AssertionError", "TypeError", "Error", "Timeout"...
	Message  string // without the name
	Stack    string // "    at ..." lines, may be empty
	Actual   string // inspected values when the error carries them
	Expected string
	Operator string
	HasDiff  bool // actual/expected are present and worth a diff
}

func (e *TestError) Error() string {
	if e.Name == "" {
		return e.Message
	}
	return e.Name + ": " + e.Message
}

// errorFromValue describes a thrown or rejected JS value. Loop goroutine.
func errorFromValue(vm *goja.Runtime, v goja.Value) *TestError {
	obj, ok := v.(*goja.Object)
	if !ok || v == nil {
		if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
			return &TestError{Name: "Error", Message: fmt.Sprintf("a callback failed with %s (no error object)", describeValue(v))}
		}
		return &TestError{Name: "Error", Message: fmt.Sprintf("thrown non-Error value: %s", inspect(vm, v))}
	}
	e := &TestError{Name: str(obj.Get("name")), Message: str(obj.Get("message"))}
	if e.Name == "" && e.Message == "" {
		e.Message = inspect(vm, v)
	}
	if s := obj.Get("stack"); s != nil && !goja.IsUndefined(s) {
		e.Stack = userFrames(loop.CleanStack(s.String()))
	}
	actual, expected := obj.Get("actual"), obj.Get("expected")
	if actual != nil || expected != nil {
		e.Actual, e.Expected = inspect(vm, actual), inspect(vm, expected)
		e.Operator = str(obj.Get("operator"))
		show := obj.Get("showDiff")
		e.HasDiff = actual != nil && expected != nil && (show == nil || show.ToBoolean()) && e.Actual != e.Expected
	}
	return e
}

// errorFromGo converts what a goja call or the loop returned.
func errorFromGo(vm *goja.Runtime, err error) *TestError {
	var ex *goja.Exception
	if errors.As(err, &ex) {
		te := errorFromValue(vm, ex.Value())
		if te.Stack == "" {
			te.Stack = userFrames(loop.CleanStack(ex.String()))
		}
		return te
	}
	return errorFromLoop(err)
}

// errorFromLoop converts a loop.Run error (no VM needed).
func errorFromLoop(err error) *TestError {
	var ue *loop.UncaughtError
	if errors.As(err, &ue) {
		name, msg, ok := strings.Cut(ue.Message, ": ")
		if !ok || strings.ContainsAny(name, " \n") {
			name, msg = "Error", ue.Message
		}
		prefix := "Uncaught "
		if ue.InPromise {
			prefix = "Unhandled rejection: "
		}
		return &TestError{Name: name, Message: prefix + msg, Stack: ue.Stack}
	}
	return &TestError{Name: "Error", Message: err.Error()}
}

func str(v goja.Value) string {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return ""
	}
	return v.String()
}

func describeValue(v goja.Value) string {
	if v == nil || goja.IsUndefined(v) {
		return "undefined"
	}
	return v.String()
}

// inspect renders a value for failure messages: JSON for plain data,
// String() for the rest. Loop goroutine.
func inspect(vm *goja.Runtime, v goja.Value) string {
	if v == nil || goja.IsUndefined(v) {
		return "undefined"
	}
	if goja.IsNull(v) {
		return "null"
	}
	switch v.ExportType() {
	case nil:
		return v.String()
	}
	if s, ok := v.Export().(string); ok {
		return fmt.Sprintf("%q", s)
	}
	if obj, ok := v.(*goja.Object); ok {
		if _, isFn := goja.AssertFunction(obj); isFn {
			return "[Function: " + str(obj.Get("name")) + "]"
		}
		if obj.ClassName() == "Error" {
			return obj.String()
		}
		stringify, _ := goja.AssertFunction(vm.Get("JSON").ToObject(vm).Get("stringify"))
		if stringify != nil {
			var out goja.Value
			func() {
				defer func() { _ = recover() }() // cyclic values throw: fall back below
				out, _ = stringify(goja.Undefined(), v, goja.Null(), vm.ToValue(2))
			}()
			if out != nil && !goja.IsUndefined(out) {
				return out.String()
			}
		}
	}
	return v.String()
}

// userFrames drops the frames inside the embedded assert module: the user
// wants the line of their assertion, not its implementation.
func userFrames(stack string) string {
	lines := strings.Split(stack, "\n")
	kept := lines[:0]
	for _, l := range lines {
		if !strings.Contains(l, "tirun:assert.js") {
			kept = append(kept, l)
		}
	}
	return strings.Join(kept, "\n")
}
