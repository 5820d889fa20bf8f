package urlsession

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tirun/tirun/urlsession/credstore"
)

// TestResetDuringTransfer: Reset while a download is in flight empties the stores
// on disk (cookies, credentials, cache entries), calls done exactly once, and the
// download still completes byte-exact.
func TestResetDuringTransfer(t *testing.T) {
	const size = 1 << 20
	payload := newPayload(size, 21)
	dl := newRangeServer(t, payload, rangesHonoured)
	held, release := dl.holdAfter(size / 3)
	t.Cleanup(release)
	meta := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "resetme", Value: "1", Path: "/", Expires: time.Now().Add(time.Hour)})
		w.Header().Set("Cache-Control", "max-age=3600")
		w.Write([]byte("cacheable body"))
	}))
	t.Cleanup(meta.Close)

	data := t.TempDir()
	e, err := NewEngine(EngineOptions{DataDir: data, DiskCache: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	stores := filepath.Join(data, storesDirName)
	s, rec := newTestSession(t, e, DefaultConfiguration())
	wantCode(t, rec.wait(t, start(t, s, KindDataTask, Request{URL: meta.URL + "/doc"}).ID()), 0)
	if err := e.creds.Set(credstore.ProtectionSpace{Scheme: "http", Host: "127.0.0.1", Port: 1, Realm: "r",
		AuthMethod: "Basic"}, credstore.Credential{User: "resetuser", Password: "pw"}); err != nil {
		t.Fatal(err)
	}
	flushed := make(chan struct{})
	s.Flush(func() { close(flushed) })
	<-flushed
	fileHas := func(name, what string) bool {
		b, _ := os.ReadFile(filepath.Join(stores, name))
		return strings.Contains(string(b), what)
	}
	cacheEntries := func() int {
		ents, _ := os.ReadDir(filepath.Join(stores, cacheDirName))
		n := 0
		for _, e := range ents {
			if strings.HasSuffix(e.Name(), ".meta") || strings.HasSuffix(e.Name(), ".body") {
				n++
			}
		}
		return n
	}
	if !fileHas(cookieFileName, "resetme") || !fileHas(credentialsFileName, "resetuser") || cacheEntries() == 0 {
		t.Fatalf("stores not on disk before Reset (cookie %v, credential %v, cache entries %d)",
			fileHas(cookieFileName, "resetme"), fileHas(credentialsFileName, "resetuser"), cacheEntries())
	}

	task := start(t, s, KindDownloadTask, Request{URL: dl.URL + "/file"})
	waitOn(t, held, "download did not start")
	var calls atomic.Int32
	resetDone := make(chan struct{})
	s.Reset(func() {
		if calls.Add(1) == 1 {
			close(resetDone)
		}
	})
	waitOn(t, resetDone, "Reset never called back")
	if fileHas(cookieFileName, "resetme") || fileHas(credentialsFileName, "resetuser") || cacheEntries() != 0 {
		t.Fatalf("stores survive Reset (cookie %v, credential %v, cache entries %d)",
			fileHas(cookieFileName, "resetme"), fileHas(credentialsFileName, "resetuser"), cacheEntries())
	}
	if task.State() != StateRunning {
		t.Fatalf("Reset disturbed the running download: state %v", task.State())
	}
	release()
	wantCode(t, rec.wait(t, task.ID()), 0)
	if sum(rec.fileOf(task.ID())) != sum(payload) {
		t.Fatal("download across Reset differs from the payload")
	}
	s.FinishTasksAndInvalidate()
	rec.waitInvalid(t)
	if n := calls.Load(); n != 1 {
		t.Fatalf("Reset's done called %d times", n)
	}
	rec.check(t)
}
