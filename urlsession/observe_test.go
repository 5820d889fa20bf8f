package urlsession

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/tirun/tirun/telemetry"
)

// telemetrySink collects what the engine reports.
type telemetrySink struct {
	mu        sync.Mutex
	events    []telemetry.Event
	exchanges []telemetry.Exchange
}

func (k *telemetrySink) Observe(e telemetry.Event) {
	k.mu.Lock()
	k.events = append(k.events, e)
	k.mu.Unlock()
}

func (k *telemetrySink) RecordExchange(x telemetry.Exchange) {
	k.mu.Lock()
	k.exchanges = append(k.exchanges, x)
	k.mu.Unlock()
}

func TestObserverSeesEveryDelegateCallAndRequest(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/moved":
			http.Redirect(w, r, "/file.bin", http.StatusFound)
		case "/file.bin":
			w.Header().Set("Content-Length", strconv.Itoa(300_000))
			w.Write([]byte(strings.Repeat("x", 300_000)))
		case "/upload":
			w.Write([]byte("ok"))
		}
	}))
	defer srv.Close()

	sink := &telemetrySink{}
	e, err := NewEngine(EngineOptions{DataDir: t.TempDir(), Observer: sink})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	cfg := DefaultConfiguration()
	s, rec := newTestSession(t, e, cfg)
	if s.Name() != "default-1" {
		t.Fatalf("name of a session without identifier: %q", s.Name())
	}
	dl := start(t, s, KindDownloadTask, Request{URL: srv.URL + "/moved"})
	up := start(t, s, KindUploadTask, Request{URL: srv.URL + "/upload", Body: []byte("hello")})
	if err := rec.wait(t, dl.ID()); err != nil {
		t.Fatal(err)
	}
	if err := rec.wait(t, up.ID()); err != nil {
		t.Fatal(err)
	}
	s.FinishTasksAndInvalidate()
	rec.waitInvalid(t)

	sink.mu.Lock()
	defer sink.mu.Unlock()
	names := map[uint64][]string{}
	for _, ev := range sink.events {
		if ev.Source != telemetry.SourceEngine || ev.Session != "default-1" || ev.Time.IsZero() {
			t.Fatalf("event %+v", ev)
		}
		names[ev.Task] = append(names[ev.Task], ev.Name)
		switch ev.Name {
		case telemetry.EventComplete:
			if ev.Task == dl.ID() && (ev.Payload["bytesReceived"] != int64(300_000) || ev.Payload["status"] != 200 || ev.Payload["code"] != nil) {
				t.Fatalf("download completion %v", ev.Payload)
			}
			if ev.Task == up.ID() && ev.Payload["bytesSent"] != int64(5) {
				t.Fatalf("upload completion %v", ev.Payload)
			}
		case telemetry.EventTaskStart:
			if ev.Task == up.ID() && (ev.Payload["method"] != "POST" || ev.Payload["kind"] != "upload") {
				t.Fatalf("upload start %v", ev.Payload)
			}
		case telemetry.EventFinishDownloading:
			if ref := ev.Payload["file"].(telemetry.FileRef); ref.Size != 300_000 || ref.Path == "" {
				t.Fatalf("download file %+v", ref)
			}
		}
	}
	dlNames := strings.Join(names[dl.ID()], ",")
	if !strings.HasPrefix(dlNames, "taskStart,response,downloadProgress") ||
		!strings.HasSuffix(dlNames, "downloadProgress,finishDownloading,complete") {
		t.Fatalf("download events in order: %s", dlNames)
	}
	if got := strings.Join(names[0], ","); got != telemetry.EventSessionInvalid {
		t.Fatalf("session events: %s", got)
	}
	// One exchange per network request: the redirect, the file, the upload.
	if len(sink.exchanges) != 3 {
		t.Fatalf("%d exchanges, want 3", len(sink.exchanges))
	}
	byURL := map[string]telemetry.Exchange{}
	for _, x := range sink.exchanges {
		byURL[strings.TrimPrefix(x.URL, srv.URL)] = x
	}
	if x := byURL["/moved"]; x.Status != 302 || x.Task != dl.ID() || x.Session != "default-1" {
		t.Fatalf("redirect exchange %+v", x)
	}
	if x := byURL["/file.bin"]; x.Status != 200 || x.ResponseBodySize != 300_000 || x.Task != dl.ID() {
		t.Fatalf("file exchange %+v", x)
	}
	if x := byURL["/upload"]; x.Method != "POST" || x.RequestBodySize != 5 || x.Task != up.ID() {
		t.Fatalf("upload exchange %+v", x)
	}
}

func TestSessionNamesWithoutObserver(t *testing.T) {
	e := newTestEngine(t)
	cfg := EphemeralConfiguration()
	a, _ := newTestSession(t, e, cfg)
	cfg.Identifier = "named"
	b, _ := newTestSession(t, e, cfg)
	if a.Name() != "ephemeral-1" || b.Name() != "named" || a.observer != nil {
		t.Fatalf("names %q %q", a.Name(), b.Name())
	}
}
