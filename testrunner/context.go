package testrunner

import (
	"time"

	"github.com/dop251/goja"
)

// running is the loop-side view of the runnable (test or hook) in progress,
// so that this.timeout() and this.skip() act on it.
type running struct {
	token    uint64
	title    string
	timeout  time.Duration
	test     *Test // nil for hooks
	finished bool
	finish   func(outcome) // ends the runnable; idempotent
}

// contextMethods backs `this` in hooks and tests. Like mocha, a suite's
// hooks and tests share one context object (its prototype is the parent
// suite's), so `this.x = 1` in beforeEach is seen by the tests.
type contextMethods struct {
	defaultTimeout time.Duration
	cur            *running       // loop goroutine only
	skipMarker     *goja.Object   // thrown by this.skip()
	retime         chan retimeMsg // to the runner goroutine
	// charge receives an exception thrown by a timer callback once the
	// file has loaded (while it loads, the exception ends the loop's run).
	charge func(vm *goja.Runtime, v goja.Value)
}

type retimeMsg struct {
	token   uint64
	timeout time.Duration
}

func newContextMethods(def time.Duration) *contextMethods {
	return &contextMethods{defaultTimeout: def, retime: make(chan retimeMsg, 16)}
}

func (m *contextMethods) newRootContext(vm *goja.Runtime) *goja.Object {
	m.skipMarker = vm.NewObject()
	_ = m.skipMarker.Set("message", "test skipped by this.skip()")
	ctx := vm.NewObject()
	_ = ctx.Set("timeout", func(call goja.FunctionCall) goja.Value {
		if m.cur == nil {
			return call.This
		}
		if len(call.Arguments) == 0 {
			return vm.ToValue(m.cur.timeout.Milliseconds())
		}
		m.cur.timeout = durationArg(vm, "this.timeout", call.Argument(0))
		// Like mocha, a new timeout restarts the clock from now.
		select {
		case m.retime <- retimeMsg{m.cur.token, m.cur.timeout}:
		default:
		}
		return call.This
	})
	_ = ctx.Set("skip", func(goja.FunctionCall) goja.Value {
		panic(vm.ToValue(m.skipMarker))
	})
	_ = ctx.Set("slow", func(call goja.FunctionCall) goja.Value { return call.This })
	_ = ctx.Set("retries", func(call goja.FunctionCall) goja.Value { return call.This })
	// currentTest / test describe the runnable for hooks that log it.
	_ = ctx.DefineAccessorProperty("currentTest", vm.ToValue(func(goja.FunctionCall) goja.Value {
		return m.describeCurrent(vm)
	}), nil, goja.FLAG_FALSE, goja.FLAG_TRUE)
	_ = ctx.DefineAccessorProperty("test", vm.ToValue(func(goja.FunctionCall) goja.Value {
		return m.describeCurrent(vm)
	}), nil, goja.FLAG_FALSE, goja.FLAG_TRUE)
	return ctx
}

func (m *contextMethods) describeCurrent(vm *goja.Runtime) goja.Value {
	if m.cur == nil {
		return goja.Undefined()
	}
	o := vm.NewObject()
	title, full := m.cur.title, m.cur.title
	if m.cur.test != nil {
		title, full = m.cur.test.Title, m.cur.test.FullTitle()
	}
	_ = o.Set("title", title)
	_ = o.Set("fullTitle", func(goja.FunctionCall) goja.Value { return vm.ToValue(full) })
	return o
}
