package urlsession

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// digestServer protects everything with RFC 7616 Digest (MD5, qop=auth) for
// user "user" / password "passwd", computed independently of credstore.
func digestServer(t *testing.T) (*httptest.Server, *atomic.Int32) {
	var challenges atomic.Int32
	const realm, nonce = "tirun-test", "dcd98b7102dd2f0e8b11d0f600bfb0c093"
	h := func(s string) string { sum := md5.Sum([]byte(s)); return hex.EncodeToString(sum[:]) }
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		params := map[string]string{}
		if rest, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Digest "); ok {
			for _, part := range strings.Split(rest, ",") {
				k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
				params[k] = strings.Trim(v, `"`)
			}
		}
		ha1 := h("user:" + realm + ":passwd")
		ha2 := h(r.Method + ":" + params["uri"])
		want := h(strings.Join([]string{ha1, nonce, params["nc"], params["cnonce"], "auth", ha2}, ":"))
		if params["username"] != "user" || params["response"] != want || params["uri"] != r.URL.RequestURI() {
			challenges.Add(1)
			w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Digest realm=%q, qop="auth", algorithm=MD5, nonce=%q`, realm, nonce))
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		fmt.Fprint(w, "welcome")
	}))
	t.Cleanup(srv.Close)
	return srv, &challenges
}

func TestDigestChallengeAnsweredAndRemembered(t *testing.T) {
	srv, challenges := digestServer(t)
	e := newTestEngine(t)
	s, rec := newTestSession(t, e, DefaultConfiguration())
	get := func(s *Session, rec *recorder, url string) (*Task, *URLError) {
		t.Helper()
		task := start(t, s, KindDataTask, Request{URL: url})
		return task, rec.wait(t, task.ID())
	}
	withCreds := strings.Replace(srv.URL, "http://", "http://user:passwd@", 1)
	task, err := get(s, rec, withCreds+"/secret?x=1")
	if err != nil || task.Response().StatusCode != 200 || string(task.Body()) != "welcome" {
		t.Fatalf("with URL credentials: %v %d %q", err, task.Response().StatusCode, task.Body())
	}
	// The credential that worked is remembered for the protection space.
	task, err = get(s, rec, srv.URL+"/other")
	if err != nil || task.Response().StatusCode != 200 {
		t.Fatalf("without URL credentials: %v %d", err, task.Response().StatusCode)
	}
	// A wrong password ends with the 401 itself: a response, not an error.
	eph, recE := newTestSession(t, e, EphemeralConfiguration()) // does not see the shared store
	before := challenges.Load()
	task, err = get(eph, recE, strings.Replace(srv.URL, "http://", "http://user:wrong@", 1)+"/secret")
	if err != nil || task.Response().StatusCode != 401 {
		t.Fatalf("wrong password: %v %d", err, task.Response().StatusCode)
	}
	if n := challenges.Load() - before; n != 2 {
		t.Errorf("%d challenges for a wrong password, want 2 (one retry only)", n)
	}
	task, err = get(eph, recE, srv.URL+"/secret")
	if err != nil || task.Response().StatusCode != 401 {
		t.Fatalf("ephemeral session used shared credentials: %v %d", err, task.Response().StatusCode)
	}
	// Reset forgets remembered credentials.
	done := make(chan struct{})
	s.Reset(func() { close(done) })
	waitOn(t, done, "Reset did not call back")
	task, _ = get(s, rec, srv.URL+"/other")
	if task.Response().StatusCode != 401 {
		t.Errorf("credential survived Reset: status %d", task.Response().StatusCode)
	}
	rec.check(t)
}
