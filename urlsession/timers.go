package urlsession

import (
	"context"
	"errors"
	"net/http/httptrace"
	"sync"
	"sync/atomic"
	"time"
)

// Causes given to a task's context; errmap turns them into URLError codes.
var (
	errCancelled       = errors.New("task cancelled")
	errIdleTimeout     = errors.New("no bytes moved within the request timeout")
	errResourceTimeout = errors.New("the resource timeout elapsed")
)

// taskTimers runs the two timeouts of the tasks one runner worker performs, one task
// at a time (begin ... end), on one timer. The resource timeout starts when the task
// first gets a host slot. The idle timeout starts when the request gets a connection
// (arm), restarts on every byte in either direction (touch), and does not count while
// the task is suspended or queued for a host slot.
//
// The timer is lazy, because for short requests arming and stopping a timer per task
// cost more than the request's own work: touch only stores a timestamp, the timer
// re-arms itself for whatever time is left when it fires, and it is moved only when
// it would fire too late for the current task. A firing that finds nothing due (the
// task moved bytes since, or ended) costs one check, every idle-timeout interval at
// most. The struct, its timer and its trace hook belong to the worker, so a task
// allocates none of them.
type taskTimers struct {
	base time.Time // fixed: every time below is a duration since base

	last   atomic.Int64  // nanoseconds since base of the last activity
	queued atomic.Bool   // waiting for a host slot
	reused atomic.Bool   // the current attempt got a pooled connection
	gen    atomic.Uint64 // changes at every begin and end; see touchFor
	// trace feeds connection events to the timers; built once per worker.
	trace httptrace.ClientTrace

	// The worker's request context (with trace), reused by task after task until one
	// is cancelled: a fresh cancellable context per task cost four allocations and,
	// because the transport derives its own per-request context from it, a
	// registration in the parent's child map. cancelTask keeps a late Cancel of an
	// ended task away from the next one. Touched only by the worker goroutine.
	ctx       context.Context
	ctxCancel context.CancelCauseFunc

	mu          sync.Mutex
	task        *Task // nil between tasks
	idle        time.Duration
	resource    time.Duration
	cancel      context.CancelCauseFunc
	timer       *time.Timer   // created at the first resource start, then reused
	fireAt      time.Duration // when the timer fires (since base); 0: not pending
	resStarted  bool
	resDeadline time.Duration // since base; valid once resStarted
	idleArmed   bool
}

func newTaskTimers() *taskTimers {
	tt := &taskTimers{base: time.Now()}
	// Only GotConn: body bytes touch the timer themselves.
	tt.trace = httptrace.ClientTrace{GotConn: tt.gotConn}
	return tt
}

// taskContext returns the context for the worker's next task and its cancel
// function: the previous one when nothing cancelled it, else a new one.
func (tt *taskTimers) taskContext() (context.Context, context.CancelCauseFunc) {
	if tt.ctx == nil || tt.ctx.Err() != nil {
		ctx, cancel := context.WithCancelCause(context.Background())
		tt.ctx, tt.ctxCancel = httptrace.WithClientTrace(ctx, &tt.trace), cancel
	}
	return tt.ctx, tt.ctxCancel
}

// cancelTask cancels t's context with cause if t is the task the timers serve now;
// for a task that already ended it does nothing, since its context may serve the
// worker's next task.
func (tt *taskTimers) cancelTask(t *Task, cause error) {
	tt.mu.Lock()
	defer tt.mu.Unlock()
	if tt.task == t && tt.cancel != nil {
		tt.cancel(cause)
	}
}

// begin makes the timers serve t; end must follow. It returns the generation a
// request body reader passes to touchFor.
func (tt *taskTimers) begin(t *Task, idle, resource time.Duration, cancel context.CancelCauseFunc) uint64 {
	tt.mu.Lock()
	defer tt.mu.Unlock()
	tt.task, tt.idle, tt.resource, tt.cancel = t, idle, resource, cancel
	tt.resStarted, tt.idleArmed = false, false
	tt.queued.Store(false)
	tt.reused.Store(false)
	return tt.gen.Add(1)
}

// end detaches the task. The timer is left as it is: a later firing finds no task
// and stops, unless the next task needs it by then.
func (tt *taskTimers) end() {
	tt.mu.Lock()
	defer tt.mu.Unlock()
	tt.task, tt.cancel = nil, nil
	tt.resStarted, tt.idleArmed = false, false
	tt.gen.Add(1)
}

// close stops the timer for good (the worker is leaving).
func (tt *taskTimers) close() {
	tt.mu.Lock()
	defer tt.mu.Unlock()
	tt.task, tt.cancel = nil, nil
	if tt.ctxCancel != nil {
		tt.ctxCancel(nil)
	}
	if tt.timer != nil {
		tt.timer.Stop()
	}
	tt.fireAt = 0
}

// gotConn arms the idle timeout and remembers whether the connection was pooled.
func (tt *taskTimers) gotConn(info httptrace.GotConnInfo) {
	tt.reused.Store(info.Reused)
	tt.arm()
}

func (tt *taskTimers) now() time.Duration { return time.Since(tt.base) }

func (tt *taskTimers) touch() { tt.last.Store(int64(tt.now())) }

// touchFor is touch for a request body reader, which the transport may still read
// after its task ended (a server can answer before taking the whole body): only the
// generation that made the reader counts as activity.
func (tt *taskTimers) touchFor(gen uint64) {
	if tt.gen.Load() == gen {
		tt.touch()
	}
}

// startResource starts the whole-task deadline (once, at the first host slot).
func (tt *taskTimers) startResource() {
	tt.mu.Lock()
	defer tt.mu.Unlock()
	if tt.task == nil || tt.resStarted {
		return
	}
	now := tt.now()
	tt.resStarted = true
	tt.resDeadline = now + tt.resource
	tt.fireByLocked(now, tt.resDeadline)
}

// arm starts the idle timeout once a connection is assigned.
func (tt *taskTimers) arm() {
	now := tt.now()
	tt.last.Store(int64(now))
	tt.mu.Lock()
	defer tt.mu.Unlock()
	if tt.task == nil || tt.idleArmed || !tt.resStarted {
		return
	}
	tt.idleArmed = true
	tt.fireByLocked(now, min(now+tt.idle, tt.resDeadline))
}

// fireByLocked makes sure the timer fires no later than at (since base).
func (tt *taskTimers) fireByLocked(now, at time.Duration) {
	if tt.fireAt != 0 && tt.fireAt <= at {
		return // an earlier firing will look again
	}
	tt.fireAt = max(at, now+1) // never 0: 0 means "not pending"
	if tt.timer == nil {
		tt.timer = time.AfterFunc(tt.fireAt-now, tt.check)
	} else {
		tt.timer.Reset(tt.fireAt - now)
	}
}

func (tt *taskTimers) setQueued(q bool) {
	tt.queued.Store(q)
	if !q {
		tt.touch() // the wait does not count as idle time
	}
}

// check runs when the timer fires: it cancels the task whose deadline passed, or
// re-arms for the earliest time anything can become due.
func (tt *taskTimers) check() {
	tt.mu.Lock()
	defer tt.mu.Unlock()
	tt.fireAt = 0
	if tt.task == nil || !tt.resStarted {
		return // startResource arms again when a task needs it
	}
	now := tt.now()
	if now >= tt.resDeadline {
		tt.cancel(errResourceTimeout)
		return
	}
	next := tt.resDeadline - now
	if tt.idleArmed {
		if tt.queued.Load() || tt.task.isSuspended() {
			tt.touch() // paused: the full timeout applies again once moving
			next = min(next, tt.idle)
		} else {
			quiet := now - time.Duration(tt.last.Load())
			if quiet >= tt.idle {
				tt.cancel(errIdleTimeout)
				return
			}
			next = min(next, tt.idle-quiet)
		}
	}
	tt.fireAt = now + next
	tt.timer.Reset(next)
}
