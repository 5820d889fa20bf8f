package urlsession

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

func decodeForTest(t testing.TB, data []byte) resumeInfo {
	t.Helper()
	var ri resumeInfo
	if err := json.Unmarshal(data, &ri); err != nil {
		t.Fatalf("resume data is not JSON: %v: %q", err, data)
	}
	return ri
}

// resumeFrom starts a download task from data.
func resumeFrom(t testing.TB, s *Session, data []byte) *Task {
	t.Helper()
	task, err := s.DownloadTaskWithResumeData(data)
	if err != nil {
		t.Fatal(err)
	}
	task.Resume()
	return task
}

// TestResumeAfterRandomDrops cuts one download 50 times at random bytes and resumes
// it from the failure's resume data each time; the file must end byte-exact whatever
// the server does with the Range requests.
func TestResumeAfterRandomDrops(t *testing.T) {
	const size = 2 << 20
	for _, tc := range []struct {
		name     string
		mode     rangeMode
		appended bool // each resume continues (206) rather than starting over (200)
	}{
		{"ranges", rangesHonoured, true},
		{"range ignored", rangesIgnored, false},
		{"etag changes", rangesETagChanges, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			payload := newPayload(size, uint64(tc.mode)+7)
			srv := newRangeServer(t, payload, tc.mode)
			srv.dropNext(50, size/120)
			e := newTestEngine(t)
			s, rec := newTestSession(t, e, DefaultConfiguration())
			task := start(t, s, KindDownloadTask, Request{URL: srv.URL + "/file",
				Header: []Header{{"x-MiXeD-case", "kept"}}})
			var prev int64
			for i := 0; i < 50; i++ {
				uerr := rec.wait(t, task.ID())
				wantCode(t, uerr, CodeNetworkConnectionLost)
				if uerr.ResumeData == nil {
					t.Fatalf("drop %d: a lost connection mid-body carries no resume data", i)
				}
				ri := decodeForTest(t, uerr.ResumeData)
				if ri.Version != resumeFormatVersion || ri.URL != srv.URL+"/file" || ri.ExpectedLength != size {
					t.Fatalf("drop %d: resume data %+v", i, ri)
				}
				if len(ri.Header) != 1 || ri.Header[0] != (Header{"x-MiXeD-case", "kept"}) {
					t.Fatalf("drop %d: original headers not kept in exact case: %+v", i, ri.Header)
				}
				if tc.appended && ri.BytesReceived <= prev {
					t.Fatalf("drop %d: %d bytes received, no more than before (%d)", i, ri.BytesReceived, prev)
				}
				prev = ri.BytesReceived
				part := filepath.Join(e.resumeDir(), ri.PartialFile)
				st, err := os.Stat(part)
				if err != nil || st.Size() != ri.BytesReceived || st.Mode().Perm() != 0o600 {
					t.Fatalf("drop %d: partial file %s: %v (size %d want %d, mode %v)", i, part, err, st.Size(), ri.BytesReceived, st.Mode())
				}
				task = resumeFrom(t, s, uerr.ResumeData)
			}
			wantCode(t, rec.wait(t, task.ID()), 0)
			got, writes := rec.fileOf(task.ID()), rec.writesOf(task.ID())
			if sum(got) != sum(payload) {
				t.Fatalf("resumed file differs from the payload (%d bytes, want %d)", len(got), size)
			}
			first, last := writes[0], writes[len(writes)-1]
			if last.total != size || last.expected != size {
				t.Fatalf("last progress %+v, want total and expected %d", last, size)
			}
			if start := first.total - first.delta; tc.appended && start != prev || !tc.appended && start != 0 {
				t.Fatalf("resumed progress starts at %d (resume offset %d, appended %v)", start, prev, tc.appended)
			}
			reqs := srv.log()
			lastReq := reqs[len(reqs)-1]
			if want := "bytes=" + strconv.FormatInt(prev, 10) + "-"; lastReq.Get("Range") != want || lastReq.Get("If-Range") == "" {
				t.Fatalf("last request Range %q If-Range %q, want %q with a validator", lastReq.Get("Range"), lastReq.Get("If-Range"), want)
			}
			rec.check(t)
		})
	}
}

// TestNoResumeDataWithoutRanges: a server that does not announce byte ranges (or a
// body without validators) gives no resume data, and no partial file stays behind.
func TestNoResumeDataWithoutRanges(t *testing.T) {
	payload := newPayload(256<<10, 3)
	srv := newRangeServer(t, payload, rangesUnsupported)
	srv.dropNext(1, 64<<10)
	e := newTestEngine(t)
	s, rec := newTestSession(t, e, DefaultConfiguration())
	task := start(t, s, KindDownloadTask, Request{URL: srv.URL + "/file"})
	uerr := rec.wait(t, task.ID())
	wantCode(t, uerr, CodeNetworkConnectionLost)
	if uerr.ResumeData != nil {
		t.Fatalf("resume data without range support: %s", uerr.ResumeData)
	}
	// Starting over is the caller's move, and it ends exact.
	task = start(t, s, KindDownloadTask, Request{URL: srv.URL + "/file"})
	wantCode(t, rec.wait(t, task.ID()), 0)
	if sum(rec.fileOf(task.ID())) != sum(payload) {
		t.Fatal("download differs from the payload")
	}
	if parts, _ := os.ReadDir(e.resumeDir()); len(parts) != 0 {
		t.Fatalf("partial files kept without resume data: %v", parts)
	}
}

// TestResumeRangeRefused: a 416, or a 206 starting elsewhere than asked, makes the
// task fetch the whole body again with a plain GET.
func TestResumeRangeRefused(t *testing.T) {
	for _, mode := range []rangeMode{rangesRefused, rangesMisplaced} {
		payload := newPayload(512<<10, uint64(mode))
		srv := newRangeServer(t, payload, mode)
		srv.dropNext(1, 100<<10)
		e := newTestEngine(t)
		s, rec := newTestSession(t, e, DefaultConfiguration())
		task := start(t, s, KindDownloadTask, Request{URL: srv.URL + "/file"})
		uerr := rec.wait(t, task.ID())
		wantCode(t, uerr, CodeNetworkConnectionLost)
		task = resumeFrom(t, s, uerr.ResumeData)
		wantCode(t, rec.wait(t, task.ID()), 0)
		reqs := srv.log()
		if len(reqs) != 3 || reqs[1].Get("Range") == "" || reqs[2].Get("Range") != "" || reqs[2].Get("If-Range") != "" {
			t.Fatalf("mode %d: want a ranged request then a plain one, got %d requests: %v", mode, len(reqs), reqs)
		}
		if sum(rec.fileOf(task.ID())) != sum(payload) {
			t.Fatalf("mode %d: download differs from the payload", mode)
		}
		if w := rec.writesOf(task.ID()); w[len(w)-1].total != int64(len(payload)) {
			t.Fatalf("mode %d: last progress %+v", mode, w[len(w)-1])
		}
		rec.check(t)
	}
}

// TestCancelByProducingResumeData cancels a download half way, gets resume data on
// the delegate goroutine before the -999 completion, and resumes to the exact file.
func TestCancelByProducingResumeData(t *testing.T) {
	const size = 1 << 20
	payload := newPayload(size, 11)
	srv := newRangeServer(t, payload, rangesHonoured)
	held, release := srv.holdAfter(size / 2)
	t.Cleanup(release)
	e := newTestEngine(t)
	s, rec := newTestSession(t, e, DefaultConfiguration())
	task := start(t, s, KindDownloadTask, Request{URL: srv.URL + "/file"})
	waitOn(t, held, "the server never sent half the body")
	waitFor(t, func() bool { return task.CountOfBytesReceived() == size/2 })

	got := make(chan []byte, 2)
	task.CancelByProducingResumeData(func(data []byte) {
		rec.mu.Lock()
		done := rec.completions[task.ID()]
		rec.mu.Unlock()
		if done != 0 {
			t.Error("resume data delivered after the completion")
		}
		got <- data
	})
	wantCode(t, rec.wait(t, task.ID()), CodeCancelled)
	release()
	data := <-got
	if data == nil {
		t.Fatal("no resume data from a resumable download")
	}
	if ri := decodeForTest(t, data); ri.BytesReceived != size/2 || ri.ETag != `"v1"` {
		t.Fatalf("resume data %+v", ri)
	}
	// Cancelling a completed task, or again, gives nil.
	task.CancelByProducingResumeData(func(d []byte) { got <- d })
	if d := <-got; d != nil {
		t.Fatal("a completed task produced resume data")
	}

	task = resumeFrom(t, s, data)
	wantCode(t, rec.wait(t, task.ID()), 0)
	if sum(rec.fileOf(task.ID())) != sum(payload) {
		t.Fatal("resumed download differs from the payload")
	}
	if w := rec.writesOf(task.ID()); w[0].total-w[0].delta != size/2 {
		t.Fatalf("resumed progress does not start at the resume offset: %+v", w[0])
	}
	if reqs := srv.log(); reqs[1].Get("Range") != "bytes=524288-" || reqs[1].Get("If-Range") != `"v1"` {
		t.Fatalf("resume request headers %v", reqs[1])
	}
	rec.check(t)
}

// TestCancelUnstartedResumedTask hands back the same data: nothing was touched.
func TestCancelUnstartedResumedTask(t *testing.T) {
	payload := newPayload(128<<10, 5)
	srv := newRangeServer(t, payload, rangesHonoured)
	srv.dropNext(1, 32<<10)
	e := newTestEngine(t)
	s, rec := newTestSession(t, e, DefaultConfiguration())
	uerr := rec.wait(t, start(t, s, KindDownloadTask, Request{URL: srv.URL + "/file"}).ID())
	wantCode(t, uerr, CodeNetworkConnectionLost)
	task, err := s.DownloadTaskWithResumeData(uerr.ResumeData)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan []byte, 1)
	task.CancelByProducingResumeData(func(d []byte) { got <- d })
	wantCode(t, rec.wait(t, task.ID()), CodeCancelled)
	if d := <-got; string(d) != string(uerr.ResumeData) {
		t.Fatalf("unstarted task gave %q, want the data it was made from", d)
	}
	task = resumeFrom(t, s, uerr.ResumeData)
	wantCode(t, rec.wait(t, task.ID()), 0)
	if sum(rec.fileOf(task.ID())) != sum(payload) {
		t.Fatal("download differs from the payload")
	}
}

// TestCancelWithoutResumeData: data tasks, non-resumable bodies and plain Cancel give
// nil and leave no partial file.
func TestCancelWithoutResumeData(t *testing.T) {
	payload := newPayload(256<<10, 9)
	srv := newRangeServer(t, payload, rangesUnsupported)
	held, release := srv.holdAfter(64 << 10)
	t.Cleanup(release)
	e := newTestEngine(t)
	s, rec := newTestSession(t, e, DefaultConfiguration())
	task := start(t, s, KindDownloadTask, Request{URL: srv.URL + "/file"})
	<-held
	waitFor(t, func() bool { return task.CountOfBytesReceived() > 0 })
	got := make(chan []byte, 1)
	task.CancelByProducingResumeData(func(d []byte) { got <- d })
	wantCode(t, rec.wait(t, task.ID()), CodeCancelled)
	if d := <-got; d != nil {
		t.Fatalf("resume data for a server without ranges: %s", d)
	}
	release()
	data := start(t, s, KindDataTask, Request{URL: srv.URL + "/file"})
	data.CancelByProducingResumeData(func(d []byte) { got <- d })
	rec.wait(t, data.ID())
	if d := <-got; d != nil {
		t.Fatal("a data task produced resume data")
	}
	if parts, _ := os.ReadDir(e.resumeDir()); len(parts) != 0 {
		t.Fatalf("partial files left: %v", parts)
	}
}

// TestInvalidResumeData: what cannot be resumed fails with -1002 as on Darwin; a
// missing partial file restarts the download from zero instead.
func TestInvalidResumeData(t *testing.T) {
	payload := newPayload(200<<10, 13)
	srv := newRangeServer(t, payload, rangesHonoured)
	e := newTestEngine(t)
	s, rec := newTestSession(t, e, DefaultConfiguration())
	fresh := func() []byte { // a failure with real resume data
		srv.dropNext(1, 50<<10)
		uerr := rec.wait(t, start(t, s, KindDownloadTask, Request{URL: srv.URL + "/file"}).ID())
		wantCode(t, uerr, CodeNetworkConnectionLost)
		return uerr.ResumeData
	}
	edit := func(data []byte, f func(m map[string]any)) []byte {
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatal(err)
		}
		f(m)
		out, _ := json.Marshal(m)
		return out
	}
	outside := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(outside, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	valid := fresh()
	ri := decodeForTest(t, valid)
	for name, data := range map[string][]byte{
		"empty":         nil,
		"garbage":       []byte("\x00not json"),
		"wrong version": edit(valid, func(m map[string]any) { m["version"] = 99 }),
		"other method":  edit(valid, func(m map[string]any) { m["method"] = "POST" }),
		"no validator":  edit(valid, func(m map[string]any) { delete(m, "etag") }),
		"path escape":   edit(valid, func(m map[string]any) { m["partialFile"] = "../../" + filepath.Base(outside) }),
		"absolute path": edit(valid, func(m map[string]any) { m["partialFile"] = outside }),
		"bad url":       edit(valid, func(m map[string]any) { m["url"] = "ftp://example.invalid/x" }),
		"size mismatch": edit(valid, func(m map[string]any) { m["bytesReceived"] = ri.BytesReceived + 1 }),
	} {
		task := resumeFrom(t, s, data)
		uerr := rec.wait(t, task.ID())
		if uerr == nil || uerr.Code != CodeUnsupportedURL || uerr.ResumeData != nil {
			t.Errorf("%s: want -1002 without resume data, got %v", name, uerr)
		}
	}
	if b, err := os.ReadFile(outside); err != nil || string(b) != "keep me" {
		t.Fatalf("a file outside the resume directory was touched: %q %v", b, err)
	}
	// The size mismatch found the real file damaged and removed it; data with a
	// vanished file downloads from zero.
	if _, err := os.Stat(filepath.Join(e.resumeDir(), ri.PartialFile)); !os.IsNotExist(err) {
		t.Fatalf("partial file of invalid data still there: %v", err)
	}
	before := len(srv.log())
	task := resumeFrom(t, s, valid)
	wantCode(t, rec.wait(t, task.ID()), 0)
	if reqs := srv.log()[before:]; len(reqs) != 1 || reqs[0].Get("Range") != "" {
		t.Fatalf("a vanished partial file should give one plain GET, got %v", reqs)
	}
	if sum(rec.fileOf(task.ID())) != sum(payload) {
		t.Fatal("download differs from the payload")
	}

	// The same data used twice: the second task finds the file claimed and starts over.
	valid = fresh()
	a, b := resumeFrom(t, s, valid), resumeFrom(t, s, valid)
	wantCode(t, rec.wait(t, a.ID()), 0)
	wantCode(t, rec.wait(t, b.ID()), 0)
	if sum(rec.fileOf(a.ID())) != sum(payload) || sum(rec.fileOf(b.ID())) != sum(payload) {
		t.Fatal("one of two tasks from the same resume data is not exact")
	}
	rec.check(t)
}

// TestStalePartialsRemovedAtStart: unused partial files older than stalePartialAge
// go when an engine starts; recent ones stay.
func TestStalePartialsRemovedAtStart(t *testing.T) {
	data := t.TempDir()
	dir := filepath.Join(data, "urlsession", resumeDirName)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	old, recent, other := filepath.Join(dir, "partial-1.tmp"), filepath.Join(dir, "partial-2.tmp"), filepath.Join(dir, "notes.txt")
	for _, p := range []string{old, recent, other} {
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	past := time.Now().Add(-stalePartialAge - time.Hour)
	for _, p := range []string{old, other} {
		if err := os.Chtimes(p, past, past); err != nil {
			t.Fatal(err)
		}
	}
	e, err := NewEngine(EngineOptions{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Errorf("stale partial file kept: %v", err)
	}
	for _, p := range []string{recent, other} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s removed: %v", filepath.Base(p), err)
		}
	}
}

func TestParseContentRange(t *testing.T) {
	for in, want := range map[string][3]int64{
		"bytes 10-19/20":  {10, 20, 1},
		"bytes 0-0/*":     {0, -1, 1},
		"bytes 5-4/20":    {0, 0, 0},
		"bytes 10-19/19":  {0, 0, 0},
		"items 0-1/2":     {0, 0, 0},
		"bytes x-1/2":     {0, 0, 0},
		"bytes 1-2":       {0, 0, 0},
		" bytes 3-9/100 ": {3, 100, 1},
	} {
		start, total, ok := parseContentRange(in)
		if ok != (want[2] == 1) || ok && (start != want[0] || total != want[1]) {
			t.Errorf("%q: got %d %d %v, want %v", in, start, total, ok, want)
		}
	}
}

// fileOf and writesOf copy what the recorder holds, so a failing check never runs
// with its lock held (the engine's cleanup needs it).
func (r *recorder) fileOf(id uint64) []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.files[id]
}

func (r *recorder) writesOf(id uint64) []progressEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]progressEvent(nil), r.writes[id]...)
}

func waitFor(t testing.TB, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(testTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in time")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestResumeAfterTimeout: a body that stalls past the idle timeout fails with -1001
// carrying resume data, which completes the download once the server moves again.
func TestResumeAfterTimeout(t *testing.T) {
	const size = 512 << 10
	payload := newPayload(size, 17)
	srv := newRangeServer(t, payload, rangesHonoured)
	_, release := srv.holdAfter(size / 4)
	t.Cleanup(release)
	e := newTestEngine(t)
	cfg := DefaultConfiguration()
	cfg.TimeoutIntervalForRequest = 300 * time.Millisecond
	s, rec := newTestSession(t, e, cfg)
	uerr := rec.wait(t, start(t, s, KindDownloadTask, Request{URL: srv.URL + "/file"}).ID())
	wantCode(t, uerr, CodeTimedOut)
	if uerr.ResumeData == nil {
		t.Fatal("a timed-out download carries no resume data")
	}
	if ri := decodeForTest(t, uerr.ResumeData); ri.BytesReceived != size/4 {
		t.Fatalf("resume data records %d bytes, the server sent %d", ri.BytesReceived, size/4)
	}
	release()
	task := resumeFrom(t, s, uerr.ResumeData)
	wantCode(t, rec.wait(t, task.ID()), 0)
	if sum(rec.fileOf(task.ID())) != sum(payload) {
		t.Fatal("download resumed after a timeout differs from the payload")
	}
	rec.check(t)
}
