package urlsession

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDataTaskDeliversBodyAndStatus(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
		if r.URL.Path == "/missing" {
			w.WriteHeader(404)
			io.WriteString(w, "not here")
			return
		}
		io.WriteString(w, "Kathmandu")
	}))
	defer srv.Close()
	e := newTestEngine(t)
	s, rec := newTestSession(t, e, DefaultConfiguration())

	ok := start(t, s, KindDataTask, Request{URL: srv.URL + "/Nepal"})
	missing := start(t, s, KindDataTask, Request{URL: srv.URL + "/missing"})
	if ok.ID() != 1 || missing.ID() != 2 {
		t.Fatalf("task ids = %d, %d; want 1, 2", ok.ID(), missing.ID())
	}
	wantCode(t, rec.wait(t, 1), 0)
	wantCode(t, rec.wait(t, 2), 0) // an HTTP status is never an error
	if got := string(ok.Body()); got != "Kathmandu" {
		t.Errorf("body = %q", got)
	}
	if got := string(missing.Body()); got != "not here" || missing.Response().StatusCode != 404 {
		t.Errorf("404 task: body %q status %d", got, missing.Response().StatusCode)
	}
	r := ok.Response()
	if r.StatusCode != 200 || r.MIMEType != "text/plain" || r.TextEncodingName != "utf-8" ||
		r.ExpectedContentLength != 9 || r.Proto != "HTTP/1.1" {
		t.Errorf("response = %+v", r)
	}
	if ok.State() != StateCompleted || ok.CountOfBytesReceived() != 9 || ok.CountOfBytesExpectedToReceive() != 9 {
		t.Errorf("state %v received %d expected %d", ok.State(), ok.CountOfBytesReceived(), ok.CountOfBytesExpectedToReceive())
	}
	s.FinishTasksAndInvalidate()
	rec.waitInvalid(t)
	rec.check(t)
}

func TestTasksStartSuspendedAndIDsCountPerSession(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	e := newTestEngine(t)
	s1, rec1 := newTestSession(t, e, DefaultConfiguration())
	s2, _ := newTestSession(t, e, EphemeralConfiguration())
	a, _ := s1.DataTask(Request{URL: srv.URL})
	b, _ := s1.DownloadTask(Request{URL: srv.URL})
	c, _ := s2.DataTask(Request{URL: srv.URL})
	if a.ID() != 1 || b.ID() != 2 || c.ID() != 1 {
		t.Fatalf("ids %d %d %d", a.ID(), b.ID(), c.ID())
	}
	if a.State() != StateSuspended {
		t.Fatalf("new task state = %v, want suspended", a.State())
	}
	a.Resume()
	wantCode(t, rec1.wait(t, 1), 0)
	b.Cancel() // never resumed: completes as cancelled
	wantCode(t, rec1.wait(t, 2), CodeCancelled)
	if b.State() != StateCompleted {
		t.Fatalf("cancelled task state %v", b.State())
	}
	b.Resume() // no effect on a completed task
	if b.State() != StateCompleted {
		t.Fatalf("resume changed a completed task to %v", b.State())
	}
	c.Cancel()
	rec1.check(t)
}

func TestDownloadTaskWritesPrivateFileAndRemovesIt(t *testing.T) {
	payload := bytes.Repeat([]byte("0123456789abcdef"), 200_000) // 3.2 MB
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(len(payload)))
		w.Write(payload)
	}))
	defer srv.Close()
	e := newTestEngine(t)
	s, rec := newTestSession(t, e, DefaultConfiguration())
	task := start(t, s, KindDownloadTask, Request{URL: srv.URL + "/file.bin"})
	wantCode(t, rec.wait(t, task.ID()), 0)

	rec.mu.Lock()
	data, loc, mode := rec.files[1], rec.locations[1], rec.fileModes[1]
	log := strings.Join(rec.log, ",")
	rec.mu.Unlock()
	if !bytes.Equal(data, payload) {
		t.Fatalf("downloaded %d bytes, want %d", len(data), len(payload))
	}
	if mode != 0o600 {
		t.Errorf("download file mode %v, want 0600", mode)
	}
	if !strings.HasPrefix(loc, e.Dir()+string(filepath.Separator)) {
		t.Errorf("download %s is outside the engine directory %s", loc, e.Dir())
	}
	if st, err := os.Stat(filepath.Dir(loc)); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("session directory mode: %v %v", st.Mode(), err)
	}
	if _, err := os.Stat(loc); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("download file still exists after DidFinishDownloading: %v", err)
	}
	last := rec.lastWrite(1)
	if last.total != int64(len(payload)) || last.expected != int64(len(payload)) {
		t.Errorf("final progress %+v, want total=expected=%d", last, len(payload))
	}
	if !strings.HasPrefix(log, "response 1,write 1") || !strings.HasSuffix(log, "write 1,finish 1,complete 1") {
		t.Errorf("event order %s", log)
	}
	var sum int64
	for _, w := range rec.writes[1] {
		sum += w.delta
	}
	if sum != int64(len(payload)) {
		t.Errorf("progress deltas add up to %d", sum)
	}
	dir := filepath.Dir(loc)
	s.FinishTasksAndInvalidate()
	rec.waitInvalid(t)
	<-s.Done()
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("session directory left after invalidation: %v", err)
	}
	rec.check(t)
}

func TestDownloadMovedByDelegateIsKept(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "keep me")
	}))
	defer srv.Close()
	e := newTestEngine(t)
	s, rec := newTestSession(t, e, DefaultConfiguration())
	dest := filepath.Join(t.TempDir(), "kept.txt")
	rec.onFinish = func(_ *Task, loc string) {
		if err := os.Rename(loc, dest); err != nil {
			t.Error(err)
		}
	}
	start(t, s, KindDownloadTask, Request{URL: srv.URL})
	wantCode(t, rec.wait(t, 1), 0)
	if got, err := os.ReadFile(dest); err != nil || string(got) != "keep me" {
		t.Fatalf("moved file: %q %v", got, err)
	}
}

func TestDownloadNameFromServerCannotEscape(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Disposition", `attachment; filename="../../../etc/evil.sh"`)
		io.WriteString(w, "payload")
	}))
	defer srv.Close()
	e := newTestEngine(t)
	s, rec := newTestSession(t, e, DefaultConfiguration())
	task := start(t, s, KindDownloadTask, Request{URL: srv.URL + "/x/..%2F..%2Fpasswd"})
	wantCode(t, rec.wait(t, task.ID()), 0)
	if got := task.Response().SuggestedFilename; got != "evil.sh" {
		t.Errorf("SuggestedFilename = %q", got)
	}
	rec.mu.Lock()
	loc := rec.locations[1]
	rec.mu.Unlock()
	if rel, err := filepath.Rel(e.Dir(), loc); err != nil || strings.HasPrefix(rel, "..") {
		t.Errorf("download at %s escapes %s", loc, e.Dir())
	}
	for name, want := range map[string]string{`a\..\..\b.txt`: "b.txt", "..": "", "x/.": "", "ok\x00.txt": "ok.txt"} {
		if got := safeBaseName(name); got != want {
			t.Errorf("safeBaseName(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestEngineWithoutDataDirRemovesItsDirectory(t *testing.T) {
	e, err := NewEngine(EngineOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dir := e.Dir()
	if st, err := os.Stat(dir); err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("engine dir %v %v", st, err)
	}
	if _, err := e.NewSession(DefaultConfiguration(), NopDelegate{}); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("engine dir left behind: %v", err)
	}
	if _, err := e.NewSession(DefaultConfiguration(), NopDelegate{}); err == nil {
		t.Fatal("NewSession on a closed engine succeeded")
	}
	if err := e.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func TestConfigurationIsCopiedAndReported(t *testing.T) {
	e := newTestEngine(t)
	cfg := BackgroundConfiguration("com.test.bg")
	cfg.HTTPAdditionalHeaders = []Header{{"X-A", "1"}}
	cfg.AllowsCellularAccess = false
	cfg.Discretionary = true
	cfg.WaitsForConnectivity = true
	cfg.HTTPMaximumConnectionsPerHost = 2
	cfg.TimeoutIntervalForRequest = 0 // takes the default
	s, _ := newTestSession(t, e, cfg)
	cfg.HTTPAdditionalHeaders[0].Value = "changed"
	got := s.Configuration()
	if got.HTTPAdditionalHeaders[0].Value != "1" || got.Identifier != "com.test.bg" || got.Kind != KindBackground {
		t.Errorf("configuration not copied: %+v", got)
	}
	if got.AllowsCellularAccess || !got.Discretionary || !got.WaitsForConnectivity || !got.SessionSendsLaunchEvents {
		t.Errorf("platform flags not reported back: %+v", got)
	}
	if got.HTTPMaximumConnectionsPerHost != 2 || got.TimeoutIntervalForRequest != DefaultRequestTimeout ||
		got.TimeoutIntervalForResource != DefaultResourceTimeout {
		t.Errorf("limits: %+v", got)
	}
	got.HTTPAdditionalHeaders[0].Value = "mutated"
	if s.Configuration().HTTPAdditionalHeaders[0].Value != "1" {
		t.Error("Configuration() returned shared slices")
	}
	if _, err := e.NewSession(BackgroundConfiguration(""), NopDelegate{}); err == nil {
		t.Error("background configuration without identifier accepted")
	}
	if _, err := e.NewSession(DefaultConfiguration(), nil); err == nil {
		t.Error("nil delegate accepted")
	}
	if _, err := s.UploadTask(Request{URL: "http://127.0.0.1/"}); err == nil {
		t.Error("upload task without body accepted")
	}
}
