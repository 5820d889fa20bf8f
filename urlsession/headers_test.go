package urlsession

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

func TestHeaderNamesGoOnTheWireVerbatim(t *testing.T) {
	got := make(chan []string, 4)
	url := rawServer(t, func(c net.Conn) {
		got <- readRequestHead(bufio.NewReader(c))
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
	})
	e := newTestEngine(t)
	cfg := DefaultConfiguration()
	cfg.HTTPAdditionalHeaders = []Header{{"header2", "svalue2"}, {"header3", "svalue3"}, {"header4", "svalue4"}}
	s, rec := newTestSession(t, e, cfg)
	start(t, s, KindDataTask, Request{URL: url + "/requestHeaders", Method: "POST", Header: []Header{
		{"header1", "rvalue1"}, {"header2", "rvalue2"}, {"Header4", "rvalue4"}, {"x-MiXeD-case", "v"},
	}})
	wantCode(t, rec.wait(t, 1), 0)
	lines := <-got
	for _, want := range []string{"header1: rvalue1", "header2: rvalue2", "header3: svalue3", "Header4: rvalue4",
		"x-MiXeD-case: v", "Accept-Encoding: gzip, deflate, br", "User-Agent: " + defaultUserAgent,
		"Content-Length: 0"} {
		if !slices.Contains(lines, want) {
			t.Errorf("request lacks %q:\n%s", want, strings.Join(lines, "\n"))
		}
	}
	for _, l := range lines {
		if strings.Contains(l, "svalue4") || strings.Contains(l, "svalue2") {
			t.Errorf("configuration header overrode the request's: %q", l)
		}
	}
	if _, ok := headerValue(lines, "Accept-Language"); !ok {
		t.Error("no default Accept-Language")
	}

	// A caller's own spelling of User-Agent and Accept-Encoding replaces the defaults.
	start(t, s, KindDataTask, Request{URL: url + "/ua", Header: []Header{{"user-agent", "custom/1"}, {"accept-encoding", "identity"}}})
	wantCode(t, rec.wait(t, 2), 0)
	lines = <-got
	var uas []string
	for _, l := range lines {
		if strings.HasPrefix(strings.ToLower(l), "user-agent:") || strings.HasPrefix(strings.ToLower(l), "accept-encoding:") {
			uas = append(uas, l)
		}
	}
	slices.Sort(uas)
	if want := []string{"accept-encoding: identity", "user-agent: custom/1"}; !slices.Equal(uas, want) {
		t.Errorf("got %q, want %q", uas, want)
	}
	if lines[0] != "GET /ua HTTP/1.1" {
		t.Errorf("request line %q", lines[0])
	}
}

func TestPostBodyGetsDefaultContentType(t *testing.T) {
	type seen struct{ ct, body string }
	ch := make(chan seen, 3)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		ch <- seen{r.Header.Get("Content-Type"), string(b)}
	}))
	defer srv.Close()
	e := newTestEngine(t)
	s, rec := newTestSession(t, e, DefaultConfiguration())
	start(t, s, KindDataTask, Request{URL: srv.URL, Body: []byte(`{"a":1}`)}) // POST by default
	wantCode(t, rec.wait(t, 1), 0)
	if got := <-ch; got.ct != "application/x-www-form-urlencoded" || got.body != `{"a":1}` {
		t.Errorf("got %+v", got)
	}
	start(t, s, KindDataTask, Request{URL: srv.URL, Method: "POST"}) // empty POST: no type
	wantCode(t, rec.wait(t, 2), 0)
	if got := <-ch; got.ct != "" {
		t.Errorf("empty POST got Content-Type %q", got.ct)
	}
	start(t, s, KindDataTask, Request{URL: srv.URL, Method: "PUT", Body: []byte("x"),
		Header: []Header{{"content-type", "text/plain"}}})
	wantCode(t, rec.wait(t, 3), 0)
	if got := <-ch; got.ct != "text/plain" {
		t.Errorf("PUT Content-Type %q", got.ct)
	}
}

func TestURLCredentialsBecomeBasicAuth(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, ok := r.BasicAuth()
		if !ok || u != "user" || p != "passwd" {
			w.WriteHeader(401)
		}
	}))
	defer srv.Close()
	e := newTestEngine(t)
	s, rec := newTestSession(t, e, DefaultConfiguration())
	task := start(t, s, KindDataTask, Request{URL: strings.Replace(srv.URL, "http://", "http://user:passwd@", 1)})
	wantCode(t, rec.wait(t, 1), 0)
	if task.Response().StatusCode != 200 {
		t.Fatalf("status %d", task.Response().StatusCode)
	}
}

// Requests that add no headers of their own share one prepared header set per
// session. Stored cookies must still be sent where they apply, and only there: a
// request that carries them must not leave them in the shared set.
func TestPreparedSessionHeadersStayCleanOfCookies(t *testing.T) {
	got := make(chan []string, 8)
	url := rawServer(t, func(c net.Conn) {
		lines := readRequestHead(bufio.NewReader(c))
		got <- lines
		setCookie := ""
		if len(lines) > 0 && strings.HasPrefix(lines[0], "GET /set ") {
			setCookie = "Set-Cookie: a=1; Path=/only\r\n"
		}
		io.WriteString(c, "HTTP/1.1 200 OK\r\n"+setCookie+"Content-Length: 2\r\nConnection: close\r\n\r\nok")
	})
	e := newTestEngine(t)
	cfg := EphemeralConfiguration()
	cfg.HTTPAdditionalHeaders = []Header{{"X-Team", "blue"}, {"x-lower", "kept"}}
	s, rec := newTestSession(t, e, cfg)
	for i, path := range []string{"/set", "/only/x", "/other", "/only/y"} {
		start(t, s, KindDataTask, Request{URL: url + path})
		wantCode(t, rec.wait(t, uint64(i+1)), 0)
		lines := <-got
		for _, want := range []string{"X-Team: blue", "x-lower: kept", "User-Agent: " + defaultUserAgent} {
			if !slices.Contains(lines, want) {
				t.Errorf("%s: request lacks %q:\n%s", path, want, strings.Join(lines, "\n"))
			}
		}
		cookie, has := headerValue(lines, "Cookie")
		if wantCookie := strings.HasPrefix(path, "/only/"); has != wantCookie || has && cookie != "a=1" {
			t.Errorf("%s: Cookie = %q (present %v), want present %v", path, cookie, has, wantCookie)
		}
	}
	if _, ok := s.plain.wire["Cookie"]; ok || len(s.plain.wire) != len(s.plain.list) {
		t.Errorf("the shared header set changed: %v", s.plain.wire)
	}
}

// An invalid configured header fails each task with -1000 instead of being sent.
func TestInvalidConfiguredHeaderFailsTheTask(t *testing.T) {
	e := newTestEngine(t)
	cfg := EphemeralConfiguration()
	cfg.HTTPAdditionalHeaders = []Header{{"Bad Name", "x"}}
	s, rec := newTestSession(t, e, cfg)
	start(t, s, KindDataTask, Request{URL: "http://127.0.0.1:1/"})
	wantCode(t, rec.wait(t, 1), CodeBadURL)
}
