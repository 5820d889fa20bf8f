package urlsession

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"
)

func bigServer(size int) *httptest.Server {
	chunk := bytes.Repeat([]byte{'z'}, 32<<10)
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(size))
		for left := size; left > 0; left -= len(chunk) {
			if _, err := w.Write(chunk[:min(left, len(chunk))]); err != nil {
				return
			}
		}
	}))
}

// blockingDelegate stalls in DidReceiveResponse until released.
type blockingDelegate struct {
	*recorder
	entered, release chan struct{}
}

func (b *blockingDelegate) DidReceiveResponse(t *Task, r *Response) {
	close(b.entered)
	<-b.release
	b.recorder.DidReceiveResponse(t, r)
}

// A delegate that does not keep up must not make the engine queue per-chunk events.
func TestStalledDelegateQueuesNoPerChunkEvents(t *testing.T) {
	const size = 32 << 20
	srv := bigServer(size)
	defer srv.Close()
	e := newTestEngine(t)
	d := &blockingDelegate{recorder: newRecorder(), entered: make(chan struct{}), release: make(chan struct{})}
	cfg := DefaultConfiguration()
	cfg.ProgressInterval = time.Microsecond // post as often as possible
	s, err := e.NewSession(cfg, d)
	if err != nil {
		t.Fatal(err)
	}
	task := start(t, s, KindDownloadTask, Request{URL: srv.URL})
	<-d.entered
	deadline := time.Now().Add(testTimeout)
	for task.CountOfBytesReceived() < size && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	for task.State() != StateCompleted && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	s.mu.Lock()
	queued := len(s.queue)
	s.mu.Unlock()
	if queued > 3 { // at most: one progress, download finished, completion
		t.Errorf("%d events queued behind a stalled delegate", queued)
	}
	close(d.release)
	wantCode(t, d.wait(t, task.ID()), 0)
	d.mu.Lock()
	writes := d.writes[1]
	d.mu.Unlock()
	if len(writes) != 1 || writes[0].total != size || writes[0].delta != size {
		t.Errorf("progress after the stall: %+v, want one event covering everything", writes)
	}
	d.check(t)
}

func TestProgressIsCoalescedToTheInterval(t *testing.T) {
	const size = 64 << 20
	srv := bigServer(size)
	defer srv.Close()
	e := newTestEngine(t)
	cfg := DefaultConfiguration()
	cfg.ProgressInterval = 20 * time.Millisecond
	s, rec := newTestSession(t, e, cfg)
	began := time.Now()
	task := start(t, s, KindDownloadTask, Request{URL: srv.URL})
	wantCode(t, rec.wait(t, task.ID()), 0)
	took := time.Since(began)
	rec.mu.Lock()
	n := len(rec.writes[1])
	rec.mu.Unlock()
	if limit := int(took/cfg.ProgressInterval) + 2; n > limit {
		t.Errorf("%d progress events in %v, more than one per %v", n, took, cfg.ProgressInterval)
	}
	if last := rec.lastWrite(1); last.total != size {
		t.Errorf("final progress %+v", last)
	}
	rec.check(t)
}
