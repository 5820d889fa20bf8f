package urlsession

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// cannedTransport answers every request at once, without a network, so a benchmark
// measures only the engine's own per-task work.
type cannedTransport struct{}

func (cannedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		r.Body.Close()
	}
	return &http.Response{StatusCode: 200, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"text/plain; charset=utf-8"}, "Content-Length": {"2"}},
		Body:          io.NopCloser(strings.NewReader("ok")),
		ContentLength: 2, Request: r}, nil
}

func BenchmarkEngineOverheadPerTask(b *testing.B) {
	b.Run("background", func(b *testing.B) { benchOverhead(b, BackgroundConfiguration("overhead")) })
	// Default sessions also pass data tasks through the shared in-memory HTTP cache.
	b.Run("default", func(b *testing.B) { benchOverhead(b, DefaultConfiguration()) })
}

func benchOverhead(b *testing.B, cfg Configuration) {
	e, err := NewEngine(EngineOptions{DataDir: b.TempDir(), Transport: cannedTransport{}})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	cfg.HTTPMaximumConnectionsPerHost = 64
	d := &chanDelegate{}
	s, err := e.NewSession(cfg, d)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetParallelism(32)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := d.run(s, KindDataTask, "http://127.0.0.1:1/small"); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
