package urlsession

import (
	"crypto/x509"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"
)

func TestConfiguredProxyIsUsed(t *testing.T) {
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "via proxy: "+r.URL.String())
	}))
	defer proxy.Close()
	pu, _ := url.Parse(proxy.URL)
	e := newTestEngine(t)
	cfg := DefaultConfiguration()
	cfg.Proxy = http.ProxyURL(pu)
	s, rec := newTestSession(t, e, cfg)
	task := start(t, s, KindDataTask, Request{URL: "http://origin.example.test/path?q=1"})
	wantCode(t, rec.wait(t, task.ID()), 0)
	if got := string(task.Body()); got != "via proxy: http://origin.example.test/path?q=1" {
		t.Errorf("got %q", got)
	}
}

type countingTransport struct {
	n  atomic.Int32
	rt http.RoundTripper
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.rt.RoundTrip(r)
}

func TestEngineTransportOverride(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	base := &http.Transport{}
	defer base.CloseIdleConnections()
	ct := &countingTransport{rt: base}
	e, err := NewEngine(EngineOptions{DataDir: t.TempDir(), Transport: ct})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	s, rec := newTestSession(t, e, DefaultConfiguration())
	wantCode(t, rec.wait(t, start(t, s, KindDataTask, Request{URL: srv.URL}).ID()), 0)
	if ct.n.Load() != 1 {
		t.Errorf("custom transport used %d times", ct.n.Load())
	}
}

func TestHeadResponseLengthIsNotABody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000000000")
	}))
	defer srv.Close()
	e := newTestEngine(t)
	cfg := DefaultConfiguration()
	cfg.MaxDataBodyBytes = 1024
	s, rec := newTestSession(t, e, cfg)
	task := start(t, s, KindDataTask, Request{URL: srv.URL, Method: "HEAD"})
	wantCode(t, rec.wait(t, task.ID()), 0)
	if len(task.Body()) != 0 || task.Response().ExpectedContentLength != 1000000000 {
		t.Errorf("HEAD: body %d bytes, expected %d", len(task.Body()), task.Response().ExpectedContentLength)
	}
}

// Over HTTP/2 tasks share one connection, so the per-host limit stops queueing them.
func TestHTTP2HostIsNotLimited(t *testing.T) {
	var active, peak atomic.Int32
	release := make(chan struct{})
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/warmup" {
			return
		}
		n := active.Add(1)
		defer active.Add(-1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	e := newTestEngine(t)
	cfg := DefaultConfiguration()
	cfg.TrustedCAs = pool
	cfg.HTTPMaximumConnectionsPerHost = 1
	s, rec := newTestSession(t, e, cfg)
	wantCode(t, rec.wait(t, start(t, s, KindDataTask, Request{URL: srv.URL + "/warmup"}).ID()), 0)
	for i := 0; i < 4; i++ {
		start(t, s, KindDataTask, Request{URL: srv.URL + "/hold"})
	}
	deadline := time.Now().Add(testTimeout)
	for active.Load() < 4 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	close(release)
	for id := uint64(2); id <= 5; id++ {
		wantCode(t, rec.wait(t, id), 0)
	}
	if peak.Load() != 4 {
		t.Errorf("peak %d concurrent HTTP/2 requests, want 4", peak.Load())
	}
}
