package urlsession

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

func TestDataTasksUseTheCacheByKind(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := hits.Add(1)
		w.Header().Set("Cache-Control", "max-age=600")
		fmt.Fprintf(w, "answer %d", n)
	}))
	defer srv.Close()
	e := newTestEngine(t)
	get := func(s *Session, rec *recorder, kind TaskKind, path string) (string, *URLError) {
		t.Helper()
		task := start(t, s, kind, Request{URL: srv.URL + path})
		err := rec.wait(t, task.ID())
		return string(task.Body()), err
	}

	def, recD := newTestSession(t, e, DefaultConfiguration())
	a, _ := get(def, recD, KindDataTask, "/x")
	b, _ := get(def, recD, KindDataTask, "/x")
	if a != "answer 1" || b != "answer 1" || hits.Load() != 1 {
		t.Fatalf("default session: %q then %q with %d server hits; want the second from the cache", a, b, hits.Load())
	}
	// Another default session shares the cache; a cache-only miss is -2000.
	only := DefaultConfiguration()
	only.RequestCachePolicy = ReturnCacheDataDontLoad
	s2, rec2 := newTestSession(t, e, only)
	if got, err := get(s2, rec2, KindDataTask, "/x"); err != nil || got != "answer 1" {
		t.Fatalf("shared cache: %q %v", got, err)
	}
	_, err := get(s2, rec2, KindDataTask, "/never-fetched")
	wantCode(t, err, CodeCannotLoadFromNetwork)

	// Background sessions and download tasks do not use the cache.
	bg, recB := newTestSession(t, e, BackgroundConfiguration("com.test.nocache"))
	before := hits.Load()
	get(bg, recB, KindDataTask, "/x")
	get(def, recD, KindDownloadTask, "/x")
	if hits.Load() != before+2 {
		t.Errorf("background/download requests were served from the cache")
	}
	// Reset empties the cache.
	done := make(chan struct{})
	def.Reset(func() { close(done) })
	waitOn(t, done, "Reset did not call back")
	before = hits.Load()
	get(def, recD, KindDataTask, "/x")
	if hits.Load() != before+1 {
		t.Error("a response survived Reset")
	}
}

func TestDiskCacheSurvivesTheEngine(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Cache-Control", "max-age=600")
		fmt.Fprint(w, "stored")
	}))
	defer srv.Close()
	dataDir := t.TempDir()
	for round := 0; round < 2; round++ {
		e, err := NewEngine(EngineOptions{DataDir: dataDir, DiskCache: true})
		if err != nil {
			t.Fatal(err)
		}
		s, rec := newTestSession(t, e, DefaultConfiguration())
		task := start(t, s, KindDataTask, Request{URL: srv.URL + "/d"})
		wantCode(t, rec.wait(t, task.ID()), 0)
		if string(task.Body()) != "stored" {
			t.Fatalf("round %d: %q", round, task.Body())
		}
		if err := e.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if hits.Load() != 1 {
		t.Errorf("server hit %d times; the second engine should have used the disk cache", hits.Load())
	}
}
