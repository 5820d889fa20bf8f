package urlsession

import (
	"sync"
	"time"
)

// runnerPool runs task transfers on reused goroutines. A fresh goroutine per task
// costs little, but a transfer's call chain (net/http, TLS) grows its stack every
// time; a worker that already grew serves the next task without that, which
// matters for many small requests. Idle workers leave after runnerIdle, and all of
// them when the engine closes.
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
	idle := time.NewTimer(runnerIdle)
	defer idle.Stop()
	for {
		t.session.run(t)
		idle.Reset(runnerIdle)
		select {
		case t = <-p.work:
		case <-idle.C:
			return
		case <-p.quit:
			return
		}
	}
}

// close stops idle workers and waits for all of them (running tasks finish first).
func (p *runnerPool) close() {
	p.once.Do(func() { close(p.quit) })
	p.wg.Wait()
}
