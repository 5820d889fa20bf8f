package urlsession

import (
	"sync"
	"time"
)

// runnerPool runs task transfers on reused goroutines. A fresh goroutine per task
// costs little, but a transfer's call chain (net/http, TLS) grows its stack every
// time; a worker that already grew serves the next task without that, which
// matters for many small requests. Idle workers leave after one to two runnerIdle
// periods, and all of them when the engine closes.
type runnerPool struct {
	work chan *Task // unbuffered: a send succeeds only if a worker is waiting
	quit chan struct{}
	wg   sync.WaitGroup
	once sync.Once
}

const runnerIdle = 2 * time.Second

func newRunnerPool() *runnerPool {
	return &runnerPool{work: make(chan *Task), quit: make(chan struct{})}
}

func (p *runnerPool) start(t *Task) {
	select {
	case p.work <- t:
	default:
		p.wg.Add(1)
		go p.worker(t)
	}
}

func (p *runnerPool) worker(t *Task) {
	defer p.wg.Done()
	tm := newTaskTimers() // reused by every task this worker runs
	defer tm.close()
	// The idle timer is not reset per task (that is a timer operation per request):
	// a worker leaves when a whole runnerIdle period passed without a task, so after
	// between one and two periods of idleness.
	idle := time.NewTimer(runnerIdle)
	defer idle.Stop()
	for ok := true; ok; t, ok = p.next(idle) {
		t.session.run(t, tm)
	}
}

// next waits for the worker's next task; false means the worker should leave.
func (p *runnerPool) next(idle *time.Timer) (*Task, bool) {
	worked := true // a task ran since the idle timer last fired
	for {
		select {
		case t := <-p.work:
			return t, true
		case <-idle.C:
			if !worked {
				return nil, false
			}
			worked = false
			idle.Reset(runnerIdle)
		case <-p.quit:
			return nil, false
		}
	}
}

// close stops idle workers and waits for all of them (running tasks finish first).
func (p *runnerPool) close() {
	p.once.Do(func() { close(p.quit) })
	p.wg.Wait()
}
