package urlsession

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// A POST that meets a pooled connection the server has given up on is sent again on
// a fresh connection.
func TestStalePooledConnectionIsRetried(t *testing.T) {
	var conns atomic.Int32
	url := rawServer(t, func(c net.Conn) {
		conns.Add(1)
		br := bufio.NewReader(c)
		for served := 0; ; served++ {
			head := readRequestHead(br)
			if head == nil {
				return
			}
			cl, _ := headerValue(head, "Content-Length")
			n, _ := strconv.Atoi(cl)
			body := make([]byte, n)
			io.ReadFull(br, body)
			if served == 1 {
				return // drop the connection instead of answering a second request
			}
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: "+strconv.Itoa(n)+"\r\n\r\n")
			c.Write(body)
		}
	})
	e := newTestEngine(t)
	s, rec := newTestSession(t, e, DefaultConfiguration())
	for i := 1; i <= 3; i++ {
		task := start(t, s, KindUploadTask, Request{URL: url, Body: []byte("payload")})
		wantCode(t, rec.wait(t, task.ID()), 0)
		if string(task.Body()) != "payload" {
			t.Fatalf("request %d: body %q", i, task.Body())
		}
	}
	if conns.Load() < 2 {
		t.Errorf("only %d connections: the stale one was not replaced", conns.Load())
	}
}

func cookieServer() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/set" {
			http.SetCookie(w, &http.Cookie{Name: "fr", Value: "anjd232", Path: "/", MaxAge: 7776000})
			http.SetCookie(w, &http.Cookie{Name: "nm", Value: "x", Path: "/", Domain: ".swift.org"}) // foreign: rejected
			return
		}
		io.WriteString(w, r.Header.Get("Cookie"))
	}))
}

func TestCookiesStoredSentAndReset(t *testing.T) {
	srv := cookieServer()
	defer srv.Close()
	e := newTestEngine(t)
	s, rec := newTestSession(t, e, DefaultConfiguration())
	get := func(s *Session, rec *recorder, path string) string {
		t.Helper()
		task := start(t, s, KindDataTask, Request{URL: srv.URL + path})
		wantCode(t, rec.wait(t, task.ID()), 0)
		return string(task.Body())
	}
	get(s, rec, "/set")
	if got := get(s, rec, "/echo"); got != "fr=anjd232" {
		t.Fatalf("cookie sent back: %q", got)
	}
	// Default sessions share the engine's storage; ephemeral ones do not.
	s2, rec2 := newTestSession(t, e, DefaultConfiguration())
	if got := get(s2, rec2, "/echo"); got != "fr=anjd232" {
		t.Errorf("second default session: %q", got)
	}
	eph, recE := newTestSession(t, e, EphemeralConfiguration())
	if got := get(eph, recE, "/echo"); got != "" {
		t.Errorf("ephemeral session saw shared cookies: %q", got)
	}
	noSend := DefaultConfiguration()
	noSend.HTTPShouldSetCookies = false
	s3, rec3 := newTestSession(t, e, noSend)
	if got := get(s3, rec3, "/echo"); got != "" {
		t.Errorf("HTTPShouldSetCookies=false still sent %q", got)
	}
	never := EphemeralConfiguration()
	never.HTTPCookieAcceptPolicy = CookieAcceptNever
	s4, rec4 := newTestSession(t, e, never)
	get(s4, rec4, "/set")
	if got := get(s4, rec4, "/echo"); got != "" {
		t.Errorf("CookieAcceptNever stored %q", got)
	}

	// Reset empties the storage and calls back once, asynchronously.
	calls := make(chan struct{}, 2)
	s.Reset(func() { calls <- struct{}{} })
	waitOn(t, calls, "Reset never called back")
	if got := get(s, rec, "/echo"); got != "" {
		t.Errorf("cookie survived Reset: %q", got)
	}
	s.Flush(func() { calls <- struct{}{} })
	waitOn(t, calls, "Flush never called back")
	time.Sleep(20 * time.Millisecond)
	if len(calls) != 0 {
		t.Error("a callback ran twice")
	}
	// After invalidation the callback still comes.
	s.FinishTasksAndInvalidate()
	rec.waitInvalid(t)
	<-s.Done()
	s.Flush(func() { calls <- struct{}{} })
	waitOn(t, calls, "Flush after invalidation never called back")
	s.Reset(nil) // nil callback is fine
}

func TestCookieHeaderFromCallerIsKept(t *testing.T) {
	srv := cookieServer()
	defer srv.Close()
	e := newTestEngine(t)
	s, rec := newTestSession(t, e, EphemeralConfiguration())
	task := start(t, s, KindDataTask, Request{URL: srv.URL + "/set"})
	rec.wait(t, task.ID())
	task = start(t, s, KindDataTask, Request{URL: srv.URL + "/echo", Header: []Header{{"Cookie", "mine=1"}}})
	wantCode(t, rec.wait(t, task.ID()), 0)
	if got := string(task.Body()); !strings.Contains(got, "mine=1") || !strings.Contains(got, "fr=anjd232") {
		t.Errorf("Cookie header %q", got)
	}
}

func TestPersistentCookiesSurviveTheEngine(t *testing.T) {
	srv := cookieServer()
	defer srv.Close()
	dataDir := t.TempDir()
	run := func(path string) string {
		e, err := NewEngine(EngineOptions{DataDir: dataDir})
		if err != nil {
			t.Fatal(err)
		}
		defer func() {
			if err := e.Close(); err != nil {
				t.Error(err)
			}
		}()
		s, rec := newTestSession(t, e, BackgroundConfiguration("com.test.cookies"))
		task := start(t, s, KindDataTask, Request{URL: srv.URL + path})
		wantCode(t, rec.wait(t, task.ID()), 0)
		return string(task.Body())
	}
	run("/set")
	if got := run("/echo"); got != "fr=anjd232" {
		t.Fatalf("after restart the cookie header is %q", got)
	}
	// A damaged file is set aside and the engine still starts.
	path := filepath.Join(dataDir, storesDirName, cookieFileName)
	if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := run("/echo"); got != "" {
		t.Fatalf("cookies from a damaged file: %q", got)
	}
	if m, _ := filepath.Glob(path + ".corrupt-*"); len(m) != 1 {
		t.Errorf("damaged file not kept aside: %v", m)
	}
	// The same holds for the credentials file.
	credPath := filepath.Join(dataDir, storesDirName, credentialsFileName)
	if err := os.WriteFile(credPath, []byte("\x00garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	run("/echo")
	if m, _ := filepath.Glob(credPath + ".corrupt-*"); len(m) != 1 {
		t.Errorf("damaged credentials file not kept aside: %v", m)
	}
}

func TestSecondEngineOnALockedDirectoryKeepsCookiesInMemory(t *testing.T) {
	srv := cookieServer()
	defer srv.Close()
	dataDir := t.TempDir()
	first, err := NewEngine(EngineOptions{DataDir: dataDir})
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	second, err := NewEngine(EngineOptions{DataDir: dataDir})
	if err != nil {
		t.Fatalf("a locked directory stopped the engine: %v", err)
	}
	s, rec := newTestSession(t, second, DefaultConfiguration())
	task := start(t, s, KindDataTask, Request{URL: srv.URL + "/set"})
	wantCode(t, rec.wait(t, task.ID()), 0)
	if err := second.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dataDir, storesDirName, cookieFileName)); !os.IsNotExist(err) {
		t.Errorf("the engine without the lock wrote the cookie file: %v", err)
	}
}
