package proxy

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dop251/goja"
	"go.uber.org/goleak"

	"github.com/tirun/tirun/internal/testkit"
	"github.com/tirun/tirun/runtime/loop"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fixture: globals child (apiName 'Test.Child') whose parent is parent ('Test.Parent'), and
// assert(cond, msg) / assertThrows(fn, ctor, msgPrefix) helpers.
type fixture struct {
	vm            *goja.Runtime
	l             *loop.Loop
	parent, child *Proxy
}

const helpers = `
function assert(c, msg) { if (!c) throw new Error('assertion failed: ' + msg); }
function assertThrows(fn, ctor, prefix) {
	try { fn(); } catch (e) {
		assert(e instanceof ctor, 'wrong error type: ' + e);
		assert(String(e.message).indexOf(prefix) === 0, 'message ' + JSON.stringify(e.message) + ' does not start with ' + JSON.stringify(prefix));
		return;
	}
	throw new Error('expected a throw starting with ' + prefix);
}
`

func newFixture(t *testing.T) *fixture {
	t.Helper()
	vm := goja.New()
	f := &fixture{vm: vm, l: loop.New(vm)}
	f.parent = New(vm, f.l, "Test.Parent")
	f.child = New(vm, f.l, "Test.Child")
	f.child.SetParent(f.parent)
	vm.Set("parent", f.parent.Object())
	vm.Set("child", f.child.Object())
	if _, err := vm.RunString(helpers); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) run(t *testing.T, name, src string) error {
	t.Helper()
	ctx := testkit.Context(t)
	return f.l.Run(ctx, func(vm *goja.Runtime) error {
		_, err := vm.RunScript(name, src)
		return err
	})
}

func (f *fixture) mustRun(t *testing.T, src string) {
	t.Helper()
	if err := f.run(t, t.Name()+".js", src); err != nil {
		t.Fatal(err)
	}
}

func TestAPINameIsReadOnly(t *testing.T) {
	f := newFixture(t)
	if f.child.APIName() != "Test.Child" {
		t.Fatal(f.child.APIName())
	}
	f.mustRun(t, `
		assert(child.apiName === 'Test.Child', 'value');
		var d = Object.getOwnPropertyDescriptor(child, 'apiName');
		assert(d && d.writable === false, 'descriptor must be writable:false');
		child.apiName = 'x'; // sloppy mode: ignored
		assert(child.apiName === 'Test.Child', 'sloppy assignment must be ignored');
		assertThrows(function () { 'use strict'; child.apiName = 'x'; }, TypeError, '');
		assert(String(child) === '[object Test.Child]', 'toString');
	`)
}

func TestBubbleParentDefaultsTrueAndCoerces(t *testing.T) {
	f := newFixture(t)
	f.mustRun(t, `
		assert(child.bubbleParent === true, 'default');
		child.bubbleParent = 0; assert(child.bubbleParent === false, '0 -> false');
		child.bubbleParent = 'yes'; assert(child.bubbleParent === true, 'string -> true');
		child.bubbleParent = null; assert(child.bubbleParent === false, 'null -> false');
		child.applyProperties({ bubbleParent: 1 }); assert(child.bubbleParent === true, 'applyProperties 1 -> true');
		assert(parent.bubbleParent === true, 'per proxy state');
	`)
	if !f.child.BubbleParent() {
		t.Fatal("Go view of bubbleParent out of sync")
	}
}

func TestListenerArgumentValidation(t *testing.T) {
	f := newFixture(t)
	f.mustRun(t, `
		assertThrows(function () { child.addEventListener('x', 'nope'); }, TypeError, "addEventListener: argument 'callback' must be a function");
		assertThrows(function () { child.addEventListener(42, function () {}); }, TypeError, "addEventListener: argument 'name' must be a string");
		assertThrows(function () { child.removeEventListener('x'); }, TypeError, "removeEventListener: argument 'callback' must be a function");
		assertThrows(function () { child.fireEvent({}); }, TypeError, "fireEvent: argument 'name' must be a string");
		assertThrows(function () { child.fireEvent('x', 5); }, TypeError, "fireEvent: argument 'event' must be an object");
		assertThrows(function () { child.addEventListener.call({}, 'x', function () {}); }, TypeError, 'addEventListener: called on an object that is not a Titanium proxy');
	`)
}

func TestSameListenerTwiceRegistersOnce(t *testing.T) {
	f := newFixture(t)
	f.mustRun(t, `
		var n = 0; function l() { n++; }
		child.addEventListener('ping', l); child.addEventListener('ping', l);
		child.fireEvent('ping');
		assert(n === 1, 'called ' + n + ' times');
		child.removeEventListener('ping', l);
		child.fireEvent('ping');
		assert(n === 1, 'one removal must remove it');
	`)
}

func TestListenerRemovedDuringDispatchIsSkipped(t *testing.T) {
	f := newFixture(t)
	f.mustRun(t, `
		var calls = [];
		function a() { calls.push('a'); child.removeEventListener('ev', b); child.addEventListener('ev', c); }
		function b() { calls.push('b'); }
		function c() { calls.push('c'); }
		child.addEventListener('ev', a); child.addEventListener('ev', b);
		child.fireEvent('ev');
		assert(calls.join() === 'a', 'first dispatch: ' + calls.join());
		calls = []; child.fireEvent('ev');
		assert(calls.join() === 'a,c', 'second dispatch: ' + calls.join());
		// Self-removal does not disturb the others (TIMOB-25836).
		calls = [];
		function once() { calls.push('once'); child.removeEventListener('x', once); }
		child.addEventListener('x', once); child.addEventListener('x', b);
		child.fireEvent('x'); child.fireEvent('x');
		assert(calls.join() === 'once,b,b', 'self removal: ' + calls.join());
	`)
}

func TestRemovingUnknownListenerDoesNothing(t *testing.T) {
	f := newFixture(t)
	f.mustRun(t, `
		var n = 0; function l() { n++; }
		child.removeEventListener('never', function () {});
		child.addEventListener('e', l);
		child.removeEventListener('e', function () {});
		child.removeEventListener('other', l);
		child.fireEvent('e');
		assert(n === 1, 'listener must survive unrelated removals');
	`)
}

func TestFireEventIsSynchronousWithEventFields(t *testing.T) {
	f := newFixture(t)
	f.mustRun(t, `
		var seen = null, self = null;
		var dict = { a: 1, type: 'spoofed' };
		child.addEventListener('hello', function (e) { seen = e; self = this; });
		child.fireEvent('hello', dict);
		assert(seen !== null, 'must be synchronous');
		assert(self === child, 'this must be the proxy');
		assert(seen.a === 1 && seen.type === 'hello' && seen.source === child, 'fields');
		assert(seen.bubbles === true && seen.cancelBubble === false, 'defaults');
		assert(dict.type === 'spoofed' && dict.source === undefined, 'caller dict untouched');
		assert(child.fireEvent('nobody') === undefined, 'no listeners: no-op');
	`)
}

func TestEventsBubbleToParent(t *testing.T) {
	f := newFixture(t)
	f.mustRun(t, `
		var log = [], childEvent, parentEvent, parentThis;
		child.addEventListener('tap', function (e) { log.push('child'); childEvent = e; });
		parent.addEventListener('tap', function (e) { log.push('parent'); parentEvent = e; parentThis = this; });
		child.fireEvent('tap', { x: 1 });
		assert(log.join() === 'child,parent', 'bubbled: ' + log.join());
		assert(parentEvent === childEvent, 'same event object');
		assert(parentEvent.source === child && parentThis === parent, 'source stays the original proxy, this is the receiver');

		log = []; child.fireEvent('tap', { bubbles: false });
		assert(log.join() === 'child', 'bubbles:false: ' + log.join());

		log = []; child.bubbleParent = false; child.fireEvent('tap');
		assert(log.join() === 'child', 'bubbleParent false: ' + log.join());
		child.bubbleParent = true;

		var stopper = function (e) { e.cancelBubble = true; };
		child.addEventListener('tap', stopper);
		log = []; child.fireEvent('tap');
		assert(log.join() === 'child', 'cancelBubble: ' + log.join());
		child.removeEventListener('tap', stopper);

		// No listener on the child: the parent still receives it.
		log = []; child.fireEvent('parentonly-none'); parent.addEventListener('p', function (e) { log.push(e.source.apiName); });
		child.fireEvent('p');
		assert(log.join() === 'Test.Child', 'bubble without child listener: ' + log.join());
	`)
	if !f.child.HasListeners("p") || f.child.HasListeners("zzz") {
		t.Fatal("HasListeners must see the parent's listener, and only that")
	}
}

func TestListenerExceptionPropagatesToFireEventCaller(t *testing.T) {
	f := newFixture(t)
	f.mustRun(t, `
		var after = false;
		child.addEventListener('bad', function () { throw new RangeError('listener failed'); });
		child.addEventListener('bad', function () { after = true; });
		assertThrows(function () { child.fireEvent('bad'); }, RangeError, 'listener failed');
		assert(after === false, 'dispatch must stop at the exception');
	`)
}

func TestApplyProperties(t *testing.T) {
	f := newFixture(t)
	var width int64
	f.child.Accessor("width", func() goja.Value { return f.vm.ToValue(width) }, func(v goja.Value) {
		if !goja.IsNumber(v) {
			ThrowTypeError(f.vm, "Test.Child.width: value must be a number")
		}
		width = v.ToInteger()
	})
	f.child.ReadOnly("size", func() goja.Value { return f.vm.ToValue(7) })
	f.child.CreationOnly("identifier", func() goja.Value { return f.vm.ToValue("id-1") })
	f.child.Constant("MAX", f.vm.ToValue(3))
	f.mustRun(t, `
		child.applyProperties({ custom: 'c', width: 42 });
		assert(child.custom === 'c' && child.width === 42, 'assigned');
		assertThrows(function () { child.applyProperties({ apiName: 'x' }); }, TypeError, "applyProperties: property 'apiName' is read-only");
		assertThrows(function () { child.applyProperties({ size: 1 }); }, TypeError, "applyProperties: property 'size' is read-only");
		assertThrows(function () { child.applyProperties({ identifier: 'z' }); }, TypeError, "applyProperties: property 'identifier' can only be set at creation");
		assertThrows(function () { child.applyProperties({ MAX: 9 }); }, TypeError, "applyProperties: property 'MAX' is read-only");
		assertThrows(function () { child.applyProperties({ width: 'wide' }); }, TypeError, 'Test.Child.width: value must be a number');
		assertThrows(function () { child.applyProperties('nope'); }, TypeError, "applyProperties: argument 'properties' must be an object");
		Object.defineProperty(child, 'frozen', { value: 1, writable: false });
		assertThrows(function () { child.applyProperties({ frozen: 2 }); }, TypeError, '');
		assert(child.size === 7 && child.identifier === 'id-1' && child.MAX === 3 && child.apiName === 'Test.Child', 'unchanged');
		child.size = 1; // sloppy: ignored
		assertThrows(function () { 'use strict'; child.size = 1; }, TypeError, '');
	`)
	if width != 42 {
		t.Fatalf("setter saw %d", width)
	}
}

func TestFireAsyncFromGoroutines(t *testing.T) {
	f := newFixture(t)
	const producers, each = 4, 250
	var wg sync.WaitGroup
	err := f.l.Run(testkit.Context(t), func(vm *goja.Runtime) error {
		if _, err := vm.RunString(`
			var got = 0, sum = 0, sources = true;
			parent.addEventListener('progress', function (e) {
				got++; sum += e.n;
				if (e.source !== child || e.type !== 'progress' || this !== parent) sources = false;
			});
		`); err != nil {
			return err
		}
		for p := 0; p < producers; p++ {
			h := f.l.Ref()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer h.Release()
				for i := 1; i <= each; i++ {
					f.child.FireAsync(h, "progress", func(vm *goja.Runtime) *goja.Object {
						o := vm.NewObject()
						o.Set("n", i)
						return o
					})
				}
			}()
		}
		return nil
	})
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	want := int64(producers * each * (each + 1) / 2)
	if got := f.vm.Get("got").ToInteger(); got != producers*each {
		t.Fatalf("got %d events", got)
	}
	if sum := f.vm.Get("sum").ToInteger(); sum != want {
		t.Fatalf("sum %d, want %d", sum, want)
	}
	if !f.vm.Get("sources").ToBoolean() {
		t.Fatal("async events must carry source/type/this like sync ones")
	}
}

func TestFireAsyncListenerExceptionIsUncaught(t *testing.T) {
	f := newFixture(t)
	err := f.l.Run(testkit.Context(t), func(vm *goja.Runtime) error {
		if _, err := vm.RunScript("async.js", "child.addEventListener('done', function () {\n  throw new Error('async listener');\n});"); err != nil {
			return err
		}
		h := f.l.Ref()
		go func() {
			f.child.FireAsync(h, "done", nil)
			h.Release()
		}()
		return nil
	})
	var ue *loop.UncaughtError
	if !errors.As(err, &ue) || ue.Message != "Error: async listener" || !strings.Contains(ue.Stack, "async.js:2:") {
		t.Fatalf("err = %v", err)
	}
}

func TestGoFireOutsideJSBecomesRunError(t *testing.T) {
	f := newFixture(t)
	err := f.l.Run(testkit.Context(t), func(vm *goja.Runtime) error {
		if _, err := vm.RunString("child.addEventListener('x', function () { throw new TypeError('from Fire'); });"); err != nil {
			return err
		}
		f.child.Fire("x", nil) // Go caller with no JS on the stack: panics with the exception
		return nil
	})
	var ue *loop.UncaughtError
	if !errors.As(err, &ue) || ue.Message != "TypeError: from Fire" {
		t.Fatalf("err = %v", err)
	}
}

func TestRemoveAllListenersAndFromValue(t *testing.T) {
	f := newFixture(t)
	f.vm.Set("removeAll", func(goja.FunctionCall) goja.Value { f.child.RemoveAllListeners(); return nil })
	f.vm.Set("isProxy", func(c goja.FunctionCall) goja.Value { _, ok := FromValue(c.Argument(0)); return f.vm.ToValue(ok) })
	f.mustRun(t, `
		var n = 0;
		child.addEventListener('a', function () { n++; removeAll(); });
		child.addEventListener('a', function () { n += 100; });
		child.fireEvent('a'); child.fireEvent('a');
		assert(n === 1, 'n = ' + n);
		assert(isProxy(child) && !isProxy({}) && !isProxy(Object.create(child)) && !isProxy(3), 'FromValue');
	`)
}

func TestThrowHelpers(t *testing.T) {
	f := newFixture(t)
	f.vm.Set("failPlain", func(goja.FunctionCall) goja.Value { ThrowError(f.vm, "Mod.fn: %s went wrong", "it"); return nil })
	f.vm.Set("failType", func(goja.FunctionCall) goja.Value {
		ThrowTypeError(f.vm, "Mod.fn: argument 'x' must be %d%%", 100)
		return nil
	})
	f.mustRun(t, `
		assertThrows(failPlain, Error, 'Mod.fn: it went wrong');
		assertThrows(failType, TypeError, "Mod.fn: argument 'x' must be 100%");
	`)
}

func TestInterruptInsideSyncListener(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- f.l.Run(ctx, func(vm *goja.Runtime) error {
			_, err := vm.RunString(`
				child.addEventListener('spin', function () { while (true) {} });
				try { child.fireEvent('spin'); } catch (e) { /* an interrupt must not be catchable */ }
				throw new Error('unreachable');
			`)
			return err
		})
	}()
	select {
	case err := <-done:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want context.DeadlineExceeded", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("listener loop was not interrupted")
	}
	// The VM is still usable afterwards.
	f.mustRun(t, `var n = 0; child.addEventListener('ok', function () { n++; }); child.fireEvent('ok'); assert(n === 1, 'n');`)
}
