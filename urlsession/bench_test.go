package urlsession

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
)

// benchServer serves /bytes?n=N (zeros, with Content-Length) and /small.
func benchServer() *httptest.Server {
	zeros := make([]byte, 1<<20)
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		if n == 0 {
			io.WriteString(w, "ok")
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(n))
		for n > 0 {
			k, err := w.Write(zeros[:min(n, len(zeros))])
			if err != nil {
				return
			}
			n -= k
		}
	}))
}

// chanDelegate signals each task's completion on a channel stored per task.
type chanDelegate struct {
	NopDelegate
	done sync.Map // *Task -> chan *URLError
}

func (d *chanDelegate) DidComplete(t *Task, err *URLError) {
	if ch, ok := d.done.Load(t); ok {
		ch.(chan *URLError) <- err
	}
}

func (d *chanDelegate) run(s *Session, kind TaskKind, url string) *URLError {
	var t *Task
	var err error
	if kind == KindDownloadTask {
		t, err = s.DownloadTask(Request{URL: url})
	} else {
		t, err = s.DataTask(Request{URL: url})
	}
	if err != nil {
		return newURLError(CodeUnknown, url, err)
	}
	ch := make(chan *URLError, 1)
	d.done.Store(t, ch)
	t.Resume()
	uerr := <-ch
	d.done.Delete(t)
	return uerr
}

func benchSession(b *testing.B, perHost int) (*Session, *chanDelegate) {
	e, err := NewEngine(EngineOptions{DataDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { e.Close() })
	cfg := BackgroundConfiguration("bench") // what ti.urlsession creates: no cache
	cfg.HTTPMaximumConnectionsPerHost = perHost
	d := &chanDelegate{}
	s, err := e.NewSession(cfg, d)
	if err != nil {
		b.Fatal(err)
	}
	return s, d
}

const benchDownloadSize = 64 << 20

func BenchmarkDownloadEngine(b *testing.B) {
	srv := benchServer()
	defer srv.Close()
	s, d := benchSession(b, 6)
	url := srv.URL + "/bytes?n=" + strconv.Itoa(benchDownloadSize)
	b.SetBytes(benchDownloadSize)
	for b.Loop() {
		if err := d.run(s, KindDownloadTask, url); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDownloadRawNetHTTP(b *testing.B) {
	srv := benchServer()
	defer srv.Close()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr}
	url := srv.URL + "/bytes?n=" + strconv.Itoa(benchDownloadSize)
	dir := b.TempDir()
	b.SetBytes(benchDownloadSize)
	for b.Loop() {
		resp, err := c.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		f, _ := os.Create(filepath.Join(dir, "out"))
		_, err = io.Copy(f, resp.Body)
		resp.Body.Close()
		f.Sync()
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSmallRequestsEngine(b *testing.B) {
	srv := benchServer()
	defer srv.Close()
	s, d := benchSession(b, 64)
	b.SetParallelism(32) // 2 cores x 32 = 64 concurrent requests
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := d.run(s, KindDataTask, srv.URL+"/small"); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkSmallRequestsRawNetHTTP(b *testing.B) {
	srv := benchServer()
	defer srv.Close()
	tr := &http.Transport{MaxIdleConnsPerHost: 64, MaxConnsPerHost: 64}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr}
	b.SetParallelism(32)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := c.Get(srv.URL + "/small")
			if err != nil {
				b.Error(err)
				return
			}
			io.ReadAll(resp.Body)
			resp.Body.Close()
		}
	})
}
