package credstore

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// digestServer is an RFC 7616 server written for the test: it checks the
// client's response with its own hashing and insists that nc grows for
// every reuse of a nonce.
type digestServer struct {
	realm, user, password, algorithm string

	mu      sync.Mutex
	nonce   string
	lastNC  map[string]int64
	granted int
	denied  int
}

func (d *digestServer) hash(s string) string {
	var h hash.Hash = md5.New()
	if strings.HasPrefix(d.algorithm, "SHA-256") {
		h = sha256.New()
	}
	io.WriteString(h, s)
	return hex.EncodeToString(h.Sum(nil))
}

func (d *digestServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.verify(r) {
		d.granted++
		io.WriteString(w, "welcome")
		return
	}
	d.denied++
	w.Header().Add("WWW-Authenticate", `Basic realm="`+d.realm+`"`)
	w.Header().Add("WWW-Authenticate", fmt.Sprintf(`Digest realm="%s", qop="auth", algorithm=%s, nonce="%s", opaque="opq"`,
		d.realm, d.algorithm, d.nonce))
	w.WriteHeader(http.StatusUnauthorized)
}

func (d *digestServer) verify(r *http.Request) bool {
	authz := r.Header.Get("Authorization")
	if !strings.HasPrefix(authz, "Digest ") {
		return false
	}
	chs := ParseChallenges([]string{authz}) // same grammar as a challenge
	if len(chs) != 1 {
		return false
	}
	p := chs[0].Params
	if p["username"] != d.user || p["realm"] != d.realm || p["nonce"] != d.nonce ||
		p["uri"] != r.URL.RequestURI() || p["qop"] != "auth" || p["opaque"] != "opq" ||
		p["algorithm"] != d.algorithm || p["cnonce"] == "" {
		return false
	}
	nc, err := strconv.ParseInt(p["nc"], 16, 64)
	if err != nil || len(p["nc"]) != 8 || nc <= d.lastNC[d.nonce] {
		return false // replayed or malformed nonce count
	}
	ha1 := d.hash(d.user + ":" + d.realm + ":" + d.password)
	if strings.HasSuffix(d.algorithm, "-sess") {
		ha1 = d.hash(ha1 + ":" + d.nonce + ":" + p["cnonce"])
	}
	ha2 := d.hash(r.Method + ":" + r.URL.RequestURI())
	want := d.hash(strings.Join([]string{ha1, d.nonce, p["nc"], p["cnonce"], "auth", ha2}, ":"))
	if p["response"] != want {
		return false
	}
	d.lastNC[d.nonce] = nc
	return true
}

// roundTrip performs what the engine does: request, and on a 401 one
// retry with Respond's answer. It returns the final status and the answer.
func roundTrip(t *testing.T, s *Store, method, rawURL string, userinfo *Credential) (int, Answer, bool) {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second}
	req, _ := http.NewRequest(method, rawURL, nil)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		return resp.StatusCode, Answer{}, false
	}
	ans, ok := s.Respond(req, resp, userinfo)
	if !ok {
		return resp.StatusCode, Answer{}, false
	}
	retry, _ := http.NewRequest(method, rawURL, nil)
	retry.Header.Set(ans.Header, ans.Value)
	resp, err = client.Do(retry)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, ans, true
}

func TestDigestAgainstServer(t *testing.T) {
	for _, alg := range []string{"MD5", "SHA-256", "SHA-256-sess"} {
		t.Run(alg, func(t *testing.T) {
			d := &digestServer{realm: "vault", user: "ann", password: "s3cr3t", algorithm: alg,
				nonce: "nonce-" + alg, lastNC: map[string]int64{}}
			srv := httptest.NewServer(d)
			defer srv.Close()
			s := NewMemory()
			if err := s.Set(SpaceFor(mustURL(t, srv.URL), "vault", "Digest"), Credential{"ann", "s3cr3t"}); err != nil {
				t.Fatal(err)
			}
			// Same nonce three times: nc must count 1, 2, 3 or the server refuses.
			for i := 1; i <= 3; i++ {
				status, ans, ok := roundTrip(t, s, "GET", srv.URL+"/secret/doc?x=1", nil)
				if !ok || status != 200 {
					t.Fatalf("attempt %d: status %d answered %v (%s)", i, status, ok, ans.Value)
				}
				if want := fmt.Sprintf("nc=%08x", i); !strings.Contains(ans.Value, want) {
					t.Fatalf("attempt %d: %s lacks %s", i, ans.Value, want)
				}
				if ans.Space.AuthMethod != "Digest" || ans.Space.Realm != "vault" {
					t.Fatalf("answer space %+v", ans.Space)
				}
			}
			// POST hashes its own method.
			if status, _, _ := roundTrip(t, s, "POST", srv.URL+"/p", nil); status != 200 {
				t.Fatalf("POST: %d", status)
			}
			// Wrong password: the retry gets a second 401, which the engine reports as is.
			if status, _, ok := roundTrip(t, s, "GET", srv.URL+"/", &Credential{"ann", "wrong"}); !ok || status != 401 {
				t.Fatalf("wrong password: status %d answered %v", status, ok)
			}
		})
	}
}

func TestBasicAgainstServer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		want := "Basic " + base64.StdEncoding.EncodeToString([]byte("bob:pä ss:word"))
		if r.Header.Get("Authorization") == want {
			io.WriteString(w, "ok")
			return
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="files", charset="UTF-8"`)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer srv.Close()
	s := NewMemory()
	if status, _, ok := roundTrip(t, s, "GET", srv.URL+"/f", nil); ok || status != 401 {
		t.Fatalf("no credential: status %d answered %v", status, ok)
	}
	cred := Credential{"bob", "pä ss:word"}
	status, ans, ok := roundTrip(t, s, "GET", srv.URL+"/f", &cred) // from URL userinfo
	if !ok || status != 200 || ans.Space.Realm != "files" || ans.Space.AuthMethod != "Basic" {
		t.Fatalf("userinfo: status %d answered %v space %+v", status, ok, ans.Space)
	}
	// The engine writes a credential that worked back; next time the store answers.
	if err := s.Set(ans.Space, ans.Credential); err != nil {
		t.Fatal(err)
	}
	if status, _, ok := roundTrip(t, s, "GET", srv.URL+"/g", nil); !ok || status != 200 {
		t.Fatalf("stored credential: status %d answered %v", status, ok)
	}
	// Another port is another protection space.
	other := httptest.NewServer(srv.Config.Handler)
	defer other.Close()
	if _, _, ok := roundTrip(t, s, "GET", other.URL+"/g", nil); ok {
		t.Fatal("credential leaked to another port")
	}
}

func TestRespondPrefersStrongestAndSkipsUnsupported(t *testing.T) {
	s := NewMemory()
	req, _ := http.NewRequest("GET", "http://h.test/x", nil)
	cred := &Credential{"u", "p"}
	resp := func(values ...string) *http.Response {
		return &http.Response{StatusCode: 401, Header: http.Header{"Www-Authenticate": values}}
	}
	ans, ok := s.Respond(req, resp(`Basic realm="r"`, `Digest realm="r", nonce="n", algorithm=MD5, qop="auth"`,
		`Digest realm="r", nonce="n", algorithm=SHA-256, qop="auth"`), cred)
	if !ok || !strings.Contains(ans.Value, "algorithm=SHA-256") {
		t.Fatalf("preferred %q", ans.Value)
	}
	if _, ok := s.Respond(req, resp(`Digest realm="r", nonce="n", qop="auth-int"`, `NTLM`), cred); ok {
		t.Fatal("answered an auth-int-only / NTLM challenge")
	}
	if _, ok := s.Respond(req, resp(), cred); ok {
		t.Fatal("answered a 401 without challenge")
	}
	ans, ok = s.Respond(req, resp(`Digest realm="r", nonce="n"`), cred) // RFC 2069 form
	if !ok || strings.Contains(ans.Value, "nc=") || !strings.Contains(ans.Value, "response=") {
		t.Fatalf("RFC 2069 answer %q", ans.Value)
	}
	ans, ok = s.Respond(req, resp(`Digest realm="r", nonce="n", qop="auth", userhash=true, algorithm=SHA-256`), cred)
	if !ok || !strings.Contains(ans.Value, "userhash=true") || strings.Contains(ans.Value, `username="u"`) {
		t.Fatalf("userhash answer %q", ans.Value)
	}
}
