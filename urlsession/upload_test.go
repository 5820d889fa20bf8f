package urlsession

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

func uploadServer() (*httptest.Server, *atomic.Int64) {
	var got atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		got.Store(n)
		w.WriteHeader(201)
		fmt.Fprintf(w, "Upload completed!, Content-Length: %d", n)
	}))
	return srv, &got
}

func TestUploadFromBytes(t *testing.T) {
	srv, got := uploadServer()
	defer srv.Close()
	e := newTestEngine(t)
	s, rec := newTestSession(t, e, DefaultConfiguration())
	task := start(t, s, KindUploadTask, Request{URL: srv.URL + "/upload", Method: "PUT", Body: make([]byte, 16384)})
	wantCode(t, rec.wait(t, task.ID()), 0)
	if got.Load() != 16384 || string(task.Body()) != "Upload completed!, Content-Length: 16384" ||
		task.Response().StatusCode != 201 {
		t.Errorf("server got %d; response %d %q", got.Load(), task.Response().StatusCode, task.Body())
	}
	rec.mu.Lock()
	sends := rec.sends[1]
	rec.mu.Unlock()
	if len(sends) == 0 || sends[len(sends)-1].total != 16384 || sends[len(sends)-1].expected != 16384 {
		t.Errorf("upload progress %+v", sends)
	}
	if task.CountOfBytesSent() != 16384 || task.CountOfBytesExpectedToSend() != 16384 {
		t.Errorf("counters %d/%d", task.CountOfBytesSent(), task.CountOfBytesExpectedToSend())
	}
	rec.check(t)
}

// TestUploadStreamsLargeFile uploads a 256 MiB (sparse) file and checks the heap
// never grows by anything like the file's size.
func TestUploadStreamsLargeFile(t *testing.T) {
	const size = 256 << 20
	path := filepath.Join(t.TempDir(), "big.bin")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	f.Close()
	srv, got := uploadServer()
	defer srv.Close()
	e := newTestEngine(t)
	s, rec := newTestSession(t, e, DefaultConfiguration())

	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var m runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > peak.Load() {
				peak.Store(m.HeapAlloc)
			}
		}
	}()
	task := start(t, s, KindUploadTask, Request{URL: srv.URL + "/upload", BodyFile: path})
	err2 := rec.wait(t, task.ID())
	close(stop)
	<-sampled
	wantCode(t, err2, 0)
	if got.Load() != size {
		t.Fatalf("server received %d bytes, want %d", got.Load(), size)
	}
	if growth := int64(peak.Load()) - int64(base); growth > 48<<20 {
		t.Errorf("heap grew by %d MiB while uploading a %d MiB file", growth>>20, size>>20)
	} else {
		t.Logf("peak heap growth %d KiB", growth>>10)
	}
	rec.mu.Lock()
	sends := rec.sends[1]
	rec.mu.Unlock()
	if last := sends[len(sends)-1]; last.total != size || last.expected != size {
		t.Errorf("final upload progress %+v", last)
	}
	rec.check(t)
}
