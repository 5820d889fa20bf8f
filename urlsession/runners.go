package urlsession

import (
	"sync"
	"time"
)

// runnerPool runs task transfers on reused goroutines. A fresh goroutine per task
// costs little, but a transfer's call chain (net/http, TLS) grows its stack every
// time; a worker that already grew serves the next task without that, which
// matters for many small requests.
//
// Idle workers wait on their own channel, most recently parked first (its stack
// and caches are the warmest). They wait without a timer: a worker selecting on
// an idle timer put that timer in and out of the runtime's timer heap at every
// task, which cost more than the hand-off itself. Instead one pool-wide reaper
// ticks every period while workers exist; a worker still parked since before
// the previous tick leaves, so after one to two periods of idleness. All of them
// leave when the engine closes.
type runnerPool struct {
	period  time.Duration // the reaper's tick: runnerIdle, shorter in tests
	mu      sync.Mutex
	idle    []*runner // parked workers, the most recently parked last
	workers int       // started and not yet told to leave; the reaper is pending while > 0
	tick    uint64    // reaper ticks so far
	reaper  *time.Timer
	closed  bool
	wg      sync.WaitGroup
}

// runner is one worker's mailbox: a task to run, or nil to leave.
type runner struct {
	next     chan *Task // buffered: a hand-off never blocks the starter
	parkedAt uint64     // the pool's tick when the worker last parked
}

const runnerIdle = 2 * time.Second

func newRunnerPool() *runnerPool { return &runnerPool{period: runnerIdle} }

func (p *runnerPool) start(t *Task) {
	p.mu.Lock()
	if n := len(p.idle); n > 0 {
		r := p.idle[n-1]
		p.idle[n-1] = nil
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		r.next <- t
		return
	}
	if p.workers == 0 && !p.closed { // the reaper stopped with the last worker
		if p.reaper == nil {
			p.reaper = time.AfterFunc(p.period, p.reap)
		} else {
			p.reaper.Reset(p.period)
		}
	}
	p.workers++
	p.wg.Add(1)
	p.mu.Unlock()
	go p.worker(t)
}

func (p *runnerPool) worker(t *Task) {
	defer p.wg.Done()
	tm := newTaskTimers() // reused by every task this worker runs
	defer tm.close()
	r := &runner{next: make(chan *Task, 1)}
	for t != nil {
		t.session.run(t, tm)
		t = p.park(r)
	}
}

// park waits for the worker's next task; nil means leave.
func (p *runnerPool) park(r *runner) *Task {
	p.mu.Lock()
	if p.closed {
		p.workers--
		p.mu.Unlock()
		return nil
	}
	r.parkedAt = p.tick
	p.idle = append(p.idle, r)
	p.mu.Unlock()
	return <-r.next
}

// reap sends away the workers that stayed parked through a whole tick period. They
// sit at the bottom of the stack, since parking pushes on top.
func (p *runnerPool) reap() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.tick++
	n := 0
	for n < len(p.idle) && p.idle[n].parkedAt+1 < p.tick {
		p.idle[n].next <- nil
		n++
	}
	if n > 0 {
		rest := copy(p.idle, p.idle[n:])
		clear(p.idle[rest:])
		p.idle = p.idle[:rest]
		p.workers -= n
	}
	if p.workers > 0 { // busy or recently parked workers remain: keep ticking
		p.reaper.Reset(p.period)
	}
}

// close stops idle workers and waits for all of them (running tasks finish first).
func (p *runnerPool) close() {
	p.mu.Lock()
	p.closed = true
	for _, r := range p.idle {
		r.next <- nil
	}
	p.workers -= len(p.idle)
	p.idle = nil
	if p.reaper != nil {
		p.reaper.Stop()
	}
	p.mu.Unlock()
	p.wg.Wait()
}
