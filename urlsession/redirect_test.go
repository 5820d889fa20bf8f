package urlsession

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// redirectServer: /code/<n>?location=<l> answers status n with that Location,
// /echo describes the request it got, /chain/<n> redirects n times to /echo.
func redirectServer() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
		if parts[len(parts)-1] == "echo" {
			parts = []string{"echo"}
		}
		switch parts[0] {
		case "code":
			code, _ := strconv.Atoi(parts[1])
			loc := r.URL.Query().Get("location")
			if loc == "" {
				loc = "/echo"
			}
			w.Header().Set("Location", loc)
			w.WriteHeader(code)
			fmt.Fprintf(w, "Redirecting to %s %s", r.Method, loc)
		case "chain":
			n, _ := strconv.Atoi(parts[1])
			if n == 0 {
				http.Redirect(w, r, "/echo", http.StatusFound)
				return
			}
			http.Redirect(w, r, fmt.Sprintf("/chain/%d", n-1), http.StatusFound)
		case "echo":
			b, _ := io.ReadAll(r.Body)
			fmt.Fprintf(w, "%s %s body=%s auth=%s cookie=%s", r.Method, r.URL.Path, b,
				r.Header.Get("Authorization"), r.Header.Get("Cookie"))
		case "setcookie":
			http.SetCookie(w, &http.Cookie{Name: "redirect", Value: "true", Path: "/"})
			http.Redirect(w, r, "/echo", http.StatusFound)
		default:
			w.WriteHeader(404)
		}
	}))
}

func TestRedirectMethodRules(t *testing.T) {
	srv := redirectServer()
	defer srv.Close()
	e := newTestEngine(t)
	s, rec := newTestSession(t, e, DefaultConfiguration())
	cases := []struct {
		code   int
		method string
		want   string // body of the final response
	}{
		{301, "GET", "GET /echo body="}, {301, "POST", "GET /echo body="}, {301, "PUT", "PUT /echo body=data"},
		{302, "GET", "GET /echo body="}, {302, "POST", "GET /echo body="}, {302, "DELETE", "DELETE /echo body=data"},
		{303, "GET", "GET /echo body="}, {303, "POST", "GET /echo body="}, {303, "PUT", "GET /echo body="},
		{303, "HEAD", ""}, // becomes a GET, but the final status is all we can see for HEAD here
		{305, "POST", "POST /echo body=data"}, {306, "PUT", "PUT /echo body=data"},
		{307, "POST", "POST /echo body=data"}, {307, "GET", "GET /echo body="},
		{308, "PUT", "PUT /echo body=data"}, {308, "POST", "POST /echo body=data"},
		{300, "POST", "Redirecting to POST /echo"}, {304, "GET", ""}, {300, "GET", "Redirecting to GET /echo"},
	}
	for i, c := range cases {
		req := Request{URL: fmt.Sprintf("%s/code/%d", srv.URL, c.code), Method: c.method}
		if c.method != "GET" && c.method != "HEAD" {
			req.Body = []byte("data")
		}
		task := start(t, s, KindDataTask, req)
		wantCode(t, rec.wait(t, task.ID()), 0)
		got := string(task.Body())
		if c.want != "" && !strings.HasPrefix(got, c.want) || c.want == "" && c.code == 304 && got != "" {
			t.Errorf("case %d: %d %s -> %q, want prefix %q", i, c.code, c.method, got, c.want)
		}
		wantStatus := 200
		if c.code == 300 || c.code == 304 {
			wantStatus = c.code
		}
		if st := task.Response().StatusCode; st != wantStatus {
			t.Errorf("case %d: %d %s final status %d, want %d", i, c.code, c.method, st, wantStatus)
		}
		if wantStatus == 200 && !strings.HasSuffix(task.Response().URL, "/echo") {
			t.Errorf("case %d: final URL %s", i, task.Response().URL)
		}
	}
	rec.check(t)
}

func TestRedirectRelativeLocationAndLimit(t *testing.T) {
	srv := redirectServer()
	defer srv.Close()
	e := newTestEngine(t)
	s, rec := newTestSession(t, e, DefaultConfiguration())

	rel := start(t, s, KindDataTask, Request{URL: srv.URL + "/code/302?location=echo"}) // no leading slash
	wantCode(t, rec.wait(t, rel.ID()), 0)
	// RFC 3986 resolution of "echo" against /code/302 is /code/echo.
	if got := string(rel.Body()); !strings.HasPrefix(got, "GET /code/echo") {
		t.Errorf("relative redirect body %q", got)
	}
	if rel.Response().URL != srv.URL+"/code/echo" {
		t.Errorf("relative Location resolved to %s", rel.Response().URL)
	}

	ok := start(t, s, KindDataTask, Request{URL: fmt.Sprintf("%s/chain/%d", srv.URL, MaxRedirects-1)}) // 16 redirects
	wantCode(t, rec.wait(t, ok.ID()), 0)
	if ok.Response().StatusCode != 200 {
		t.Errorf("16 redirects: status %d", ok.Response().StatusCode)
	}
	tooMany := start(t, s, KindDataTask, Request{URL: fmt.Sprintf("%s/chain/%d", srv.URL, MaxRedirects)}) // 17
	err := rec.wait(t, tooMany.ID())
	wantCode(t, err, CodeHTTPTooManyRedirects)
	if !strings.Contains(err.URL, "/chain/") && !strings.HasSuffix(err.URL, "/echo") {
		t.Errorf("failing URL %s", err.URL)
	}
	rec.check(t)
}

func TestRedirectDropsCredentialsWhenLeavingOrigin(t *testing.T) {
	srv := redirectServer()
	defer srv.Close()
	other := redirectServer() // same host, other port: another origin
	defer other.Close()
	e := newTestEngine(t)
	s, rec := newTestSession(t, e, DefaultConfiguration())
	hdr := []Header{{"Authorization", "Bearer secret"}, {"cookie", "mine=1"}}

	same := start(t, s, KindDataTask, Request{URL: srv.URL + "/code/302?location=/echo", Header: hdr})
	wantCode(t, rec.wait(t, same.ID()), 0)
	if got := string(same.Body()); !strings.Contains(got, "auth=Bearer secret") || !strings.Contains(got, "cookie=mine=1") {
		t.Errorf("same-origin redirect lost headers: %q", got)
	}
	cross := start(t, s, KindDataTask, Request{URL: srv.URL + "/code/307?location=" + other.URL + "/echo", Header: hdr})
	wantCode(t, rec.wait(t, cross.ID()), 0)
	if got := string(cross.Body()); !strings.HasSuffix(got, "auth= cookie=") {
		t.Errorf("cross-origin redirect kept credentials: %q", got)
	}
	// Leaving and coming back does not restore them.
	back := start(t, s, KindDataTask, Request{
		URL:    srv.URL + "/code/302?location=" + other.URL + "/code/302%3Flocation%3D" + srv.URL + "/echo",
		Header: hdr})
	wantCode(t, rec.wait(t, back.ID()), 0)
	if got := string(back.Body()); !strings.HasSuffix(got, "auth= cookie=") {
		t.Errorf("credentials came back after returning to the origin: %q", got)
	}
	rec.check(t)
}

func TestRedirectStoresAndSendsCookies(t *testing.T) {
	srv := redirectServer()
	defer srv.Close()
	e := newTestEngine(t)
	s, rec := newTestSession(t, e, EphemeralConfiguration())
	task := start(t, s, KindDataTask, Request{URL: srv.URL + "/setcookie"})
	wantCode(t, rec.wait(t, task.ID()), 0)
	if got := string(task.Body()); !strings.HasSuffix(got, "cookie=redirect=true") {
		t.Errorf("cookie from the redirect response not sent: %q", got)
	}
}
