package testrunner

import (
	"fmt"
	"time"

	"github.com/dop251/goja"
)

// collector installs the mocha BDD globals in a VM and records the suite
// tree while the test file loads. Loop goroutine only.
type collector struct {
	vm      *goja.Runtime
	file    string
	root    *Suite
	cur     *Suite
	loading bool
	ctx     *contextMethods // behaviour of `this` in hooks and tests
}

func newCollector(vm *goja.Runtime, file string, cm *contextMethods) *collector {
	c := &collector{vm: vm, file: file, root: newSuite("", file, nil), loading: true, ctx: cm}
	c.root.ctx = cm.newRootContext(vm)
	c.cur = c.root
	return c
}

func (c *collector) throwType(format string, args ...any) {
	panic(c.vm.NewTypeError(fmt.Sprintf(format, args...)))
}

// install defines describe/context/it/specify and the hooks, with .only and
// .skip variants and the x-prefixed aliases mocha offers.
func (c *collector) install() error {
	vm := c.vm
	describe := c.suiteFunc("describe", false, false)
	it := c.testFunc("it", false, false)
	defs := map[string]func(goja.FunctionCall) goja.Value{
		"describe": describe, "context": c.suiteFunc("context", false, false),
		"it": it, "specify": c.testFunc("specify", false, false),
		"xdescribe": c.suiteFunc("xdescribe", false, true), "xcontext": c.suiteFunc("xcontext", false, true),
		"xit": c.testFunc("xit", false, true), "xspecify": c.testFunc("xspecify", false, true),
		"before": c.hookFunc("before", "before all"), "after": c.hookFunc("after", "after all"),
		"beforeEach": c.hookFunc("beforeEach", "before each"), "afterEach": c.hookFunc("afterEach", "after each"),
	}
	for name, fn := range defs {
		obj := vm.ToValue(fn).ToObject(vm)
		switch name {
		case "describe", "context":
			_ = obj.Set("only", c.suiteFunc(name+".only", true, false))
			_ = obj.Set("skip", c.suiteFunc(name+".skip", false, true))
		case "it", "specify":
			_ = obj.Set("only", c.testFunc(name+".only", true, false))
			_ = obj.Set("skip", c.testFunc(name+".skip", false, true))
		}
		if err := vm.Set(name, obj); err != nil {
			return err
		}
	}
	return c.wrapTimers()
}

// timerWrapper replaces the timer functions with versions whose callbacks
// hand an exception to the runner (report returns true) instead of letting
// it end the event loop's run, much as mocha listens to 'uncaughtException'.
const timerWrapper = `(function (report) {
  function wrap(orig) {
    return function (fn) {
      if (typeof fn !== 'function') return orig.apply(this, arguments);
      var args = Array.prototype.slice.call(arguments);
      args[0] = function () {
        try { return fn.apply(this, arguments); } catch (e) { if (!report(e)) throw e; }
      };
      return orig.apply(this, args);
    };
  }
  ['setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask'].forEach(function (name) {
    if (typeof globalThis[name] === 'function') globalThis[name] = wrap(globalThis[name]);
  });
})`

func (c *collector) wrapTimers() error {
	v, err := c.vm.RunString(timerWrapper)
	if err != nil {
		return err
	}
	install, _ := goja.AssertFunction(v)
	report := func(call goja.FunctionCall) goja.Value {
		if c.ctx.charge == nil || c.loading {
			return c.vm.ToValue(false) // while loading, a throw fails the file
		}
		c.ctx.charge(c.vm, call.Argument(0))
		return c.vm.ToValue(true)
	}
	_, err = install(goja.Undefined(), c.vm.ToValue(report))
	return err
}

func (c *collector) checkLoading(name string) {
	if !c.loading {
		panic(c.vm.NewGoError(fmt.Errorf("%s() was called while tests are running; define suites and tests when the file loads", name)))
	}
}

func (c *collector) titleArg(name string, call goja.FunctionCall) string {
	v := call.Argument(0)
	if s, ok := v.Export().(string); ok {
		return s
	}
	c.throwType("%s: argument 'title' must be a string", name)
	return ""
}

// fnArg returns the callback argument, nil when absent; anything else but a
// function is a TypeError.
func (c *collector) fnArg(name string, v goja.Value) goja.Value {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return nil
	}
	if _, ok := goja.AssertFunction(v); !ok {
		c.throwType("%s: argument 'fn' must be a function", name)
	}
	return v
}

func (c *collector) suiteFunc(name string, only, skip bool) func(goja.FunctionCall) goja.Value {
	return func(call goja.FunctionCall) goja.Value {
		c.checkLoading(name)
		title := c.titleArg(name, call)
		fn := c.fnArg(name, call.Argument(1))
		if fn == nil {
			c.throwType("%s: suite %q has no callback (argument 'fn' must be a function)", name, title)
		}
		s := newSuite(title, c.file, c.cur)
		s.only, s.skip = only, skip
		s.ctx = c.vm.CreateObject(c.cur.ctx)
		c.cur.Suites = append(c.cur.Suites, s)
		parent := c.cur
		c.cur = s
		defer func() { c.cur = parent }()
		// `this` in the body is also what describe() returns: one object.
		this := c.settings(s.Title, &s.timeout, &s.retries, func() time.Duration {
			return effectiveTimeout(s.timeout, s.Parent, c.ctx.defaultTimeout)
		})
		callable, _ := goja.AssertFunction(fn)
		if _, err := callable(this); err != nil {
			panic(err) // rethrow: a broken describe body fails the file load
		}
		return this
	}
}

// settings is the chainable object of a suite (`this` in its describe body)
// or of a test (what it() returns, for it('x', fn).timeout(500)):
// timeout(ms) and retries(n) set *timeout and *retries for everything it
// covers, slow() is accepted and ignored. With current set, timeout() without
// an argument answers the timeout in force.
func (c *collector) settings(title string, timeout *time.Duration, retries *int, current func() time.Duration) *goja.Object {
	vm := c.vm
	o := vm.NewObject()
	_ = o.Set("title", title)
	_ = o.Set("timeout", func(call goja.FunctionCall) goja.Value {
		if current != nil && len(call.Arguments) == 0 {
			return vm.ToValue(current().Milliseconds())
		}
		*timeout = c.durationArg("timeout", call.Argument(0))
		return o
	})
	_ = o.Set("retries", func(call goja.FunctionCall) goja.Value {
		*retries = int(c.intArg("retries", call.Argument(0)))
		return o
	})
	_ = o.Set("slow", func(goja.FunctionCall) goja.Value { return o })
	return o
}

func (c *collector) testFunc(name string, only, skip bool) func(goja.FunctionCall) goja.Value {
	return func(call goja.FunctionCall) goja.Value {
		c.checkLoading(name)
		title := c.titleArg(name, call)
		t := &Test{Title: title, Parent: c.cur, fn: c.fnArg(name, call.Argument(1)), only: only, skip: skip, timeout: -1, retries: -1}
		c.cur.Tests = append(c.cur.Tests, t)
		return c.settings(title, &t.timeout, &t.retries, nil)
	}
}

// hookFunc accepts hook(fn) and hook(title, fn).
func (c *collector) hookFunc(name, kind string) func(goja.FunctionCall) goja.Value {
	return func(call goja.FunctionCall) goja.Value {
		c.checkLoading(name)
		title, fnV := "", call.Argument(0)
		if s, ok := fnV.Export().(string); ok {
			title, fnV = s, call.Argument(1)
		}
		fn := c.fnArg(name, fnV)
		if fn == nil {
			c.throwType("%s: argument 'fn' must be a function", name)
		}
		h := &Hook{kind: kind, title: title, Parent: c.cur, fn: fn, timeout: -1}
		switch kind {
		case "before all":
			c.cur.before = append(c.cur.before, h)
		case "after all":
			c.cur.after = append(c.cur.after, h)
		case "before each":
			c.cur.beforeEach = append(c.cur.beforeEach, h)
		default:
			c.cur.afterEach = append(c.cur.afterEach, h)
		}
		return goja.Undefined()
	}
}

func (c *collector) intArg(name string, v goja.Value) int64 {
	n, ok := numberArg(v)
	if !ok || n < 0 {
		c.throwType("%s: argument 'n' must be a non-negative number", name)
	}
	return int64(n)
}

// durationArg reads a timeout in milliseconds (a number or a numeric
// string); 0 disables the timeout as in mocha.
func (c *collector) durationArg(name string, v goja.Value) time.Duration {
	return durationArg(c.vm, name, v)
}

func durationArg(vm *goja.Runtime, name string, v goja.Value) time.Duration {
	n, ok := numberArg(v)
	if !ok || n < 0 {
		panic(vm.NewTypeError(fmt.Sprintf("%s: argument 'ms' must be a non-negative number of milliseconds", name)))
	}
	// mocha caps huge values (e.g. Infinity) at "no timeout".
	if n >= float64(1<<31-1) {
		return 0
	}
	return time.Duration(n * float64(time.Millisecond))
}

func numberArg(v goja.Value) (float64, bool) {
	switch x := v.Export().(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, x == x // NaN is not a number here
	case string:
		var f float64
		if _, err := fmt.Sscan(x, &f); err == nil {
			return f, true
		}
	}
	return 0, false
}
