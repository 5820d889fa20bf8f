package urlsession

import (
	"context"
	"net/http/httptrace"
	"sync"
	"testing"
	"time"
)

// causeRecorder stands in for a task context's cancel function.
type causeRecorder struct {
	mu     sync.Mutex
	causes []error
	fired  chan struct{}
}

func newCauseRecorder() *causeRecorder { return &causeRecorder{fired: make(chan struct{}, 8)} }

func (c *causeRecorder) cancel(err error) {
	c.mu.Lock()
	c.causes = append(c.causes, err)
	c.mu.Unlock()
	c.fired <- struct{}{}
}

func (c *causeRecorder) got() []error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]error(nil), c.causes...)
}

var _ context.CancelCauseFunc = newCauseRecorder().cancel

func runningTask() *Task { return &Task{state: StateRunning} }

// The worker's timer stays pending for the first task's long timeout; a second task
// with a short resource timeout must still get its deadline on time, and the first
// task, already ended, must never be cancelled.
func TestReusedTimersServeAShorterDeadlineOfTheNextTask(t *testing.T) {
	tm := newTaskTimers()
	defer tm.close()
	first, second := newCauseRecorder(), newCauseRecorder()

	tm.begin(runningTask(), time.Hour, time.Hour, first.cancel)
	tm.startResource()
	tm.arm()
	tm.end()

	began := time.Now()
	tm.begin(runningTask(), time.Hour, 100*time.Millisecond, second.cancel)
	tm.startResource()
	tm.arm()
	select {
	case <-second.fired:
	case <-time.After(10 * time.Second):
		t.Fatal("the second task's resource timeout never fired")
	}
	if took := time.Since(began); took < 100*time.Millisecond {
		t.Errorf("resource timeout fired after %v, before its 100ms", took)
	}
	if got := second.got(); len(got) != 1 || got[0] != errResourceTimeout {
		t.Errorf("second task causes = %v, want [resource timeout]", got)
	}
	tm.end()
	if got := first.got(); len(got) != 0 {
		t.Errorf("the ended first task was cancelled: %v", got)
	}
}

// Activity keeps the idle timeout away; silence then triggers it, measured from the
// last activity.
func TestIdleTimeoutRestartsOnActivityAndFiresAfterSilence(t *testing.T) {
	tm := newTaskTimers()
	defer tm.close()
	rec := newCauseRecorder()
	tm.begin(runningTask(), 150*time.Millisecond, time.Hour, rec.cancel)
	defer tm.end()
	tm.startResource()
	tm.arm()
	for i := 0; i < 10; i++ { // 500 ms of activity, far beyond one idle period
		time.Sleep(50 * time.Millisecond)
		tm.touch()
	}
	if got := rec.got(); len(got) != 0 {
		// Only a machine stalled for over 100 ms between touches gets here.
		t.Logf("idle timeout fired during activity (stalled machine?): %v", got)
		return
	}
	lastTouch := time.Now()
	select {
	case <-rec.fired:
	case <-time.After(10 * time.Second):
		t.Fatal("idle timeout never fired after activity stopped")
	}
	if quiet := time.Since(lastTouch); quiet < 150*time.Millisecond {
		t.Errorf("idle timeout fired %v after the last activity, before its 150ms", quiet)
	}
	if got := rec.got(); len(got) != 1 || got[0] != errIdleTimeout {
		t.Errorf("causes = %v, want [idle timeout]", got)
	}
}

// A task that ended is never cancelled by its timer, even with its deadline passed,
// and a request body read that outlives its task does not count for the next one.
func TestEndedTaskIsLeftAloneAndStaleBodyReadsDoNotCount(t *testing.T) {
	tm := newTaskTimers()
	defer tm.close()
	rec := newCauseRecorder()
	gen := tm.begin(runningTask(), 50*time.Millisecond, 50*time.Millisecond, rec.cancel)
	tm.startResource()
	tm.arm()
	tm.end()
	time.Sleep(300 * time.Millisecond)
	if got := rec.got(); len(got) != 0 {
		t.Errorf("an ended task was cancelled: %v", got)
	}

	next := newCauseRecorder()
	tm.begin(runningTask(), time.Hour, time.Hour, next.cancel)
	defer tm.end()
	before := tm.last.Load()
	time.Sleep(5 * time.Millisecond)
	tm.touchFor(gen) // the previous task's body reader
	if tm.last.Load() != before {
		t.Error("a stale body read counted as activity of the next task")
	}
}

// A worker reuses its request context while nothing cancels it. A late Cancel of a
// task that already ended must not reach the context that now serves the next task,
// and a context that was cancelled is replaced.
func TestWorkerContextIsReusedUntilCancelled(t *testing.T) {
	tm := newTaskTimers()
	defer tm.close()
	first := runningTask()
	ctx1, cancel1 := tm.taskContext()
	tm.begin(first, time.Hour, time.Hour, cancel1)
	tm.end()
	tm.cancelTask(first, errCancelled) // arrives after the task ended

	ctx2, cancel2 := tm.taskContext()
	if ctx2 != ctx1 {
		t.Error("an uncancelled context was not reused")
	}
	if ctx2.Err() != nil {
		t.Fatal("a late Cancel of an ended task cancelled the worker's context")
	}
	second := runningTask()
	tm.begin(second, time.Hour, time.Hour, cancel2)
	tm.cancelTask(first, errCancelled) // the ended task again, now that another runs
	if ctx2.Err() != nil {
		t.Fatal("a Cancel of an ended task cancelled the task running after it")
	}
	tm.cancelTask(second, errCancelled)
	if got := context.Cause(ctx2); got != errCancelled {
		t.Errorf("cause = %v, want the cancel", got)
	}
	tm.end()

	ctx3, _ := tm.taskContext()
	if ctx3 == ctx2 || ctx3.Err() != nil {
		t.Error("a cancelled context was handed to the next task")
	}
	if httptrace.ContextClientTrace(ctx3) == nil {
		t.Error("the new context lost the connection trace")
	}
}
