package urlsession

import (
	"testing"
	"time"
)

// Workers that stay idle for a reaper period leave; the pool starts again on the
// next task, and Close waits for every worker (goleak checks none is left).
func TestIdleRunnersLeaveAndThePoolRestarts(t *testing.T) {
	e, err := NewEngine(EngineOptions{DataDir: t.TempDir(), Transport: cannedTransport{}})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	p := e.runners
	p.period = 20 * time.Millisecond // before the first task: nothing reads it yet
	s, rec := newTestSession(t, e, DefaultConfiguration())

	workers := func() int {
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.workers
	}
	waitNoWorkers := func() {
		t.Helper()
		for deadline := time.Now().Add(testTimeout); workers() > 0; time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%d idle workers never left", workers())
			}
		}
	}
	var ids []uint64
	for i := 0; i < 8; i++ {
		ids = append(ids, start(t, s, KindDataTask, Request{URL: "http://127.0.0.1:1/a"}).ID())
	}
	for _, id := range ids {
		wantCode(t, rec.wait(t, id), 0)
	}
	if workers() == 0 {
		t.Fatal("no worker ran the tasks")
	}
	waitNoWorkers()

	task := start(t, s, KindDataTask, Request{URL: "http://127.0.0.1:1/b"})
	wantCode(t, rec.wait(t, task.ID()), 0)
	waitNoWorkers() // the reaper was armed again for the new worker
}
