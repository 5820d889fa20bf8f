package testrunner

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/dop251/goja"

	"github.com/tirun/tirun/runtime/loop"
)

// driver runs one test file's runnables on its event loop.
//
// Two goroutines cooperate. The caller's goroutine runs the loop (Run) while
// holding a Handle so the loop stays up between tests. A runner goroutine
// walks the suites with plain sequential code: it posts one runnable at a
// time to the loop and waits for its outcome, its timeout (a Go timer, so
// fake timers in JS cannot stop it) or an uncaught error.
//
// An exception in a timer callback is caught by the wrapped timer functions
// (see wrapTimers) and fails the runnable in progress at once. Other
// uncaught errors (an unhandled rejection, a throw in a listener of a native
// event) reach the loop's uncaught handler (chargeUncaught), which fails the
// runnable in progress the same way, so the timers and native handles other
// tests wait on survive. Should the loop's Run still end on an error, the
// driver charges it to the runnable in progress, takes a new handle and runs
// the loop again, so one broken test does not end the file.
type driver struct {
	lp *loop.Loop
	vm *goja.Runtime // only for Interrupt, which is safe from any goroutine
	cm *contextMethods

	results  chan outcome // loop -> runner
	uncaught chan error   // caller -> runner: the loop stopped with this error

	hmu sync.Mutex
	h   *loop.Handle

	runCtx context.Context // cancelled when the runner is done or the run is aborted
	cancel context.CancelFunc

	token uint64        // runner goroutine only
	grace time.Duration // how long a timed-out test may keep the loop busy

	omu     sync.Mutex
	orphans []*TestError // uncaught errors that arrived between runnables
}

// errAborted marks outcomes cut short by cancellation (Ctrl-C, test deadline).
var errAborted = errors.New("test run aborted")

func newDriver(lp *loop.Loop, vm *goja.Runtime, cm *contextMethods) *driver {
	d := &driver{lp: lp, vm: vm, cm: cm, results: make(chan outcome, 64), uncaught: make(chan error), grace: 2 * time.Second}
	cm.charge = d.chargeTimerError
	return d
}

// chargeTimerError fails the running runnable with an exception thrown by
// a timer callback, without ending the loop's run (which would drop every
// pending timer and native handle, as the loop does for real uncaught
// errors). Loop goroutine.
func (d *driver) chargeTimerError(vm *goja.Runtime, v goja.Value) {
	if v.SameAs(d.cm.skipMarker) && d.finishRunning(outcome{pending: true}) { // this.skip() from a timer
		return
	}
	te := errorFromValue(vm, v)
	te.Message = "Uncaught " + te.Message
	d.chargeError(te)
}

// chargeUncaught fails the running runnable with an unhandled rejection or an
// exception thrown outside a timer (e.g. in a listener of a native event),
// keeping the loop running. Loop goroutine.
func (d *driver) chargeUncaught(ue *loop.UncaughtError) bool {
	d.chargeError(errorFromLoop(ue))
	return true
}

// chargeError fails the running runnable with te, or keeps te as an orphan
// when no runnable is in progress. Loop goroutine.
func (d *driver) chargeError(te *TestError) {
	if !d.finishRunning(outcome{err: te}) {
		d.addOrphan(te)
	}
}

// finishRunning ends the runnable in progress with o; false when there is
// none. Loop goroutine.
func (d *driver) finishRunning(o outcome) bool {
	cur := d.cm.cur
	if cur == nil || cur.finished || cur.finish == nil {
		return false
	}
	cur.finish(o)
	return true
}

func (d *driver) addOrphan(e *TestError) {
	d.omu.Lock()
	d.orphans = append(d.orphans, e)
	d.omu.Unlock()
}

// deliver hands an outcome to the runner; loop goroutine. It never blocks
// once the runner is gone.
func (d *driver) deliver(o outcome) {
	select {
	case d.results <- o:
	case <-d.runCtx.Done():
	}
}

func (d *driver) handle() *loop.Handle {
	d.hmu.Lock()
	defer d.hmu.Unlock()
	return d.h
}

func (d *driver) setHandle(h *loop.Handle) {
	d.hmu.Lock()
	d.h = h
	d.hmu.Unlock()
}

// endGrace is how long the loop may keep running after the last runnable,
// so that an error thrown by a timer a test left behind is still reported.
// Like mocha --exit, whatever is still pending after it is cancelled.
const endGrace = 100 * time.Millisecond

// drive runs the loop until runner returns, restarting it after uncaught
// errors that a runnable was charged with. Errors no runnable could own are
// kept in orphans.
func (d *driver) drive(ctx context.Context, runner func()) {
	d.runCtx, d.cancel = context.WithCancel(ctx)
	defer d.cancel()
	d.lp.SetUncaughtHandler(d.chargeUncaught)
	defer d.lp.SetUncaughtHandler(nil)
	d.setHandle(d.lp.Ref())
	runnerDone := make(chan struct{})
	go func() {
		defer close(runnerDone)
		runner()
		d.handle().Release()
		time.AfterFunc(endGrace, d.cancel)
	}()
	for {
		err := d.lp.Run(d.runCtx, nil)
		if err == nil || d.runCtx.Err() != nil {
			<-runnerDone
			return
		}
		select {
		case <-runnerDone:
			d.addOrphan(errorFromLoop(err))
			return
		default:
		}
		d.setHandle(d.lp.Ref())
		select {
		case d.uncaught <- err:
		case <-runnerDone:
			d.handle().Release()
			d.addOrphan(errorFromLoop(err))
			return
		}
	}
}

// post queues job on the loop. When the loop has stopped on an uncaught
// error that arrived between runnables, the error is kept as an orphan and
// the job goes to the restarted loop.
func (d *driver) post(job func(vm *goja.Runtime) error) bool {
	for {
		if d.handle().Post(job) {
			return true
		}
		select {
		case err := <-d.uncaught:
			d.addOrphan(errorFromLoop(err))
		case <-d.runCtx.Done():
			return false
		}
	}
}

// takeOrphans returns and forgets the uncaught errors no runnable owned.
func (d *driver) takeOrphans() []*TestError {
	d.omu.Lock()
	defer d.omu.Unlock()
	o := d.orphans
	d.orphans = nil
	return o
}

// runStep runs fn (a hook or a test body) with `this` bound to ctx and
// waits for it to finish. timeout 0 means no timeout. Runner goroutine.
func (d *driver) runStep(title string, fn goja.Value, this *goja.Object, test *Test, timeout time.Duration) outcome {
	d.token++
	tok := d.token
	cur := &running{token: tok, title: title, timeout: timeout, test: test}
	if !d.post(func(vm *goja.Runtime) error {
		d.cm.cur = cur
		d.invoke(vm, fn, this, cur)
		return nil
	}) {
		return outcome{token: tok, err: &TestError{Name: "Error", Message: errAborted.Error()}}
	}
	var timer *time.Timer
	var expired <-chan time.Time
	arm := func(t time.Duration) {
		if timer != nil {
			timer.Stop()
		}
		expired = nil
		if t > 0 {
			timer = time.NewTimer(t)
			expired = timer.C
		}
	}
	arm(timeout)
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		select {
		case o := <-d.results:
			if o.token == tok {
				return o
			}
			// A late outcome of an earlier runnable that timed out: ignore.
		case m := <-d.cm.retime:
			if m.token == tok {
				timeout = m.timeout
				arm(timeout)
			}
		case err := <-d.uncaught:
			return outcome{token: tok, err: errorFromLoop(err)}
		case <-expired:
			msg := fmt.Sprintf("Timeout of %dms exceeded: %q did not finish in time (call done(), or return a promise that settles, or raise this.timeout())", timeout.Milliseconds(), title)
			if d.interruptIfBlocked() {
				msg = fmt.Sprintf("Timeout of %dms exceeded: %q kept the event loop busy and was interrupted", timeout.Milliseconds(), title)
			}
			return outcome{token: tok, err: &TestError{Name: "Error", Message: msg}}
		case <-d.runCtx.Done():
			return outcome{token: tok, err: &TestError{Name: "Error", Message: errAborted.Error()}}
		}
	}
}

var errBlocked = errors.New("interrupted: the test kept the event loop busy past its timeout")

// interruptIfBlocked checks that the loop still answers after a timeout. A
// test stuck in a synchronous loop (while (true) {}) would block every later
// test, so it is interrupted; the loop's Run then ends and is restarted.
func (d *driver) interruptIfBlocked() bool {
	ack := make(chan struct{})
	if !d.post(func(*goja.Runtime) error { close(ack); return nil }) {
		return false
	}
	t := time.NewTimer(d.grace)
	defer t.Stop()
	select {
	case <-ack:
		return false
	case <-d.uncaught:
		// The timed-out runnable also threw late; its timeout is the failure.
		return false
	case <-d.runCtx.Done():
		return false
	case <-t.C:
	}
	d.vm.Interrupt(errBlocked)
	// The interrupt surfaces either as the runnable's own failure (invoke
	// catches it) or, when it hit other code, as the end of Run.
	select {
	case <-d.results:
	case <-d.uncaught:
	case <-d.runCtx.Done():
	}
	return true
}
