package loop

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
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// newTestLoop returns a loop whose VM has record(x) appending String(x) to the returned log.
func newTestLoop(t *testing.T) (*Loop, *[]string) {
	t.Helper()
	vm := goja.New()
	l := New(vm)
	var log []string
	if err := vm.Set("record", func(call goja.FunctionCall) goja.Value {
		log = append(log, call.Argument(0).String())
		return goja.Undefined()
	}); err != nil {
		t.Fatal(err)
	}
	return l, &log
}

func script(name, src string) func(vm *goja.Runtime) error {
	return func(vm *goja.Runtime) error {
		_, err := vm.RunScript(name, src)
		return err
	}
}

func runScript(t *testing.T, l *Loop, name, src string) error {
	t.Helper()
	ctx := testkit.Context(t)
	return l.Run(ctx, script(name, src))
}

func TestTimersRunByDueTimeThenCreationOrder(t *testing.T) {
	l, log := newTestLoop(t)
	err := runScript(t, l, "order.js", `
		setTimeout(function (x) { record('t20' + x); }, 20, '!');
		setTimeout(function () { record('t5a'); }, 5);
		setTimeout(function () { record('t5b'); }, 5);
		setImmediate(function (a, b) { record('imm' + a + b); }, 1, 2);
		Promise.resolve().then(function () { record('promise'); });
		queueMicrotask(function () { record('micro'); });
		record('sync');
	`)
	if err != nil {
		t.Fatal(err)
	}
	want := "sync promise micro imm12 t5a t5b t20!"
	if got := strings.Join(*log, " "); got != want {
		t.Fatalf("order = %q, want %q", got, want)
	}
}

func TestPromiseJobsRunAfterEachMacrotask(t *testing.T) {
	l, log := newTestLoop(t)
	err := runScript(t, l, "promises.js", `
		setTimeout(function () {
			record('t1');
			Promise.resolve().then(function () { record('p1'); }).then(function () { record('p2'); });
		}, 0);
		setTimeout(function () { record('t2'); }, 0);
	`)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(*log, " "); got != "t1 p1 p2 t2" {
		t.Fatalf("order = %q", got)
	}
}

func TestIntervalAndClear(t *testing.T) {
	l, log := newTestLoop(t)
	err := runScript(t, l, "interval.js", `
		var n = 0;
		var cancelled = setTimeout(function () { record('never'); }, 1);
		clearTimeout(cancelled);
		var imm = setImmediate(function () { record('never-imm'); });
		clearImmediate(imm);
		clearTimeout(undefined); clearInterval('nope'); clearImmediate(12345);
		var id = setInterval(function () {
			n++; record('tick' + n);
			if (n === 3) clearInterval(id);
		}, 2);
		if (typeof id !== 'number' || id <= 0) throw new Error('ids must be positive numbers, got ' + id);
	`)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(*log, " "); got != "tick1 tick2 tick3" {
		t.Fatalf("log = %q", got)
	}
}

func TestTimerArgumentValidation(t *testing.T) {
	l, log := newTestLoop(t)
	err := runScript(t, l, "args.js", `
		['setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask'].forEach(function (name) {
			try { globalThis[name]('not a function'); record('no throw'); }
			catch (e) { record(e instanceof TypeError && e.message.indexOf(name + ": argument 'callback'") === 0); }
		});
	`)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(*log, " "); got != "true true true true" {
		t.Fatalf("log = %q", got)
	}
}

func TestRefHeldByGoroutineKeepsLoopAlive(t *testing.T) {
	l, log := newTestLoop(t)
	var wg sync.WaitGroup
	err := l.Run(testkit.Context(t), func(vm *goja.Runtime) error {
		h := l.Ref() // synchronously, on the loop, before the goroutine starts
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(50 * time.Millisecond)
			h.Post(func(vm *goja.Runtime) error { _, err := vm.RunString("record('progress')"); return err })
			if !h.PostAndRelease(func(vm *goja.Runtime) error { _, err := vm.RunString("record('done')"); return err }) {
				t.Error("PostAndRelease on a live loop returned false")
			}
		}()
		return nil
	})
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(*log, " "); got != "progress done" {
		t.Fatalf("log = %q", got)
	}
}

func TestUncaughtExceptionInTimerIsReportedWithFileLine(t *testing.T) {
	l, log := newTestLoop(t)
	err := runScript(t, l, "boom.js", "setTimeout(function tick() {\n  record('before');\n  throw new Error('boom');\n}, 1);\nsetTimeout(function () { record('after'); }, 30);\n")
	var ue *UncaughtError
	if !errors.As(err, &ue) {
		t.Fatalf("err = %v (%T), want *UncaughtError", err, err)
	}
	if ue.Message != "Error: boom" || !strings.Contains(ue.Stack, "boom.js:3:") || ue.InPromise {
		t.Fatalf("report = %+v", ue)
	}
	if !strings.Contains(err.Error(), "tick (boom.js:3:") {
		t.Fatalf("Error() = %q", err.Error())
	}
	if strings.Join(*log, " ") != "before" {
		t.Fatalf("the run must end at the first uncaught error, log = %q", *log)
	}
}

func TestUnhandledRejectionIsReported(t *testing.T) {
	l, _ := newTestLoop(t)
	err := runScript(t, l, "reject.js", "// line 1\nPromise.reject(new RangeError('nope'));\n")
	var ue *UncaughtError
	if !errors.As(err, &ue) || !ue.InPromise {
		t.Fatalf("err = %v, want unhandled rejection", err)
	}
	if ue.Message != "RangeError: nope" || !strings.Contains(ue.Stack, "reject.js:2:") {
		t.Fatalf("report = %+v", ue)
	}
	if !strings.HasPrefix(err.Error(), "Uncaught (in promise) RangeError: nope") {
		t.Fatalf("Error() = %q", err.Error())
	}
}

func TestRejectionHandledInSameTurnIsNotReported(t *testing.T) {
	l, log := newTestLoop(t)
	err := runScript(t, l, "handled.js", `
		var p = Promise.reject(new Error('late'));
		Promise.resolve().then(function () { p.catch(function (e) { record('caught ' + e.message); }); });
		(async function () { try { await Promise.reject(1); } catch (e) { record('awaited'); } })();
	`)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(*log, " "); got != "awaited caught late" {
		t.Fatalf("log = %q", got)
	}
}

func TestThrowInMicrotaskIsUncaught(t *testing.T) {
	l, _ := newTestLoop(t)
	err := runScript(t, l, "micro.js", "queueMicrotask(function () {\n  throw new Error('micro boom');\n});")
	var ue *UncaughtError
	if !errors.As(err, &ue) || ue.InPromise || ue.Message != "Error: micro boom" || !strings.Contains(ue.Stack, "micro.js:2:") {
		t.Fatalf("err = %#v", err)
	}
}

func TestContextCancelStopsBusyScript(t *testing.T) {
	l, _ := newTestLoop(t)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- l.Run(ctx, script("busy.js", "while (true) {}")) }()
	select {
	case err := <-done:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want context.DeadlineExceeded", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("while(true){} was not interrupted")
	}
	if l.Context().Err() == nil {
		t.Fatal("Loop.Context() must be cancelled when Run ends")
	}
	// The VM is usable again afterwards (the interrupt flag was cleared).
	if err := runScript(t, l, "again.js", "1+1"); err != nil {
		t.Fatalf("second run: %v", err)
	}
}

func TestContextCancelWhileWaitingOnRef(t *testing.T) {
	l, _ := newTestLoop(t)
	ctx, cancel := context.WithCancel(context.Background())
	var h *Handle
	var workCtx context.Context
	stopped := make(chan struct{})
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	err := l.Run(ctx, func(vm *goja.Runtime) error {
		h = l.Ref()
		workCtx = l.Context()
		go func() { <-workCtx.Done(); close(stopped) }() // native work observing cancellation
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		t.Fatal("native work was not cancelled")
	}
	if h.Post(func(*goja.Runtime) error { return nil }) {
		t.Fatal("Post after a cancelled run must return false")
	}
	h.Release() // harmless
}

func TestJobErrorEndsRun(t *testing.T) {
	l, _ := newTestLoop(t)
	sentinel := errors.New("native failure")
	err := l.Run(testkit.Context(t), func(vm *goja.Runtime) error {
		l.RunOnLoop(func(*goja.Runtime) error { return sentinel })
		return nil
	})
	if !errors.Is(err, sentinel) {
		t.Fatalf("err = %v", err)
	}
}

func TestGoPanicBecomesError(t *testing.T) {
	l, _ := newTestLoop(t)
	l.VM().Set("crash", func(goja.FunctionCall) goja.Value {
		var m map[string]int
		m["x"] = 1 // nil map write: a real Go bug
		return nil
	})
	err := runScript(t, l, "panic.js", "setTimeout(function () { crash(); }, 1);")
	var pe *PanicError
	if !errors.As(err, &pe) || !strings.Contains(pe.Error(), "nil map") {
		t.Fatalf("err = %v (%T)", err, err)
	}
	// Direct panic in a Go job too.
	err = l.Run(testkit.Context(t), func(*goja.Runtime) error { panic("plain") })
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v", err)
	}
}

func TestCloseInvalidatesHandles(t *testing.T) {
	l, _ := newTestLoop(t)
	h := l.Ref()
	l.Close()
	if h.Post(func(*goja.Runtime) error { return nil }) || l.RunOnLoop(func(*goja.Runtime) error { return nil }) {
		t.Fatal("Post/RunOnLoop after Close must return false")
	}
	if err := l.Run(testkit.Context(t), nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("Run after Close = %v", err)
	}
}

func TestCloseInterruptsRun(t *testing.T) {
	l, _ := newTestLoop(t)
	done := make(chan error, 1)
	go func() { done <- l.Run(testkit.Context(t), script("busy.js", "while (true) {}")) }()
	time.Sleep(20 * time.Millisecond)
	l.Close()
	select {
	case err := <-done:
		if !errors.Is(err, ErrClosed) {
			t.Fatalf("err = %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not stop the run")
	}
}

func TestManyConcurrentPosters(t *testing.T) {
	l, _ := newTestLoop(t)
	const workers, each = 8, 500
	count := 0
	err := l.Run(testkit.Context(t), func(vm *goja.Runtime) error {
		for w := 0; w < workers; w++ {
			h := l.Ref()
			go func() {
				for i := 0; i < each; i++ {
					h.Post(func(*goja.Runtime) error { count++; return nil })
				}
				h.Release()
			}()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if count != workers*each {
		t.Fatalf("count = %d, want %d", count, workers*each)
	}
}

func TestUncaughtHandlerKeepsTheLoopRunning(t *testing.T) {
	l, log := newTestLoop(t)
	var seen []string
	l.SetUncaughtHandler(func(ue *UncaughtError) bool {
		seen = append(seen, ue.Message)
		return !strings.Contains(ue.Message, "fatal")
	})
	// A timer exception and an unhandled rejection are handled; the later timer still runs,
	// then an error the handler refuses ends the run.
	err := runScript(t, l, "handled.js", `
setTimeout(function () { throw new Error('first'); }, 1);
setTimeout(function () { Promise.reject(new TypeError('second')); }, 5);
setTimeout(function () { record('still running'); }, 20);
setTimeout(function () { throw new Error('fatal'); }, 40);
setTimeout(function () { record('never'); }, 80);
`)
	var ue *UncaughtError
	if !errors.As(err, &ue) || ue.Message != "Error: fatal" {
		t.Fatalf("err = %v, want the refused error to end the run", err)
	}
	if got := strings.Join(seen, "|"); got != "Error: first|TypeError: second|Error: fatal" {
		t.Fatalf("handler saw %q", got)
	}
	if got := strings.Join(*log, " "); got != "still running" {
		t.Fatalf("log = %q", got)
	}

	l.SetUncaughtHandler(nil)
	if err := runScript(t, l, "unhandled.js", "setTimeout(function () { throw new Error('x'); }, 1);"); err == nil {
		t.Fatal("without a handler an uncaught error must end the run")
	}
}
