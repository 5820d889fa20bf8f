package urlsession

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// trickleServer sends n bytes one at a time, every gap; /stall sends headers then
// nothing until the test ends.
func trickleServer(t *testing.T) *httptest.Server {
	stop := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		n, _ := strconv.Atoi(q.Get("n"))
		gap, _ := time.ParseDuration(q.Get("gap"))
		w.Header().Set("Content-Length", strconv.Itoa(n))
		w.WriteHeader(200)
		w.(http.Flusher).Flush()
		if r.URL.Path == "/stall" {
			select {
			case <-stop:
			case <-r.Context().Done():
			}
			return
		}
		for i := 0; i < n; i++ {
			select {
			case <-time.After(gap):
			case <-stop:
				return
			case <-r.Context().Done():
				return
			}
			w.Write([]byte{'x'})
			w.(http.Flusher).Flush()
		}
	}))
	t.Cleanup(func() { close(stop); srv.Close() })
	return srv
}

func TestIdleTimeout(t *testing.T) {
	srv := trickleServer(t)
	e := newTestEngine(t)
	cfg := DefaultConfiguration()
	cfg.TimeoutIntervalForRequest = 500 * time.Millisecond
	s, rec := newTestSession(t, e, cfg)

	stalled := start(t, s, KindDataTask, Request{URL: srv.URL + "/stall?n=10"})
	wantCode(t, rec.wait(t, stalled.ID()), CodeTimedOut)

	// Bytes every 50 ms keep a 500 ms idle timeout from firing over ~1 s (the margin
	// is wide because shared machines stall).
	alive := start(t, s, KindDownloadTask, Request{URL: srv.URL + "/t?n=20&gap=50ms"})
	wantCode(t, rec.wait(t, alive.ID()), 0)
	if got := rec.lastWrite(alive.ID()).total; got != 20 {
		t.Errorf("downloaded %d bytes", got)
	}
	rec.check(t)
}

func TestResourceTimeout(t *testing.T) {
	srv := trickleServer(t)
	e := newTestEngine(t)
	cfg := DefaultConfiguration()
	cfg.TimeoutIntervalForRequest = 5 * time.Second
	cfg.TimeoutIntervalForResource = 300 * time.Millisecond
	s, rec := newTestSession(t, e, cfg)
	task := start(t, s, KindDownloadTask, Request{URL: srv.URL + "/t?n=100&gap=50ms"}) // ~5 s
	began := time.Now()
	wantCode(t, rec.wait(t, task.ID()), CodeTimedOut)
	if took := time.Since(began); took > 4*time.Second {
		t.Errorf("resource timeout took %v", took)
	}
	rec.check(t)
}

func TestPerHostLimitQueuesWithoutTimingOut(t *testing.T) {
	var active, peak atomic.Int32
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := active.Add(1)
		defer active.Add(-1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		w.WriteHeader(200)
		w.(http.Flusher).Flush()
		// Keep the first tasks busy (but not idle) until released.
		for {
			select {
			case <-release:
				return
			case <-r.Context().Done():
				return
			case <-time.After(50 * time.Millisecond):
				w.Write([]byte{'.'})
				w.(http.Flusher).Flush()
			}
		}
	}))
	defer srv.Close()
	e := newTestEngine(t)
	cfg := DefaultConfiguration()
	cfg.TimeoutIntervalForRequest = 400 * time.Millisecond
	s, rec := newTestSession(t, e, cfg)
	for i := 0; i < 7; i++ {
		start(t, s, KindDataTask, Request{URL: fmt.Sprintf("%s/%d", srv.URL, i)})
	}
	// Wait until six requests are in the handler, then hold them for several idle
	// timeouts: the seventh waits in the queue and must not time out.
	deadline := time.Now().Add(testTimeout)
	for active.Load() < 6 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(1200 * time.Millisecond) // three idle timeouts
	if got := active.Load(); got != 6 {
		t.Errorf("%d requests reached the server, want 6 (limit)", got)
	}
	close(release)
	for id := uint64(1); id <= 7; id++ {
		wantCode(t, rec.wait(t, id), 0)
	}
	if peak.Load() != 6 {
		t.Errorf("peak concurrency %d, want 6", peak.Load())
	}
	rec.check(t)
}

func TestSuspendPausesTransferAndTimeout(t *testing.T) {
	srv := trickleServer(t)
	e := newTestEngine(t)
	cfg := DefaultConfiguration()
	cfg.TimeoutIntervalForRequest = 300 * time.Millisecond
	cfg.ProgressInterval = time.Millisecond
	s, rec := newTestSession(t, e, cfg)
	var once sync.Once
	suspended := make(chan struct{})
	rec.onWrite = func(task *Task) {
		once.Do(func() { task.Suspend(); close(suspended) })
	}
	task := start(t, s, KindDownloadTask, Request{URL: srv.URL + "/t?n=10&gap=10ms"})
	waitOn(t, suspended, "no progress")
	if task.State() != StateSuspended {
		t.Fatalf("state %v", task.State())
	}
	time.Sleep(1000 * time.Millisecond) // several idle timeouts
	if task.State() != StateSuspended {
		t.Fatalf("task left suspension: %v (%v)", task.State(), task.Error())
	}
	before := task.CountOfBytesReceived()
	time.Sleep(100 * time.Millisecond)
	if task.CountOfBytesReceived() != before {
		t.Error("bytes kept arriving while suspended")
	}
	task.Resume()
	wantCode(t, rec.wait(t, task.ID()), 0)
	if got := rec.lastWrite(task.ID()).total; got != 10 {
		t.Errorf("total %d", got)
	}
	rec.check(t)
}

func TestSuspendRightAfterResumeHoldsTheTask(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		time.Sleep(50 * time.Millisecond) // so Suspend lands before the task can finish
	}))
	defer srv.Close()
	e := newTestEngine(t)
	s, rec := newTestSession(t, e, DefaultConfiguration())
	task, _ := s.DataTask(Request{URL: srv.URL})
	task.Resume()
	task.Suspend()
	time.Sleep(200 * time.Millisecond)
	if task.State() != StateSuspended {
		t.Fatalf("state %v", task.State())
	}
	// The request may have left before Suspend landed; it must not complete while suspended.
	select {
	case <-rec.completed(task.ID()):
		t.Fatal("a suspended task completed")
	default:
	}
	task.Resume()
	wantCode(t, rec.wait(t, task.ID()), 0)
	if hits.Load() != 1 {
		t.Errorf("%d requests", hits.Load())
	}
}
