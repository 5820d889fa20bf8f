package httpcache

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// origin is a loopback server whose paths exercise cache semantics. It
// counts full responses and 304s.
type origin struct {
	srv       *httptest.Server
	hits      atomic.Int64
	notMod    atomic.Int64
	version   atomic.Int64 // bumped to change /etag's validator
	lastCond  atomic.Value // string: the If-None-Match/If-Modified-Since seen
	lastModTs time.Time
}

func newOrigin(t *testing.T) *origin {
	t.Helper()
	o := &origin{lastModTs: time.Now().Add(-48 * time.Hour).UTC().Truncate(time.Second)}
	o.version.Store(1)
	o.lastCond.Store("")
	mux := http.NewServeMux()
	mux.HandleFunc("/fresh", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=3600")
		fmt.Fprintf(w, "fresh-%d", o.hits.Add(1))
	})
	mux.HandleFunc("/private", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "private, max-age=3600")
		fmt.Fprintf(w, "private-%d", o.hits.Add(1))
	})
	mux.HandleFunc("/stale", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=0")
		fmt.Fprintf(w, "stale-%d", o.hits.Add(1))
	})
	mux.HandleFunc("/etag", func(w http.ResponseWriter, r *http.Request) {
		tag := fmt.Sprintf(`"v%d"`, o.version.Load())
		w.Header().Set("ETag", tag)
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("X-Served", strconv.FormatInt(o.hits.Load()+o.notMod.Load()+1, 10))
		o.lastCond.Store(r.Header.Get("If-None-Match"))
		if r.Header.Get("If-None-Match") == tag {
			o.notMod.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		fmt.Fprintf(w, "etag-body-%d", o.hits.Add(1))
	})
	mux.HandleFunc("/lastmod", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Last-Modified", o.lastModTs.Format(http.TimeFormat))
		w.Header().Set("Cache-Control", "max-age=1")
		o.lastCond.Store(r.Header.Get("If-Modified-Since"))
		if ims, err := http.ParseTime(r.Header.Get("If-Modified-Since")); err == nil && !o.lastModTs.After(ims) {
			o.notMod.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		fmt.Fprintf(w, "lastmod-%d", o.hits.Add(1))
	})
	mux.HandleFunc("/nostore", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store, max-age=3600")
		fmt.Fprintf(w, "nostore-%d", o.hits.Add(1))
	})
	mux.HandleFunc("/vary", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=3600")
		w.Header().Set("Vary", "Accept-Language")
		fmt.Fprintf(w, "%s-%d", r.Header.Get("Accept-Language"), o.hits.Add(1))
	})
	mux.HandleFunc("/varystar", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=3600")
		w.Header().Set("Vary", "*")
		fmt.Fprintf(w, "star-%d", o.hits.Add(1))
	})
	mux.HandleFunc("/expires", func(w http.ResponseWriter, r *http.Request) {
		d, _ := time.ParseDuration(r.URL.Query().Get("in"))
		w.Header().Set("Date", time.Now().UTC().Format(http.TimeFormat))
		w.Header().Set("Expires", time.Now().Add(d).UTC().Format(http.TimeFormat))
		fmt.Fprintf(w, "expires-%d", o.hits.Add(1))
	})
	mux.HandleFunc("/status", func(w http.ResponseWriter, r *http.Request) {
		code, _ := strconv.Atoi(r.URL.Query().Get("code"))
		w.Header().Set("Cache-Control", "max-age=3600")
		w.WriteHeader(code)
		fmt.Fprintf(w, "status-%d", o.hits.Add(1))
	})
	mux.HandleFunc("/size", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		w.Header().Set("Cache-Control", "max-age=3600")
		if r.URL.Query().Get("chunked") == "" {
			w.Header().Set("Content-Length", strconv.Itoa(n))
		}
		o.hits.Add(1)
		w.Write([]byte(strings.Repeat("x", n)))
	})
	mux.HandleFunc("/truncated", func(w http.ResponseWriter, r *http.Request) {
		o.hits.Add(1)
		conn, bw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		bw.WriteString("HTTP/1.1 200 OK\r\nCache-Control: max-age=3600\r\nContent-Length: 100\r\n\r\n" + strings.Repeat("y", 50))
		bw.Flush()
	})
	o.srv = httptest.NewServer(mux)
	t.Cleanup(o.srv.Close)
	return o
}

func (o *origin) fetch(r *http.Request) (*http.Response, error) {
	return o.srv.Client().Transport.RoundTrip(r)
}

func (o *origin) url(path string) string { return o.srv.URL + path }

type result struct {
	body      string
	status    int
	header    http.Header
	fromCache bool
}

func do(t *testing.T, c *Cache, policy Policy, method, rawURL string, hdr map[string]string, fetch Fetch) (result, error) {
	t.Helper()
	req, err := http.NewRequest(method, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, fromCache, err := c.Do(req, policy, fetch)
	if err != nil {
		return result{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return result{body: string(b), status: resp.StatusCode, header: resp.Header, fromCache: fromCache}, nil
}

// mustDo is do for a GET that must succeed.
func mustDo(t *testing.T, c *Cache, policy Policy, rawURL string, hdr map[string]string, fetch Fetch) result {
	t.Helper()
	r, err := do(t, c, policy, http.MethodGet, rawURL, hdr, fetch)
	if err != nil {
		t.Fatalf("GET %s: %v", rawURL, err)
	}
	return r
}

func get(t *testing.T, c *Cache, o *origin, path string, policy Policy) result {
	t.Helper()
	return mustDo(t, c, policy, o.url(path), nil, o.fetch)
}

// modes runs a test against a disk cache and a memory cache.
func modes(t *testing.T, f func(t *testing.T, open func(Options) *Cache)) {
	for _, disk := range []bool{true, false} {
		name := "memory"
		if disk {
			name = "disk"
		}
		t.Run(name, func(t *testing.T) {
			dir := ""
			if disk {
				dir = filepath.Join(t.TempDir(), "cache")
			}
			f(t, func(o Options) *Cache {
				t.Helper()
				o.Dir = dir
				c, err := Open(o)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { c.Close() })
				return c
			})
		})
	}
}

func expect(t *testing.T, r result, body string, fromCache bool) {
	t.Helper()
	if r.body != body || r.fromCache != fromCache {
		t.Fatalf("got body %q fromCache %v, want %q %v", r.body, r.fromCache, body, fromCache)
	}
}

func TestProtocolPolicyServesFreshResponses(t *testing.T) {
	modes(t, func(t *testing.T, open func(Options) *Cache) {
		o := newOrigin(t)
		c := open(Options{})
		expect(t, get(t, c, o, "/fresh", UseProtocolCachePolicy), "fresh-1", false)
		r := get(t, c, o, "/fresh", UseProtocolCachePolicy)
		expect(t, r, "fresh-1", true)
		if r.header.Get("Age") == "" || r.header.Get("Content-Length") != "7" {
			t.Fatalf("served headers: %v", r.header)
		}
		expect(t, get(t, c, o, "/private", UseProtocolCachePolicy), "private-2", false)
		expect(t, get(t, c, o, "/private", UseProtocolCachePolicy), "private-2", true)
		// A stale response without validators is fetched again.
		expect(t, get(t, c, o, "/stale", UseProtocolCachePolicy), "stale-3", false)
		expect(t, get(t, c, o, "/stale", UseProtocolCachePolicy), "stale-4", false)
		// Request no-cache forces the network.
		expect(t, mustDo(t, c, UseProtocolCachePolicy, o.url("/fresh"), map[string]string{"Cache-Control": "no-cache"}, o.fetch), "fresh-5", false)
	})
}

func TestExpiresAndClock(t *testing.T) {
	modes(t, func(t *testing.T, open func(Options) *Cache) {
		o := newOrigin(t)
		var skew atomic.Int64
		c := open(Options{Now: func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }})
		expect(t, get(t, c, o, "/expires?in=1h", UseProtocolCachePolicy), "expires-1", false)
		expect(t, get(t, c, o, "/expires?in=1h", UseProtocolCachePolicy), "expires-1", true)
		expect(t, get(t, c, o, "/expires?in=-1h", UseProtocolCachePolicy), "expires-2", false)
		expect(t, get(t, c, o, "/expires?in=-1h", UseProtocolCachePolicy), "expires-3", false)
		skew.Store(int64(2 * time.Hour))
		expect(t, get(t, c, o, "/expires?in=1h", UseProtocolCachePolicy), "expires-4", false)
		skew.Store(0)
		expect(t, get(t, c, o, "/fresh", UseProtocolCachePolicy), "fresh-5", false)
		skew.Store(int64(30 * time.Minute))
		expect(t, get(t, c, o, "/fresh", UseProtocolCachePolicy), "fresh-5", true)
		skew.Store(int64(61 * time.Minute))
		expect(t, get(t, c, o, "/fresh", UseProtocolCachePolicy), "fresh-6", false)
	})
}

func TestRevalidationWithETag(t *testing.T) {
	modes(t, func(t *testing.T, open func(Options) *Cache) {
		o := newOrigin(t)
		c := open(Options{})
		expect(t, get(t, c, o, "/etag", UseProtocolCachePolicy), "etag-body-1", false)
		r := get(t, c, o, "/etag", UseProtocolCachePolicy)
		expect(t, r, "etag-body-1", true)
		if got := o.lastCond.Load(); got != `"v1"` {
			t.Fatalf("If-None-Match sent %q", got)
		}
		if r.status != 200 || r.header.Get("X-Served") != "2" {
			t.Fatalf("status %d, X-Served %q: the 304's headers must update the stored ones", r.status, r.header.Get("X-Served"))
		}
		if o.notMod.Load() != 1 || o.hits.Load() != 1 {
			t.Fatalf("hits %d, 304s %d", o.hits.Load(), o.notMod.Load())
		}
		// Changed resource: a full 200 replaces the entry.
		o.version.Store(2)
		expect(t, get(t, c, o, "/etag", UseProtocolCachePolicy), "etag-body-2", false)
		expect(t, get(t, c, o, "/etag", UseProtocolCachePolicy), "etag-body-2", true)
		if got := o.lastCond.Load(); got != `"v2"` {
			t.Fatalf("If-None-Match after update %q", got)
		}
	})
}

func TestRevalidationWithLastModified(t *testing.T) {
	modes(t, func(t *testing.T, open func(Options) *Cache) {
		o := newOrigin(t)
		var skew atomic.Int64
		c := open(Options{Now: func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }})
		expect(t, get(t, c, o, "/lastmod", UseProtocolCachePolicy), "lastmod-1", false)
		expect(t, get(t, c, o, "/lastmod", UseProtocolCachePolicy), "lastmod-1", true) // max-age=1
		skew.Store(int64(time.Minute))
		expect(t, get(t, c, o, "/lastmod", UseProtocolCachePolicy), "lastmod-1", true)
		if o.notMod.Load() != 1 || o.lastCond.Load() != o.lastModTs.Format(http.TimeFormat) {
			t.Fatalf("304s %d, If-Modified-Since %q", o.notMod.Load(), o.lastCond.Load())
		}
	})
}

func TestPolicies(t *testing.T) {
	modes(t, func(t *testing.T, open func(Options) *Cache) {
		o := newOrigin(t)
		c := open(Options{})
		noNetwork := func(*http.Request) (*http.Response, error) {
			t.Error("ReturnCacheDataDontLoad touched the network")
			return nil, errors.New("no network")
		}
		if _, err := do(t, c, ReturnCacheDataDontLoad, "GET", o.url("/stale"), nil, noNetwork); !errors.Is(err, ErrNotCached) {
			t.Fatalf("DontLoad miss: %v", err)
		}
		if _, err := do(t, c, UseProtocolCachePolicy, "GET", o.url("/stale"), map[string]string{"Cache-Control": "only-if-cached"}, noNetwork); !errors.Is(err, ErrNotCached) {
			t.Fatalf("only-if-cached miss: %v", err)
		}
		// Reload always fetches, and stores what it got.
		expect(t, get(t, c, o, "/fresh", ReloadIgnoringLocalCacheData), "fresh-1", false)
		expect(t, get(t, c, o, "/fresh", ReloadIgnoringLocalCacheData), "fresh-2", false)
		expect(t, mustDo(t, c, ReturnCacheDataDontLoad, o.url("/fresh"), nil, noNetwork), "fresh-2", true)
		// ElseLoad: a stale entry is served as is; a miss loads.
		expect(t, get(t, c, o, "/stale", ReturnCacheDataElseLoad), "stale-3", false)
		expect(t, get(t, c, o, "/stale", ReturnCacheDataElseLoad), "stale-3", true)
		expect(t, get(t, c, o, "/stale", UseProtocolCachePolicy), "stale-4", false)
		expect(t, mustDo(t, c, ReturnCacheDataDontLoad, o.url("/stale"), nil, noNetwork), "stale-4", true)
	})
}

func TestNotStored(t *testing.T) {
	modes(t, func(t *testing.T, open func(Options) *Cache) {
		o := newOrigin(t)
		c := open(Options{})
		expect(t, get(t, c, o, "/nostore", ReturnCacheDataElseLoad), "nostore-1", false)
		expect(t, get(t, c, o, "/nostore", ReturnCacheDataElseLoad), "nostore-2", false)
		r, _ := do(t, c, UseProtocolCachePolicy, "GET", o.url("/fresh"), map[string]string{"Cache-Control": "no-store"}, o.fetch)
		expect(t, r, "fresh-3", false)
		expect(t, get(t, c, o, "/fresh", UseProtocolCachePolicy), "fresh-4", false) // nothing was stored
		expect(t, get(t, c, o, "/varystar", ReturnCacheDataElseLoad), "star-5", false)
		expect(t, get(t, c, o, "/varystar", ReturnCacheDataElseLoad), "star-6", false)
		expect(t, get(t, c, o, "/status?code=500", ReturnCacheDataElseLoad), "status-7", false)
		expect(t, get(t, c, o, "/status?code=500", ReturnCacheDataElseLoad), "status-8", false)
		r = get(t, c, o, "/status?code=404", ReturnCacheDataElseLoad)
		expect(t, get(t, c, o, "/status?code=404", ReturnCacheDataElseLoad), "status-9", true)
		if r.status != 404 {
			t.Fatalf("404 served as %d", r.status)
		}
		if s := c.Stats(); s.Entries != 2 {
			t.Fatalf("entries %d, want /fresh and the 404", s.Entries)
		}
	})
}

func TestVary(t *testing.T) {
	modes(t, func(t *testing.T, open func(Options) *Cache) {
		o := newOrigin(t)
		c := open(Options{})
		lang := func(l string) result {
			return mustDo(t, c, UseProtocolCachePolicy, o.url("/vary"), map[string]string{"Accept-Language": l}, o.fetch)
		}
		expect(t, lang("fr"), "fr-1", false)
		expect(t, lang("de"), "de-2", false)
		expect(t, lang("fr"), "fr-1", true)
		expect(t, lang("de"), "de-2", true)
		expect(t, lang("en"), "en-3", false)
		if s := c.Stats(); s.Entries != 3 {
			t.Fatalf("%d variants stored, want 3", s.Entries)
		}
	})
}

func TestHeadAndUnsafeMethods(t *testing.T) {
	modes(t, func(t *testing.T, open func(Options) *Cache) {
		o := newOrigin(t)
		c := open(Options{})
		h, err := do(t, c, UseProtocolCachePolicy, "HEAD", o.url("/fresh"), nil, o.fetch)
		if err != nil || h.fromCache || h.body != "" {
			t.Fatalf("HEAD: %+v %v", h, err)
		}
		h, _ = do(t, c, UseProtocolCachePolicy, "HEAD", o.url("/fresh"), nil, o.fetch)
		if !h.fromCache || h.body != "" || h.header.Get("Content-Length") != "7" {
			t.Fatalf("second HEAD: %+v", h)
		}
		expect(t, get(t, c, o, "/fresh", UseProtocolCachePolicy), "fresh-2", false)
		expect(t, get(t, c, o, "/fresh", UseProtocolCachePolicy), "fresh-2", true)
		p, err := do(t, c, UseProtocolCachePolicy, "POST", o.url("/fresh"), nil, o.fetch)
		if err != nil || p.fromCache {
			t.Fatalf("POST: %+v %v", p, err)
		}
		if s := c.Stats(); s.Entries != 0 {
			t.Fatalf("POST left %d entries", s.Entries)
		}
		expect(t, get(t, c, o, "/fresh", UseProtocolCachePolicy), "fresh-4", false)
	})
}

func TestSizeBoundAndLRU(t *testing.T) {
	modes(t, func(t *testing.T, open func(Options) *Cache) {
		o := newOrigin(t)
		c := open(Options{MaxBytes: 12 << 10, MaxEntryBytes: 4 << 10})
		path := func(i int) string { return fmt.Sprintf("/size?n=3000&k=%d", i) }
		get(t, c, o, path(0), UseProtocolCachePolicy)
		get(t, c, o, path(1), UseProtocolCachePolicy)
		get(t, c, o, path(2), UseProtocolCachePolicy)
		if r := get(t, c, o, path(0), UseProtocolCachePolicy); !r.fromCache { // 0 is now the most recent
			t.Fatal("entry 0 not cached")
		}
		get(t, c, o, path(3), UseProtocolCachePolicy) // must evict 1, the least recently used
		s := c.Stats()
		if s.Bytes > 12<<10 || s.Entries != 3 {
			t.Fatalf("stats %+v exceed the bound", s)
		}
		for i, want := range []bool{true, false, true, true} {
			_, err := do(t, c, ReturnCacheDataDontLoad, "GET", o.url(path(i)), nil, nil)
			if cached := err == nil; cached != want {
				t.Errorf("entry %d cached %v, want %v (%v)", i, cached, want, err)
			}
		}
		// Over MaxEntryBytes: passes through, never stored (known length or not).
		for _, p := range []string{"/size?n=5000", "/size?n=5000&chunked=1"} {
			get(t, c, o, p, UseProtocolCachePolicy)
			if r := get(t, c, o, p, ReturnCacheDataElseLoad); r.fromCache || len(r.body) != 5000 {
				t.Fatalf("%s: fromCache %v len %d", p, r.fromCache, len(r.body))
			}
		}
		if s := c.Stats(); s.Bytes > 12<<10 {
			t.Fatalf("stats %+v exceed the bound", s)
		}
	})
}

func TestPartialAndTruncatedBodiesAreNotStored(t *testing.T) {
	modes(t, func(t *testing.T, open func(Options) *Cache) {
		o := newOrigin(t)
		c := open(Options{MaxBytes: 8 << 20, MaxEntryBytes: 4 << 20})
		// The server lies about Content-Length and hangs up.
		req, _ := http.NewRequest("GET", o.url("/truncated"), nil)
		resp, _, err := c.Do(req, UseProtocolCachePolicy, o.fetch)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadAll(resp.Body); err == nil {
			t.Fatal("truncated body read without error")
		}
		resp.Body.Close()
		// The reader gives up half way.
		req, _ = http.NewRequest("GET", o.url("/size?n=1000000"), nil)
		resp, _, err = c.Do(req, UseProtocolCachePolicy, o.fetch)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.CopyN(io.Discard, resp.Body, 500000); err != nil {
			t.Fatal(err)
		}
		if c.opts.Dir != "" {
			// Streaming: the half read so far is already on disk, not in memory.
			tmps, _ := os.ReadDir(filepath.Join(c.opts.Dir, "tmp"))
			if len(tmps) != 1 {
				t.Fatalf("temp files while streaming: %v", tmps)
			}
			if fi, err := tmps[0].Info(); err != nil || fi.Size() < 400000 {
				t.Fatalf("temp file holds %v bytes, want the part read so far", fi)
			}
		}
		resp.Body.Close()
		if s := c.Stats(); s.Entries != 0 {
			t.Fatalf("partial bodies stored: %+v", s)
		}
		if c.opts.Dir != "" {
			if tmps, _ := os.ReadDir(filepath.Join(c.opts.Dir, "tmp")); len(tmps) != 0 {
				t.Fatalf("temp files left behind: %v", tmps)
			}
		}
		// Read fully, it is stored.
		if r := get(t, c, o, "/size?n=1000000", UseProtocolCachePolicy); r.fromCache || len(r.body) != 1000000 {
			t.Fatal("full read failed")
		}
		if r := get(t, c, o, "/size?n=1000000", UseProtocolCachePolicy); !r.fromCache || len(r.body) != 1000000 {
			t.Fatalf("full body not served from cache: fromCache %v len %d", r.fromCache, len(r.body))
		}
	})
}

func TestDiskPersistenceAndRecovery(t *testing.T) {
	o := newOrigin(t)
	dir := filepath.Join(t.TempDir(), "cache")
	c, err := Open(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	get(t, c, o, "/fresh", UseProtocolCachePolicy)
	get(t, c, o, "/etag", UseProtocolCachePolicy)
	get(t, c, o, "/etag", UseProtocolCachePolicy) // 304 updates stored headers on disk
	get(t, c, o, "/private", UseProtocolCachePolicy)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	// Simulate a crash: truncate one body, leave a stray temp file.
	var privateID string
	for _, e := range c.index[primaryKey("GET", mustURL(t, o.url("/private")))] {
		privateID = e.ID
	}
	if err := os.WriteFile(filepath.Join(dir, privateID+".body"), []byte("tr"), 0o600); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "tmp", "body-stray"), []byte("junk"), 0o600)

	c2, err := Open(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	noNetwork := func(*http.Request) (*http.Response, error) { return nil, errors.New("offline") }
	expect(t, mustDo(t, c2, UseProtocolCachePolicy, o.url("/fresh"), nil, noNetwork), "fresh-1", true)
	r := mustDo(t, c2, ReturnCacheDataDontLoad, o.url("/etag"), nil, noNetwork)
	if r.body != "etag-body-2" || r.header.Get("X-Served") != "3" {
		t.Fatalf("etag entry after reopen: %q X-Served %q", r.body, r.header.Get("X-Served"))
	}
	if _, err := do(t, c2, ReturnCacheDataDontLoad, "GET", o.url("/private"), nil, noNetwork); !errors.Is(err, ErrNotCached) {
		t.Fatalf("truncated entry must be dropped, got %v", err)
	}
	if tmps, _ := os.ReadDir(filepath.Join(dir, "tmp")); len(tmps) != 0 {
		t.Fatalf("stray temp files survive Open: %v", tmps)
	}
}

func TestResetWhileInUse(t *testing.T) {
	modes(t, func(t *testing.T, open func(Options) *Cache) {
		o := newOrigin(t)
		c := open(Options{MaxBytes: 1 << 20})
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					p := fmt.Sprintf("/size?n=%d&w=%d", 1000+i%7*100, w)
					req, _ := http.NewRequest("GET", o.url(p), nil)
					resp, _, err := c.Do(req, UseProtocolCachePolicy, o.fetch)
					if err != nil {
						t.Error(err)
						return
					}
					b, err := io.ReadAll(resp.Body)
					resp.Body.Close()
					if err != nil || len(b) != 1000+i%7*100 {
						t.Errorf("body len %d, err %v", len(b), err)
						return
					}
				}
			}()
		}
		for range 20 {
			time.Sleep(3 * time.Millisecond)
			if err := c.Reset(); err != nil {
				t.Fatal(err)
			}
		}
		close(stop)
		wg.Wait()
		if err := c.Reset(); err != nil {
			t.Fatal(err)
		}
		if s := c.Stats(); s.Entries != 0 || s.Bytes != 0 {
			t.Fatalf("stats after Reset: %+v", s)
		}
		if c.opts.Dir != "" {
			des, _ := os.ReadDir(c.opts.Dir)
			for _, de := range des {
				if de.Name() != "tmp" {
					t.Errorf("file %s survived Reset", de.Name())
				}
			}
			if tmps, _ := os.ReadDir(filepath.Join(c.opts.Dir, "tmp")); len(tmps) != 0 {
				t.Errorf("temp files survived: %v", tmps)
			}
		}
		if err := c.Flush(); err != nil {
			t.Fatal(err)
		}
	})
}
