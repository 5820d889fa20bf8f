package urlsession

import (
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestCancelRacingCompletionCompletesOnce(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "fast")
	}))
	defer srv.Close()
	e := newTestEngine(t)
	cfg := DefaultConfiguration()
	cfg.HTTPMaximumConnectionsPerHost = 16
	s, rec := newTestSession(t, e, cfg)
	const n, workers = 1000, 8
	tasks := make([]*Task, n)
	for i := range tasks {
		kind := KindDataTask
		if i%2 == 1 {
			kind = KindDownloadTask
		}
		var err error
		if kind == KindDataTask {
			tasks[i], err = s.DataTask(Request{URL: srv.URL})
		} else {
			tasks[i], err = s.DownloadTask(Request{URL: srv.URL})
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	// Each worker starts a task, cancels it after a random delay around a loopback
	// round trip, and waits for its completion: the cancel lands before, during and
	// after the transfer.
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				task := tasks[i]
				task.Resume()
				time.Sleep(time.Duration(rand.IntN(600)) * time.Microsecond)
				task.Cancel()
				task.Cancel() // a second cancel changes nothing
				select {
				case <-rec.completed(task.ID()):
				case <-time.After(testTimeout):
					t.Errorf("task %d did not complete", task.ID())
					return
				}
			}
		}()
	}
	wg.Wait()
	var cancelled, succeeded int
	for _, task := range tasks {
		err := rec.wait(t, task.ID())
		switch {
		case err == nil:
			succeeded++
			if task.Kind() == KindDataTask && string(task.Body()) != "fast" {
				t.Fatalf("task %d succeeded with body %q", task.ID(), task.Body())
			}
		case err.Code == CodeCancelled:
			cancelled++
		default:
			t.Fatalf("task %d: unexpected %v", task.ID(), err)
		}
		if task.State() != StateCompleted {
			t.Fatalf("task %d state %v", task.ID(), task.State())
		}
	}
	t.Logf("%d cancelled, %d finished first", cancelled, succeeded)
	s.FinishTasksAndInvalidate()
	rec.waitInvalid(t)
	rec.check(t)
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.completions) != n || rec.log[len(rec.log)-1] != "invalid" {
		t.Fatalf("%d completions; last event %q", len(rec.completions), rec.log[len(rec.log)-1])
	}
	// A cancelled download reports no file.
	for id, err := range rec.errs {
		if err != nil && rec.locations[id] != "" {
			t.Fatalf("task %d was cancelled after DidFinishDownloading", id)
		}
	}
}

func TestInvalidateAndCancelDuringTransfersLeavesNothing(t *testing.T) {
	stop := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100000000")
		chunk := make([]byte, 1024)
		for {
			if _, err := w.Write(chunk); err != nil {
				return
			}
			select {
			case <-stop:
				return
			case <-r.Context().Done():
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}))
	func() {
		e, err := NewEngine(EngineOptions{DataDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		cfg := DefaultConfiguration()
		cfg.HTTPMaximumConnectionsPerHost = 100
		cfg.ProgressInterval = time.Millisecond
		rec := newRecorder()
		var mu sync.Mutex
		progressed := map[uint64]bool{}
		allRunning := make(chan struct{})
		rec.onWrite = func(task *Task) {
			mu.Lock()
			defer mu.Unlock()
			progressed[task.ID()] = true
			if len(progressed) == 100 {
				close(allRunning)
			}
		}
		s, err := e.NewSession(cfg, rec)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 100; i++ {
			kind := KindDownloadTask
			start(t, s, kind, Request{URL: srv.URL})
		}
		waitOn(t, allRunning, "transfers did not all start")
		s.InvalidateAndCancel()
		if _, err := s.DataTask(Request{URL: srv.URL}); !errors.Is(err, ErrSessionInvalidated) {
			t.Fatalf("task created after invalidation: %v", err)
		}
		rec.waitInvalid(t)
		for id := uint64(1); id <= 100; id++ {
			wantCode(t, rec.wait(t, id), CodeCancelled)
		}
		rec.check(t)
		rec.mu.Lock()
		last := rec.log[len(rec.log)-1]
		rec.mu.Unlock()
		if last != "invalid" {
			t.Fatalf("last event %q, want invalid", last)
		}
		if err := e.Close(); err != nil {
			t.Fatal(err)
		}
	}()
	close(stop)
	srv.Close()
	goleak.VerifyNone(t)
}

func TestFinishTasksAndInvalidateLetsTasksFinish(t *testing.T) {
	srv := trickleServer(t)
	e := newTestEngine(t)
	s, rec := newTestSession(t, e, DefaultConfiguration())
	running := start(t, s, KindDataTask, Request{URL: srv.URL + "/t?n=5&gap=30ms"})
	s.FinishTasksAndInvalidate()
	if _, err := s.DownloadTask(Request{URL: srv.URL}); !errors.Is(err, ErrSessionInvalidated) {
		t.Fatalf("creating a task after invalidation: %v", err)
	}
	wantCode(t, rec.wait(t, running.ID()), 0)
	rec.waitInvalid(t)
	if string(running.Body()) != "xxxxx" {
		t.Errorf("body %q", running.Body())
	}
	rec.mu.Lock()
	log := strings.Join(rec.log, ",")
	rec.mu.Unlock()
	if log != "response 1,complete 1,invalid" {
		t.Errorf("events %s", log)
	}
	s.InvalidateAndCancel() // after invalidation: harmless
	<-s.Done()
	rec.check(t)
	if rec.invalidated != 1 {
		t.Errorf("DidBecomeInvalid called %d times", rec.invalidated)
	}
}

func TestEngineCloseCancelsRunningTasks(t *testing.T) {
	srv := trickleServer(t)
	e, err := NewEngine(EngineOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rec := newRecorder()
	s, _ := e.NewSession(DefaultConfiguration(), rec)
	start(t, s, KindDownloadTask, Request{URL: srv.URL + "/stall?n=10"})
	never, _ := s.DataTask(Request{URL: srv.URL}) // never resumed
	_ = never
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	wantCode(t, rec.wait(t, 1), CodeCancelled)
	wantCode(t, rec.wait(t, 2), CodeCancelled)
	rec.waitInvalid(t)
	rec.check(t)
}

// Runner workers reuse their request context. After a cancelled task, and after a
// Cancel that arrives once a task is over, the next task on the same worker must
// run normally rather than inherit a cancellation.
func TestTasksAfterACancelOnTheSameWorkerSucceed(t *testing.T) {
	arrived := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			arrived <- struct{}{}
			<-r.Context().Done() // until the client gives up
			return
		}
		io.WriteString(w, "fast")
	}))
	defer srv.Close()
	e := newTestEngine(t)
	s, rec := newTestSession(t, e, DefaultConfiguration())

	slow := start(t, s, KindDataTask, Request{URL: srv.URL + "/slow"})
	waitOn(t, arrived, "the slow request never reached the server")
	slow.Cancel()
	wantCode(t, rec.wait(t, slow.ID()), CodeCancelled)

	for i := 0; i < 3; i++ {
		task := start(t, s, KindDataTask, Request{URL: srv.URL + "/fast"})
		wantCode(t, rec.wait(t, task.ID()), 0)
		task.Cancel() // too late: must reach neither this task nor the next
		if got := string(task.Body()); got != "fast" {
			t.Fatalf("task %d body %q", task.ID(), got)
		}
	}
	s.FinishTasksAndInvalidate()
	rec.waitInvalid(t)
	rec.check(t)
}
