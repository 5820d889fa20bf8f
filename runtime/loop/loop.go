// Package loop is tirun's event loop: one goroutine owns the goja VM, native code keeps the loop
// alive with reference-counted handles and posts callbacks to it from any goroutine.
//
// goja_nodejs's eventloop is not used because it cannot be kept alive by native work, drops
// exceptions thrown by timer callbacks and does not track unhandled rejections.
package loop

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/dop251/goja"
)

// Job is a callback run on the loop goroutine. A non-nil error ends the run.
type Job func(vm *goja.Runtime) error

// ErrClosed is returned by Run after Close.
var ErrClosed = errors.New("loop: closed")

// ErrRunning is returned by Run when another Run is in progress.
var ErrRunning = errors.New("loop: Run called while the loop is already running")

// Loop runs JS callbacks one at a time on the goroutine that called Run.
type Loop struct {
	vm *goja.Runtime

	mu      sync.Mutex
	queue   []Job // posted jobs, FIFO
	spare   []Job // recycled backing array for queue swaps
	refs    int   // held handles of the current epoch
	epoch   uint64
	running bool
	closed  bool
	ctx     context.Context
	cancel  context.CancelFunc
	wake    chan struct{} // capacity 1: "something changed, look again"

	// Loop-goroutine-only state below.
	timers     timerSet
	rejections rejectionTracker
	reported   error // uncaught error reported by queueMicrotask wrappers during a job
	locals     map[any]any

	uncaught func(*UncaughtError) bool // see SetUncaughtHandler; guarded by mu
}

// New creates a loop for vm and installs the timer globals (setTimeout, setInterval,
// setImmediate, the clear* functions and queueMicrotask) and the promise rejection tracker.
func New(vm *goja.Runtime) *Loop {
	l := &Loop{vm: vm, wake: make(chan struct{}, 1)}
	l.ctx, l.cancel = context.WithCancel(context.Background())
	l.timers.init()
	l.rejections.install(vm)
	l.installTimers(vm)
	l.installMicrotask(vm)
	return l
}

// VM returns the runtime the loop owns. Use it only on the loop goroutine.
func (l *Loop) VM() *goja.Runtime { return l.vm }

// Local returns the per-loop value stored under key, creating it with init on first use.
// Packages use it for per-VM singletons (e.g. shared prototypes). Loop goroutine only.
func (l *Loop) Local(key any, init func() any) any {
	if v, ok := l.locals[key]; ok {
		return v
	}
	if l.locals == nil {
		l.locals = make(map[any]any)
	}
	v := init()
	l.locals[key] = v
	return v
}

// SetUncaughtHandler installs h (nil removes it). Each uncaught JS exception or unhandled
// promise rejection is offered to h on the loop goroutine before it ends the run; when h
// returns true the error counts as handled and the loop goes on with its timers and handles
// intact. A test runner uses this to charge the error to the running test. Go panics and
// interrupts are never offered. Safe from any goroutine.
func (l *Loop) SetUncaughtHandler(h func(*UncaughtError) bool) {
	l.mu.Lock()
	l.uncaught = h
	l.mu.Unlock()
}

// offerUncaught gives an uncaught error to the handler; it returns nil if the handler took it.
// It runs after every job: the nil check comes before ue is declared because errors.As makes
// ue escape, and declaring it first cost a heap allocation per job even when nothing failed.
func (l *Loop) offerUncaught(err error) error {
	if err == nil {
		return nil
	}
	var ue *UncaughtError
	if !errors.As(err, &ue) {
		return err
	}
	l.mu.Lock()
	h := l.uncaught
	l.mu.Unlock()
	if h != nil && h(ue) {
		return nil
	}
	return err
}

// Context is cancelled when the current (or next) Run ends. Native work started from the loop
// should derive from it so that it stops with the run.
func (l *Loop) Context() context.Context {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.ctx
}

// Ref takes a reference that keeps Run from returning until it is released. Safe from any
// goroutine, but native code must call it synchronously on the loop (inside the JS call that
// starts the work), before it starts background work, or the loop may end first.
func (l *Loop) Ref() *Handle {
	l.mu.Lock()
	defer l.mu.Unlock()
	h := &Handle{l: l, epoch: l.epoch}
	if l.closed {
		h.released = true
		return h
	}
	l.refs++
	return h
}

// RunOnLoop queues f without taking a reference: it runs only if the loop is still alive.
// Returns false when the loop is closed. Jobs queued while no Run is active run at the next Run.
func (l *Loop) RunOnLoop(f func(vm *goja.Runtime) error) bool {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return false
	}
	l.queue = append(l.queue, f)
	l.mu.Unlock()
	l.poke()
	return true
}

// Close stops the loop for good: pending jobs are dropped, Post/RunOnLoop return false, and
// Context is cancelled. A Run in progress is interrupted. Safe from any goroutine.
func (l *Loop) Close() {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return
	}
	l.closed = true
	l.queue = nil
	l.refs = 0
	l.epoch++
	running := l.running
	l.cancel()
	if running {
		l.vm.Interrupt(ErrClosed)
	}
	l.mu.Unlock()
	l.poke()
}

func (l *Loop) poke() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// Run runs first on the calling goroutine, then every queued callback, timer and promise job,
// until nothing is queued, no timer is armed and no reference is held. It returns the first
// uncaught error (*UncaughtError, *PanicError or the error a Job returned), or ctx.Err() when
// ctx is done (a busy script is interrupted). After an error, handles still held are
// invalidated: their Post returns false.
func (l *Loop) Run(ctx context.Context, first func(vm *goja.Runtime) error) (err error) {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return ErrClosed
	}
	if l.running {
		l.mu.Unlock()
		return ErrRunning
	}
	l.running = true
	if l.ctx.Err() != nil { // a previous run ended: start a fresh context for this one
		l.ctx, l.cancel = context.WithCancel(context.Background())
	}
	runCtx, runCancel := l.ctx, l.cancel
	l.mu.Unlock()

	// Interrupt from another goroutine: goja's only cross-goroutine-safe call.
	stopWatch := context.AfterFunc(ctx, func() {
		l.mu.Lock()
		if l.running {
			l.vm.Interrupt(ctx.Err())
		}
		l.mu.Unlock()
		runCancel()
		l.poke()
	})

	defer func() {
		stopWatch()
		l.mu.Lock()
		l.running = false
		runCancel()
		if err != nil || l.closed {
			// Work left behind can never be delivered: invalidate it.
			l.queue = nil
			l.refs = 0
			l.epoch++
		}
		l.mu.Unlock()
		l.vm.ClearInterrupt()
		l.timers.clearAll()
		l.rejections.reset()
		l.reported = nil
		if err != nil && ctx.Err() != nil && isInterrupt(err) {
			err = ctx.Err()
		}
		if l.isClosed() && isInterrupt(err) {
			err = ErrClosed
		}
	}()

	if first != nil {
		if err := l.runJob(first); err != nil {
			return err
		}
	}
	return l.spin(ctx, runCtx)
}

func (l *Loop) isClosed() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.closed
}

func isInterrupt(err error) bool {
	var ie *goja.InterruptedError
	return errors.As(err, &ie)
}

// spin is the loop proper: timers phase, posted jobs, immediates (Node's check phase), then
// wait until something is due.
func (l *Loop) spin(ctx, runCtx context.Context) error {
	wait := time.NewTimer(time.Hour)
	wait.Stop()
	defer wait.Stop()
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		if runCtx.Err() != nil && l.isClosed() {
			return ErrClosed
		}
		if err := l.runDueTimers(); err != nil {
			return err
		}
		if err := l.runPosted(); err != nil {
			return err
		}
		if err := l.runImmediates(); err != nil {
			return err
		}

		l.mu.Lock()
		queued, refs, closed := len(l.queue), l.refs, l.closed
		l.mu.Unlock()
		if closed {
			return ErrClosed
		}
		if queued > 0 || l.timers.hasImmediates() {
			continue
		}
		next, armed := l.timers.nextDue()
		if !armed && refs == 0 {
			return nil
		}
		var timerC <-chan time.Time
		if armed {
			d := time.Until(next)
			if d <= 0 {
				continue
			}
			wait.Reset(d)
			timerC = wait.C
		}
		select {
		case <-l.wake:
		case <-timerC:
		case <-ctx.Done():
			return ctx.Err()
		}
		if armed {
			wait.Stop()
		}
	}
}

// runPosted runs the jobs queued so far; jobs they post run in the next iteration so timers
// and immediates are not starved by a producer that never stops.
func (l *Loop) runPosted() error {
	l.mu.Lock()
	jobs := l.queue
	l.queue = l.spare[:0]
	l.spare = nil
	l.mu.Unlock()
	for i, job := range jobs {
		jobs[i] = nil // let the closure be collected as soon as it ran
		if err := l.runJob(job); err != nil {
			return err
		}
	}
	l.mu.Lock()
	if l.spare == nil && cap(jobs) <= 4096 { // keep a modest buffer, drop huge ones
		l.spare = jobs[:0]
	}
	l.mu.Unlock()
	return nil
}

// runJob runs one macrotask with panic recovery, then reports an uncaught error from a
// microtask or a promise rejection left unhandled once the microtasks drained.
func (l *Loop) runJob(job Job) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fromPanic(r)
			return
		}
		err = l.offerUncaught(err)
	}()
	if err := asLoopError(job(l.vm)); err != nil {
		return err
	}
	if l.reported != nil {
		err, l.reported = l.reported, nil
		return err
	}
	return l.rejections.leftover()
}
