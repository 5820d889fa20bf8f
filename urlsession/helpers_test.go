package urlsession

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(holdStoresEnv); dir != "" {
		os.Exit(holdStores(dir)) // a child process of TestTwoProcessesShareADataDir
	}
	goleak.VerifyTestMain(m)
}

// testTimeout bounds every wait in these tests; generous because machines are noisy.
const testTimeout = 30 * time.Second

type progressEvent struct{ delta, total, expected int64 }

// recorder is a Delegate that records everything, checks the per-task ordering
// invariants, and lets tests wait for completions.
type recorder struct {
	mu          sync.Mutex
	log         []string // "response 1", "write 1", "send 1", "finish 1", "complete 1", "invalid"
	responses   map[uint64]*Response
	writes      map[uint64][]progressEvent
	sends       map[uint64][]progressEvent
	files       map[uint64][]byte
	fileModes   map[uint64]os.FileMode
	locations   map[uint64]string
	completions map[uint64]int
	errs        map[uint64]*URLError
	violations  []string
	invalidated int
	waiters     map[uint64]chan struct{}
	invalidCh   chan struct{}

	onWrite  func(t *Task) // optional hooks, called outside the lock
	onFinish func(t *Task, loc string)
}

func newRecorder() *recorder {
	return &recorder{
		responses: map[uint64]*Response{}, writes: map[uint64][]progressEvent{},
		sends: map[uint64][]progressEvent{}, files: map[uint64][]byte{},
		fileModes: map[uint64]os.FileMode{}, locations: map[uint64]string{},
		completions: map[uint64]int{}, errs: map[uint64]*URLError{},
		waiters: map[uint64]chan struct{}{}, invalidCh: make(chan struct{}),
	}
}

func (r *recorder) violate(format string, args ...any) {
	r.violations = append(r.violations, fmt.Sprintf(format, args...))
}

func (r *recorder) DidReceiveResponse(t *Task, resp *Response) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.completions[t.ID()] > 0 {
		r.violate("response after completion of task %d", t.ID())
	}
	r.responses[t.ID()] = resp
	r.log = append(r.log, fmt.Sprintf("response %d", t.ID()))
}

func (r *recorder) DidWriteData(t *Task, w, tw, te int64) {
	r.mu.Lock()
	if r.completions[t.ID()] > 0 || r.locations[t.ID()] != "" {
		r.violate("progress after finish of task %d", t.ID())
	}
	if w <= 0 {
		r.violate("empty progress event for task %d", t.ID())
	}
	r.writes[t.ID()] = append(r.writes[t.ID()], progressEvent{w, tw, te})
	r.log = append(r.log, fmt.Sprintf("write %d", t.ID()))
	hook := r.onWrite
	r.mu.Unlock()
	if hook != nil {
		hook(t)
	}
}

func (r *recorder) DidSendBodyData(t *Task, s, ts, te int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.completions[t.ID()] > 0 {
		r.violate("upload progress after completion of task %d", t.ID())
	}
	r.sends[t.ID()] = append(r.sends[t.ID()], progressEvent{s, ts, te})
	r.log = append(r.log, fmt.Sprintf("send %d", t.ID()))
}

func (r *recorder) DidFinishDownloading(t *Task, loc string) {
	data, err := os.ReadFile(loc)
	st, serr := os.Stat(loc)
	r.mu.Lock()
	if err != nil || serr != nil {
		r.violate("download file of task %d unreadable: %v %v", t.ID(), err, serr)
	} else {
		r.fileModes[t.ID()] = st.Mode().Perm()
	}
	r.files[t.ID()] = data
	r.locations[t.ID()] = loc
	r.log = append(r.log, fmt.Sprintf("finish %d", t.ID()))
	hook := r.onFinish
	r.mu.Unlock()
	if hook != nil {
		hook(t, loc)
	}
}

func (r *recorder) DidComplete(t *Task, err *URLError) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.invalidated > 0 {
		r.violate("completion of task %d after invalidation", t.ID())
	}
	r.completions[t.ID()]++
	r.errs[t.ID()] = err
	r.log = append(r.log, fmt.Sprintf("complete %d", t.ID()))
	if ch, ok := r.waiters[t.ID()]; ok {
		close(ch)
		delete(r.waiters, t.ID())
	}
}

func (r *recorder) DidBecomeInvalid(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.invalidated++
	r.log = append(r.log, "invalid")
	if r.invalidated == 1 {
		close(r.invalidCh)
	}
}

// completed returns a channel closed once task id completed.
func (r *recorder) completed(id uint64) <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	ch, ok := r.waiters[id]
	if !ok {
		ch = make(chan struct{})
		if r.completions[id] > 0 {
			close(ch)
			return ch
		}
		r.waiters[id] = ch
	}
	return ch
}

// wait blocks until task id completed and returns its error.
func (r *recorder) wait(t testing.TB, id uint64) *URLError {
	t.Helper()
	select {
	case <-r.completed(id):
	case <-time.After(testTimeout):
		t.Fatalf("task %d did not complete within %v", id, testTimeout)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.errs[id]
}

func (r *recorder) waitInvalid(t testing.TB) {
	t.Helper()
	waitOn(t, r.invalidCh, "session did not become invalid")
}

// waitOn fails the test with msg unless ch is signalled within testTimeout.
func waitOn(t testing.TB, ch <-chan struct{}, msg string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(testTimeout):
		t.Fatal(msg)
	}
}

func (r *recorder) check(t testing.TB) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, v := range r.violations {
		t.Error(v)
	}
	for id, n := range r.completions {
		if n != 1 {
			t.Errorf("task %d completed %d times", id, n)
		}
	}
}

func (r *recorder) lastWrite(id uint64) progressEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	w := r.writes[id]
	if len(w) == 0 {
		return progressEvent{}
	}
	return w[len(w)-1]
}

// newTestEngine returns an engine whose data lives in a test directory and which is
// closed at the end of the test (checking nothing is left behind).
func newTestEngine(t testing.TB) *Engine {
	t.Helper()
	dataDir := t.TempDir()
	e, err := NewEngine(EngineOptions{DataDir: dataDir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := e.Close(); err != nil {
			t.Error(err)
		}
		left, _ := os.ReadDir(e.Dir())
		for _, l := range left {
			if l.Name() == resumeDirName {
				parts, _ := os.ReadDir(filepath.Join(e.Dir(), l.Name()))
				for _, p := range parts {
					t.Errorf("partial download left after Close: %s", p.Name())
				}
				continue
			}
			t.Errorf("left in the engine directory after Close: %s", l.Name())
		}
	})
	return e
}

func newTestSession(t testing.TB, e *Engine, cfg Configuration) (*Session, *recorder) {
	t.Helper()
	rec := newRecorder()
	s, err := e.NewSession(cfg, rec)
	if err != nil {
		t.Fatal(err)
	}
	return s, rec
}

// start creates and resumes a task of the given kind.
func start(t testing.TB, s *Session, kind TaskKind, r Request) *Task {
	t.Helper()
	var task *Task
	var err error
	switch kind {
	case KindDataTask:
		task, err = s.DataTask(r)
	case KindDownloadTask:
		task, err = s.DownloadTask(r)
	case KindUploadTask:
		task, err = s.UploadTask(r)
	}
	if err != nil {
		t.Fatal(err)
	}
	task.Resume()
	return task
}

func wantCode(t testing.TB, err *URLError, code int) {
	t.Helper()
	if code == 0 {
		if err != nil {
			t.Fatalf("want success, got %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("want error %d, got success", code)
	}
	if err.Code != code {
		t.Fatalf("want error %d, got %d (%v)", code, err.Code, err)
	}
	if err.Message == "" || err.URL == "" {
		t.Fatalf("error lacks message or URL: %#v", err)
	}
}
