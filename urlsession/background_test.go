package urlsession

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tirun/tirun/urlsession/journal"
)

// bgEngine opens an engine on dataDir, closed at the end of the test (Close is idempotent).
func bgEngine(t *testing.T, dataDir string) *Engine {
	t.Helper()
	e, err := NewEngine(EngineOptions{DataDir: dataDir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// backgroundFiles lists what the background directories of dataDir hold.
func backgroundFiles(t *testing.T, dataDir string) []string {
	t.Helper()
	var out []string
	root := filepath.Join(dataDir, backgroundDirName)
	_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, strings.TrimPrefix(p, root))
		}
		return nil
	})
	return out
}

// heldDownload is a background download whose server holds the body after a point.
type heldDownload struct {
	rs      *rangeServer
	release func() // lets the server send the rest; idempotent, and run at cleanup
	e       *Engine
	s       *Session
	rec     *recorder
	task    *Task
}

// startHeldDownload opens an engine on dataDir and a session from cfg, starts a
// download of payload and returns once the server holds it after holdAt bytes.
func startHeldDownload(t *testing.T, dataDir string, cfg Configuration, payload []byte, holdAt int) heldDownload {
	t.Helper()
	rs := newRangeServer(t, payload, rangesHonoured)
	held, release := rs.holdAfter(holdAt)
	e := bgEngine(t, dataDir)
	t.Cleanup(release) // registered last: runs before the engine and the server close
	s, rec := newTestSession(t, e, cfg)
	task := start(t, s, KindDownloadTask, Request{URL: rs.URL + "/file"})
	waitOn(t, held, "the download never reached the hold point")
	return heldDownload{rs: rs, release: release, e: e, s: s, rec: rec, task: task}
}

func TestBackgroundDownloadContinuesInTheNextEngineWithRange(t *testing.T) {
	payload := newPayload(3<<20, 7)
	dataDir := t.TempDir()
	cfg := BackgroundConfiguration("com.example.bg")

	h := startHeldDownload(t, dataDir, cfg, payload, 1<<20)
	rs, release, e1, rec1, task := h.rs, h.release, h.e, h.rec, h.task
	waitFor(t, func() bool { return task.CountOfBytesReceived() == 1<<20 })
	// Close while the body is stalled mid-way: the task must stay for the next engine.
	if err := e1.Close(); err != nil {
		t.Fatal(err)
	}
	rec1.mu.Lock()
	if n := rec1.completions[task.ID()]; n != 0 {
		t.Fatalf("a detached background task completed %d times in the closing engine", n)
	}
	rec1.mu.Unlock()
	release()
	if testing.Verbose() {
		j, _ := journalOpenForTest(dataDir)
		recs, _ := j.Tasks("com.example.bg")
		t.Logf("journal: %+v", recs)
		j.Close()
	}

	e2 := bgEngine(t, dataDir)
	pending, err := e2.PendingBackgroundSessions()
	if err != nil || !slices.Equal(pending, []string{"com.example.bg"}) {
		t.Fatalf("PendingBackgroundSessions = %v, %v", pending, err)
	}
	s2, rec2 := newTestSession(t, e2, cfg)
	rec := s2.Recovered()
	if len(rec) != 1 || rec[0].ID() != task.ID() || !rec[0].Recovered() || rec[0].State() != StateSuspended {
		t.Fatalf("Recovered = %v", rec)
	}
	s2.DeliverRecovered()
	rec[0].Resume()
	if err := rec2.wait(t, task.ID()); err != nil {
		t.Fatalf("resumed download failed: %v", err)
	}
	rec2.mu.Lock()
	got := rec2.files[task.ID()]
	rec2.mu.Unlock()
	if !bytes.Equal(got, payload) {
		t.Fatalf("resumed file differs: %d bytes, want %d", len(got), len(payload))
	}
	log := rs.log()
	last := log[len(log)-1]
	if r := last.Get("Range"); !strings.HasPrefix(r, "bytes=") || r == "bytes=0-" || last.Get("If-Range") == "" {
		t.Fatalf("the second engine did not continue with Range/If-Range: %v", last)
	}
	// The next task's id continues after the journaled one.
	t2, err := s2.DataTask(Request{URL: rs.URL + "/file"})
	if err != nil {
		t.Fatal(err)
	}
	if t2.ID() <= task.ID() {
		t.Fatalf("task id %d repeats an earlier process's id %d", t2.ID(), task.ID())
	}
	t2.Cancel()
	for _, name := range []string{evNameDownload, evNameComplete} {
		if err := rec[0].MarkDelivered(name); err != nil {
			t.Fatal(err)
		}
	}
	if err := e2.AcknowledgeBackground("com.example.bg"); err != nil {
		t.Fatal(err)
	}
	rec2.wait(t, t2.ID())
	if err := e2.Close(); err != nil {
		t.Fatal(err)
	}
	rec2.check(t)
	if left := backgroundFiles(t, dataDir); len(left) != 0 {
		t.Fatalf("files left after acknowledgement: %v", left)
	}
	e3 := bgEngine(t, dataDir)
	if p, err := e3.PendingBackgroundSessions(); err != nil || len(p) != 0 {
		t.Fatalf("after acknowledgement PendingBackgroundSessions = %v, %v", p, err)
	}
}

func TestBackgroundEventsNotDeliveredAreDeliveredByTheNextEngine(t *testing.T) {
	payload := newPayload(200<<10, 9)
	rs := newRangeServer(t, payload, rangesUnsupported)
	dataDir := t.TempDir()
	cfg := BackgroundConfiguration("undelivered")

	e1 := bgEngine(t, dataDir)
	s1, rec1 := newTestSession(t, e1, cfg)
	task := start(t, s1, KindDownloadTask, Request{URL: rs.URL + "/file"})
	if err := rec1.wait(t, task.ID()); err != nil {
		t.Fatal(err)
	}
	// Only the download event reaches the app; then the process "dies".
	if err := task.MarkDelivered(evNameDownload); err != nil {
		t.Fatal(err)
	}
	e1.Close()

	e2 := bgEngine(t, dataDir)
	s2, rec2 := newTestSession(t, e2, cfg)
	rec := s2.Recovered()
	if len(rec) != 1 || rec[0].State() != StateCompleted {
		t.Fatalf("Recovered = %v", rec)
	}
	s2.DeliverRecovered()
	if err := rec2.wait(t, task.ID()); err != nil {
		t.Fatalf("replayed completion carries an error: %v", err)
	}
	rec2.mu.Lock()
	finishes := len(rec2.files)
	rec2.mu.Unlock()
	if finishes != 0 {
		t.Fatal("a delivered downloadcompleted was delivered again")
	}
	if err := rec[0].MarkDelivered(evNameComplete); err != nil {
		t.Fatal(err)
	}
	e2.Close()

	// Not acknowledged: the session is still pending (delivered, unacknowledged), but
	// nothing is delivered a third time.
	e3 := bgEngine(t, dataDir)
	if p, _ := e3.PendingBackgroundSessions(); !slices.Equal(p, []string{"undelivered"}) {
		t.Fatalf("pending = %v", p)
	}
	s3, rec3 := newTestSession(t, e3, cfg)
	if r := s3.Recovered(); len(r) != 0 {
		t.Fatalf("delivered events recovered again: %v", r)
	}
	if err := e3.AcknowledgeBackground("undelivered"); err != nil {
		t.Fatal(err)
	}
	e3.Close()
	rec3.check(t)
	if left := backgroundFiles(t, dataDir); len(left) != 0 {
		t.Fatalf("files left after acknowledgement: %v", left)
	}
}

func TestBackgroundDownloadFileKeptUntilDeliveredThenForgotten(t *testing.T) {
	payload := newPayload(100<<10, 3)
	rs := newRangeServer(t, payload, rangesHonoured)
	dataDir := t.TempDir()
	e := bgEngine(t, dataDir)
	s, rec := newTestSession(t, e, BackgroundConfiguration("live"))
	var kept []byte
	rec.onFinish = func(_ *Task, loc string) { kept, _ = os.ReadFile(loc) }
	task := start(t, s, KindDownloadTask, Request{URL: rs.URL + "/file"})
	if err := rec.wait(t, task.ID()); err != nil {
		t.Fatal(err)
	}
	if !task.Journaled() || !bytes.Equal(kept, payload) {
		t.Fatalf("journaled=%v, file %d bytes", task.Journaled(), len(kept))
	}
	// Still on disk after DidFinishDownloading: it is the journaled event's file.
	if left := backgroundFiles(t, dataDir); len(left) != 1 {
		t.Fatalf("want the finished download kept, have %v", left)
	}
	if err := task.Forget(); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if left := backgroundFiles(t, dataDir); len(left) != 0 {
		t.Fatalf("files left after Forget and Close: %v", left)
	}
}

func TestBackgroundSessionWithDamagedJournalStartsFresh(t *testing.T) {
	dataDir := t.TempDir()
	dir := filepath.Join(dataDir, journalDirName)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "journal.db"), bytes.Repeat([]byte("garbage!"), 3000), 0o600); err != nil {
		t.Fatal(err)
	}
	payload := newPayload(10<<10, 1)
	rs := newRangeServer(t, payload, rangesHonoured)
	e := bgEngine(t, dataDir)
	s, rec := newTestSession(t, e, BackgroundConfiguration("after-damage"))
	r := e.JournalRecovery()
	if r == nil || !strings.Contains(r.String(), "damaged") || !strings.Contains(r.String(), r.MovedTo) {
		t.Fatalf("JournalRecovery = %v", r)
	}
	if _, err := os.Stat(r.MovedTo); err != nil {
		t.Fatalf("the damaged journal was not kept aside: %v", err)
	}
	task := start(t, s, KindDownloadTask, Request{URL: rs.URL + "/file"})
	if err := rec.wait(t, task.ID()); err != nil {
		t.Fatal(err)
	}
	if task.ID() != 1 || !task.Journaled() {
		t.Fatalf("fresh journal: id %d journaled %v", task.ID(), task.Journaled())
	}
}

func TestBackgroundJournalInUseByAnotherEngineIsAClearError(t *testing.T) {
	dataDir := t.TempDir()
	e1 := bgEngine(t, dataDir)
	newTestSession(t, e1, BackgroundConfiguration("a"))
	e2 := bgEngine(t, dataDir)
	_, err := e2.NewSession(BackgroundConfiguration("a"), newRecorder())
	if err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("second engine on the same data directory: err = %v", err)
	}
}

func journalOpenForTest(dataDir string) (*journal.Journal, error) {
	return journal.Open(filepath.Join(dataDir, journalDirName))
}

func TestBackgroundSessionRecreatedInTheSameEngineDoesNotRunTasksTwice(t *testing.T) {
	cfg := BackgroundConfiguration("same")
	h := startHeldDownload(t, t.TempDir(), cfg, newPayload(1<<20, 5), 256<<10)
	rs, release, e, s1, rec1, task := h.rs, h.release, h.e, h.s, h.rec, h.task
	s1.FinishTasksAndInvalidate() // still finishing its task
	s2, rec2 := newTestSession(t, e, cfg)
	if r := s2.Recovered(); len(r) != 0 {
		t.Fatalf("a live session's task was recovered by its successor: %v", r)
	}
	release()
	if err := rec1.wait(t, task.ID()); err != nil {
		t.Fatal(err)
	}
	rec1.waitInvalid(t)
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	rec1.check(t)
	rec2.check(t)
	if len(rs.log()) != 1 {
		t.Fatalf("the server saw %d requests, want 1", len(rs.log()))
	}
}

// A NewSession that fails must leave nothing claimed or open: after Close it opens no
// journal, and a failed background session gives its recovered tasks to the next one.
func TestFailedNewSessionKeepsNothing(t *testing.T) {
	dataDir := t.TempDir()
	cfg := BackgroundConfiguration("failing")

	h := startHeldDownload(t, dataDir, cfg, newPayload(1<<20, 3), 256<<10)
	release, e1, task := h.release, h.e, h.task
	if err := e1.Close(); err != nil { // leaves the task to the next engine
		t.Fatal(err)
	}
	release()
	if _, err := e1.NewSession(cfg, newRecorder()); err == nil || !strings.Contains(err.Error(), "closed engine") {
		t.Fatalf("NewSession on a closed engine: err = %v", err)
	}
	j, err := journalOpenForTest(dataDir) // in use if the closed engine had opened it again
	if err != nil {
		t.Fatalf("the closed engine holds the journal: %v", err)
	}
	j.Close()

	e2 := bgEngine(t, dataDir)
	bad := cfg
	bad.TLSMinimumVersion = 1
	if _, err := e2.NewSession(bad, newRecorder()); err == nil {
		t.Fatal("NewSession with an invalid TLS version succeeded")
	}
	s2, rec2 := newTestSession(t, e2, cfg)
	rec := s2.Recovered()
	if len(rec) != 1 || rec[0].ID() != task.ID() {
		t.Fatalf("after a failed NewSession, Recovered = %v; want task %d", rec, task.ID())
	}
	s2.DeliverRecovered()
	rec[0].Resume()
	if err := rec2.wait(t, task.ID()); err != nil {
		t.Fatal(err)
	}
}
