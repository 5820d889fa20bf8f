package urlsession

import (
	"context"
	"errors"
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

// taskTimers runs a task's two timeouts. The idle timeout restarts on every byte in
// either direction (touch), starts when the request gets a connection (arm), and does
// not count while the task is suspended or queued for a host slot. Touch only stores
// a timestamp: a single timer re-arms itself for the remaining time, so moving a
// chunk costs one atomic store instead of a timer reset.
type taskTimers struct {
	task     *Task
	idle     time.Duration
	resource time.Duration
	cancel   context.CancelCauseFunc
	base     time.Time

	last    atomic.Int64 // nanoseconds since base of the last activity
	queued  atomic.Bool  // waiting for a host slot
	mu      sync.Mutex
	idleT   *time.Timer
	resT    *time.Timer
	stopped bool
}

func newTaskTimers(t *Task, idle, resource time.Duration, cancel context.CancelCauseFunc) *taskTimers {
	return &taskTimers{task: t, idle: idle, resource: resource, cancel: cancel, base: time.Now()}
}

func (tt *taskTimers) touch() { tt.last.Store(int64(time.Since(tt.base))) }

// startResource starts the whole-task deadline once (at the first host slot).
func (tt *taskTimers) startResource() {
	tt.mu.Lock()
	defer tt.mu.Unlock()
	if tt.stopped || tt.resT != nil {
		return
	}
	tt.resT = time.AfterFunc(tt.resource, func() { tt.cancel(errResourceTimeout) })
}

// arm starts the idle timer once a connection is assigned.
func (tt *taskTimers) arm() {
	tt.touch()
	tt.mu.Lock()
	defer tt.mu.Unlock()
	if tt.stopped || tt.idleT != nil {
		return
	}
	tt.idleT = time.AfterFunc(tt.idle, tt.check)
}

func (tt *taskTimers) setQueued(q bool) {
	tt.queued.Store(q)
	tt.touch()
}

func (tt *taskTimers) check() {
	tt.mu.Lock()
	defer tt.mu.Unlock()
	if tt.stopped {
		return
	}
	if tt.queued.Load() || tt.task.isSuspended() {
		tt.touch() // paused: the full timeout applies again once moving
		tt.idleT.Reset(tt.idle)
		return
	}
	quiet := time.Duration(int64(time.Since(tt.base)) - tt.last.Load())
	if quiet >= tt.idle {
		tt.cancel(errIdleTimeout)
		return
	}
	tt.idleT.Reset(tt.idle - quiet)
}

func (tt *taskTimers) stop() {
	tt.mu.Lock()
	defer tt.mu.Unlock()
	tt.stopped = true
	if tt.idleT != nil {
		tt.idleT.Stop()
	}
	if tt.resT != nil {
		tt.resT.Stop()
	}
}
