package cookiestore

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// newSiteServer is a loopback server that answers any Host name:
//
//	/set?c=<Set-Cookie value>[&c=...]  sets the given cookies
//	/redirect?c=...&to=<path>          sets cookies and redirects
//	/echo                               returns the Cookie header it got
func newSiteServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, c := range r.URL.Query()["c"] {
			w.Header().Add("Set-Cookie", c)
		}
		switch r.URL.Path {
		case "/redirect":
			http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
		default:
			io.WriteString(w, r.Header.Get("Cookie"))
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// clientFor sends every request, whatever its host name, to srv on
// 127.0.0.1, so that real HTTP exchanges can carry many site names.
func clientFor(srv *httptest.Server, jar http.CookieJar) *http.Client {
	addr := srv.Listener.Addr().String()
	tr := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}}
	return &http.Client{Jar: jar, Transport: tr, Timeout: 10 * time.Second}
}

func get(t *testing.T, c *http.Client, rawURL string) string {
	t.Helper()
	resp, err := c.Get(rawURL)
	if err != nil {
		t.Fatalf("GET %s: %v", rawURL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", rawURL, err)
	}
	return string(b)
}

func setURL(host string, cookies ...string) string {
	q := url.Values{"c": cookies}
	return "http://" + host + "/set?" + q.Encode()
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestPersistsAcrossInstancesButNotSessionCookies(t *testing.T) {
	srv := newSiteServer(t)
	path := filepath.Join(t.TempDir(), "cookies.json")
	jar, err := Open(Options{Path: path, FlushDelay: -1})
	if err != nil {
		t.Fatal(err)
	}
	c := clientFor(srv, jar)
	get(t, c, setURL("127.0.0.1", "sess=1", "keep=2; Max-Age=3600", "until=3; Expires="+
		time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)))
	if got := get(t, c, "http://127.0.0.1/echo"); got != "sess=1; keep=2; until=3" {
		t.Fatalf("same instance sent %q", got)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("autosave disabled, yet file exists before Flush: %v", err)
	}
	if err := jar.Close(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("cookie file mode %v, want 0600", fi.Mode().Perm())
	}

	jar2, err := Open(Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer jar2.Close()
	if got := get(t, clientFor(srv, jar2), "http://127.0.0.1/echo"); got != "keep=2; until=3" {
		t.Fatalf("second instance sent %q, want the persistent cookies only", got)
	}
}

func TestEphemeralJarTouchesNoDiskAndIsPrivate(t *testing.T) {
	srv := newSiteServer(t)
	dir := t.TempDir()
	t.Chdir(dir) // a stray relative write would land here
	eph := NewMemory()
	get(t, clientFor(srv, eph), setURL("127.0.0.1", "e=1; Max-Age=3600"))
	if err := eph.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := eph.Close(); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("ephemeral jar wrote files: %v", entries)
	}
	if n := len(eph.All()); n != 1 {
		t.Fatalf("ephemeral jar holds %d cookies, want 1", n)
	}
	persistent, err := Open(Options{Path: filepath.Join(t.TempDir(), "c.json")})
	if err != nil {
		t.Fatal(err)
	}
	defer persistent.Close()
	if got := get(t, clientFor(srv, persistent), "http://127.0.0.1/echo"); got != "" {
		t.Fatalf("ephemeral cookie leaked into another jar: %q", got)
	}
	if got := get(t, clientFor(srv, NewMemory()), "http://127.0.0.1/echo"); got != "" {
		t.Fatalf("ephemeral cookie leaked into another ephemeral jar: %q", got)
	}
}

func TestDomainScopingAndPublicSuffix(t *testing.T) {
	srv := newSiteServer(t)
	jar := NewMemory()
	c := clientFor(srv, jar)
	get(t, c, setURL("a.example.com", "wide=1; Domain=example.com", "narrow=2"))
	get(t, c, setURL("a.example.com", "foreign=3; Domain=other.com"))
	get(t, c, setURL("x.co.uk", "suffix=4; Domain=co.uk"))
	get(t, c, setURL("127.0.0.1", "ip=5"))

	cases := map[string]string{
		"a.example.com":      "wide=1; narrow=2",
		"b.example.com":      "wide=1",
		"example.com":        "wide=1",
		"deep.b.example.com": "wide=1",
		"notexample.com":     "",
		"example.org":        "",
		"other.com":          "",
		"x.co.uk":            "",
		"y.co.uk":            "",
		"localhost":          "",
		"127.0.0.2":          "",
	}
	for host, want := range cases {
		if got := get(t, c, "http://"+host+"/echo"); got != want {
			t.Errorf("%s got %q, want %q", host, got, want)
		}
	}
	for _, ck := range jar.All() {
		if ck.Name == "suffix" || ck.Name == "foreign" {
			t.Errorf("cookie %q for %q must have been rejected", ck.Name, ck.Domain)
		}
	}
}

// The corelibs /requestCookies case: a foreign Domain from an IP host is
// dropped, the plain cookie kept.
func TestIPHostRejectsDomainCookies(t *testing.T) {
	jar := NewMemory()
	u := mustURL(t, "http://127.0.0.1:8080/requestCookies")
	jar.SetCookies(u, []*http.Cookie{
		{Name: "fr", Value: "anjd&232", Path: "/"},
		{Name: "nm", Value: "sddf&232", Domain: ".swift.org", Secure: true},
		{Name: "ip", Value: "1", Domain: "127.0.0.1"},
		{Name: "sub", Value: "1", Domain: "0.0.1"},
	})
	all := jar.All()
	if len(all) != 2 || all[0].Name != "fr" || all[1].Name != "ip" || !all[1].HostOnly {
		t.Fatalf("stored %+v", all)
	}
}

func TestPublicSuffixHostMaySetHostOnly(t *testing.T) {
	jar := NewMemory()
	u := mustURL(t, "http://co.uk/")
	jar.SetCookies(u, []*http.Cookie{{Name: "a", Value: "1", Domain: "co.uk"}})
	all := jar.All()
	if len(all) != 1 || !all[0].HostOnly {
		t.Fatalf("want one host-only cookie, got %+v", all)
	}
	if got := jar.Cookies(mustURL(t, "http://www.co.uk/")); len(got) != 0 {
		t.Fatalf("host-only cookie of a public suffix reached a subdomain: %v", got)
	}
}

func TestCookiesFromRedirectHops(t *testing.T) {
	srv := newSiteServer(t)
	jar := NewMemory()
	got := get(t, clientFor(srv, jar), "http://127.0.0.1/redirect?c=hop%3D1&to=/echo")
	if got != "hop=1" {
		t.Fatalf("cookie from the redirect hop not sent on the next hop: %q", got)
	}
}

func TestAcceptPolicies(t *testing.T) {
	srv := newSiteServer(t)
	never := NewMemory()
	get(t, clientFor(srv, never.WithPolicy(AcceptNever)), setURL("127.0.0.1", "a=1"))
	if n := len(never.All()); n != 0 {
		t.Fatalf("AcceptNever stored %d cookies", n)
	}

	jar := NewMemory()
	mk := func(name string) []*http.Cookie { return []*http.Cookie{{Name: name, Value: "v"}} }
	main := mustURL(t, "https://www.example.com/")
	if n := jar.SetCookiesWithPolicy(mustURL(t, "https://tracker.net/p"), main, AcceptOnlyFromMainDocumentDomain, mk("t")); n != 0 {
		t.Fatal("third-party cookie accepted under AcceptOnlyFromMainDocumentDomain")
	}
	if n := jar.SetCookiesWithPolicy(mustURL(t, "https://cdn.example.com/p"), main, AcceptOnlyFromMainDocumentDomain, mk("c")); n != 1 {
		t.Fatal("same-site cookie rejected under AcceptOnlyFromMainDocumentDomain")
	}
	if n := jar.SetCookiesWithPolicy(mustURL(t, "https://tracker.net/p"), main, AcceptAlways, mk("t")); n != 1 {
		t.Fatal("AcceptAlways rejected a valid cookie")
	}
	// Through the http.CookieJar view the request is its own main document.
	get(t, clientFor(srv, jar.WithPolicy(AcceptOnlyFromMainDocumentDomain)), setURL("127.0.0.1", "own=1"))
	if got := jar.Cookies(mustURL(t, "http://127.0.0.1/")); len(got) != 1 || got[0].Name != "own" {
		t.Fatalf("own-host cookie under main-document policy: %v", got)
	}
}

func TestExpiryAndDeletion(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	jar, _ := Open(Options{Now: func() time.Time { return now }})
	u := mustURL(t, "http://example.com/")
	jar.SetCookies(u, []*http.Cookie{
		{Name: "short", Value: "1", MaxAge: 10},
		{Name: "exp", Value: "2", Expires: now.Add(time.Minute)},
		{Name: "past", Value: "3", Expires: now.Add(-time.Minute)},
		{Name: "both", Value: "4", MaxAge: 3600, Expires: now.Add(-time.Minute)}, // Max-Age wins
	})
	names := func() string {
		var n []string
		for _, c := range jar.Cookies(u) {
			n = append(n, c.Name)
		}
		return strings.Join(n, ",")
	}
	if got := names(); got != "short,exp,both" {
		t.Fatalf("got %q", got)
	}
	now = now.Add(30 * time.Second)
	if got := names(); got != "exp,both" {
		t.Fatalf("after 30s got %q", got)
	}
	jar.SetCookies(u, []*http.Cookie{{Name: "both", Value: "", MaxAge: -1}}) // Max-Age=0
	now = now.Add(time.Minute)
	if got := names(); got != "" {
		t.Fatalf("after deletion and expiry got %q", got)
	}
}

func TestSecurePathAndAttributes(t *testing.T) {
	jar := NewMemory()
	jar.SetCookies(mustURL(t, "https://example.com/api/v1/login"), []*http.Cookie{
		{Name: "sec", Value: "1", Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode, Path: "/"},
		{Name: "api", Value: "2", Path: "/api"},
		{Name: "dflt", Value: "3"}, // default path /api/v1
		{Name: "__Secure-no", Value: "x"},
		{Name: "__Host-no", Value: "x", Secure: true, Domain: "example.com", Path: "/"},
		{Name: "__Host-ok", Value: "y", Secure: true, Path: "/"},
	})
	str := func(raw string) string {
		var parts []string
		for _, c := range jar.Cookies(mustURL(t, raw)) {
			parts = append(parts, c.Name)
		}
		return strings.Join(parts, ",")
	}
	checks := map[string]string{
		"http://example.com/":         "",
		"https://example.com/":        "sec,__Host-ok",
		"http://example.com/api/v1/x": "dflt,api",
		"http://example.com/apix":     "",
		"https://example.com/api":     "api,sec,__Host-ok",
		"http://example.com/api/v1":   "dflt,api",
		"ftp://example.com/api/v1/x":  "",
	}
	for raw, want := range checks {
		if got := str(raw); got != want {
			t.Errorf("%s: got %q want %q", raw, got, want)
		}
	}
	for _, c := range jar.All() {
		if c.Name == "sec" && (!c.HttpOnly || !c.Secure || c.SameSite != "Strict") {
			t.Errorf("attributes lost: %+v", c)
		}
	}
}

func TestAutosaveAndCorruptFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cookies.json")
	jar, err := Open(Options{Path: path, FlushDelay: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	jar.SetCookies(mustURL(t, "http://example.com/"), []*http.Cookie{{Name: "a", Value: "1", MaxAge: 60}})
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(path); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("autosave never wrote the file")
		}
		time.Sleep(10 * time.Millisecond)
	}
	jar.Close()
	if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(Options{Path: path}); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("corrupt file: got %v", err)
	}
}

func TestEvictionBounds(t *testing.T) {
	jar, _ := Open(Options{MaxCookies: 5, MaxCookiesPerDomain: 3})
	u := mustURL(t, "http://a.example/")
	for i := range 4 {
		jar.SetCookies(u, []*http.Cookie{{Name: string(rune('a' + i)), Value: "v"}})
	}
	if got := jar.Cookies(u); len(got) != 3 || got[0].Name != "b" {
		t.Fatalf("per-domain bound: %v", got)
	}
	for i := range 4 {
		jar.SetCookies(mustURL(t, "http://b"+string(rune('0'+i))+".example/"), []*http.Cookie{{Name: "x", Value: "v"}})
	}
	if n := len(jar.All()); n != 5 {
		t.Fatalf("total bound: %d cookies", n)
	}
}
