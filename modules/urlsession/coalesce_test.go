package urlsession

import (
	"sync"
	"testing"

	"github.com/tirun/tirun/runtime"
)

// TestProgressIsCoalescedPerTask drives the binding's progress path while the loop is not
// running (a listener that never gets the CPU): however many engine events arrive, at most
// one delivery per task is queued, and it carries the sum of the steps and the latest totals.
func TestProgressIsCoalescedPerTask(t *testing.T) {
	rt := newRuntime(t, nil, runtime.Options{})
	run(t, rt, `
		const U = require('com.appcelerator.urlSession');
		globalThis.s = U.createSession({configuration: U.createSessionConfiguration({identifier: 'coalesce'})});
		globalThis.seen = [];
		s.addEventListener('downloadprogress', e => seen.push([e.taskIdentifier, e.bytesWritten, e.totalBytesWritten, e.totalBytesExpectedToWrite]));
		s.addEventListener('uploadprogress', e => seen.push([e.taskIdentifier, e.bytesSent, e.totalBytesSent, e.totalBytesExpectedToSend]));
	`)
	s, ok := sessionFrom(rt.VM().Get("s"))
	if !ok {
		t.Fatal("no session behind the JS object")
	}
	// Two fake running tasks, registered the way startTask does.
	tasks := []*taskState{{id: 101, kind: kindDownload, h: rt.Loop().Ref()}, {id: 102, kind: kindUpload, h: rt.Loop().Ref()}}
	for _, ts := range tasks {
		s.tasks[ts.id] = ts
	}
	const steps, step = 10000, 100
	var wg sync.WaitGroup
	for _, ts := range tasks {
		wg.Add(1)
		go func(ts *taskState) { // like the engine's delegate goroutine
			defer wg.Done()
			for i := 1; i <= steps; i++ {
				s.progress(ts.id, ts.kind == kindUpload, step, int64(i*step), -1)
			}
		}(ts)
	}
	wg.Wait()
	for _, ts := range tasks {
		ts.h.Release()
	}
	run(t, rt, `/* deliver what is queued */`)

	got := rt.VM().Get("seen").Export().([]any)
	if len(got) != 2 {
		t.Fatalf("want one coalesced event per task, got %d: %v", len(got), got)
	}
	for _, e := range got {
		ev := e.([]any)
		if ev[1].(int64) != steps*step || ev[2].(int64) != steps*step || ev[3].(int64) != 0 {
			t.Errorf("coalesced event %v: want delta and total %d, expected 0 (unknown)", ev, steps*step)
		}
	}

	// After a delivery, the next step queues a new one.
	s.tasks[101].h = rt.Loop().Ref()
	s.progress(101, false, 7, steps*step+7, steps*step+7)
	s.tasks[101].h.Release()
	run(t, rt, ``)
	last := rt.VM().Get("seen").Export().([]any)
	if len(last) != 3 || last[2].([]any)[1].(int64) != 7 {
		t.Fatalf("want a third event with the new step, got %v", last)
	}
}
