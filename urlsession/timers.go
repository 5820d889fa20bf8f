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

// taskTimers runs a task's two timeouts on one timer. The resource timeout starts
// when the task first gets a host slot. The idle timeout starts when the request
// gets a connection (arm), restarts on every byte in either direction (touch), and
// does not count while the task is suspended or queued for a host slot. Touch only
// stores a timestamp; the timer re-arms itself for whatever time is left, so moving
// a chunk costs one atomic store instead of a timer reset.
type taskTimers struct {
	task     *Task
	idle     time.Duration
	resource time.Duration
	cancel   context.CancelCauseFunc
	base     time.Time

	last   atomic.Int64 // nanoseconds since base of the last activity
	queued atomic.Bool  // waiting for a host slot
	reused atomic.Bool  // the current attempt got a pooled connection
	// trace feeds connection events to the timers; built once per task.
	trace httptrace.ClientTrace

	mu          sync.Mutex
	timer       *time.Timer
	resDeadline time.Duration // since base; valid once timer != nil
	idleArmed   bool
	stopped     bool
}

func newTaskTimers(t *Task, idle, resource time.Duration, cancel context.CancelCauseFunc) *taskTimers {
	tt := &taskTimers{task: t, idle: idle, resource: resource, cancel: cancel, base: time.Now()}
	// Only GotConn: body bytes touch the timer themselves, and every extra hook
	// would be one more allocation per task.
	tt.trace = httptrace.ClientTrace{GotConn: tt.gotConn}
	return tt
}

// gotConn arms the idle timeout and remembers whether the connection was pooled.
func (tt *taskTimers) gotConn(info httptrace.GotConnInfo) {
	tt.reused.Store(info.Reused)
	tt.arm()
}

func (tt *taskTimers) now() time.Duration { return time.Since(tt.base) }

func (tt *taskTimers) touch() { tt.last.Store(int64(tt.now())) }

// startResource starts the whole-task deadline (once, at the first host slot).
func (tt *taskTimers) startResource() {
	tt.mu.Lock()
	defer tt.mu.Unlock()
	if tt.stopped || tt.timer != nil {
		return
	}
	tt.resDeadline = tt.now() + tt.resource
	tt.timer = time.AfterFunc(tt.resource, tt.check)
}

// arm starts the idle timeout once a connection is assigned.
func (tt *taskTimers) arm() {
	tt.touch()
	tt.mu.Lock()
	defer tt.mu.Unlock()
	if tt.stopped || tt.idleArmed || tt.timer == nil {
		return
	}
	tt.idleArmed = true
	tt.timer.Reset(min(tt.idle, tt.resDeadline-tt.now()))
}

func (tt *taskTimers) setQueued(q bool) {
	tt.queued.Store(q)
	if !q {
		tt.touch() // the wait does not count as idle time
	}
}

func (tt *taskTimers) check() {
	tt.mu.Lock()
	defer tt.mu.Unlock()
	if tt.stopped {
		return
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
	tt.timer.Reset(next)
}

func (tt *taskTimers) stop() {
	tt.mu.Lock()
	defer tt.mu.Unlock()
	tt.stopped = true
	if tt.timer != nil {
		tt.timer.Stop()
	}
}
