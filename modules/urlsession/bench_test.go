package urlsession

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tirun/tirun/runtime"
)

// envInt reads a positive integer benchmark size from the environment.
func envInt(name string, def int64) int64 {
	if n, err := strconv.ParseInt(os.Getenv(name), 10, 64); err == nil && n > 0 {
		return n
	}
	return def
}

// benchRun runs src in a fresh runtime (the fixture URL and extra env in process.env).
func benchRun(b *testing.B, env map[string]string, src string) {
	b.Helper()
	rt, err := runtime.New(runtime.Options{
		DataDir: b.TempDir(), Env: env,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Stdout: io.Discard, Stderr: io.Discard,
	})
	if err != nil {
		b.Fatal(err)
	}
	defer rt.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if err := rt.RunString(ctx, "bench.js", src); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkDownload compares a downloadTask through the runtime, with a JS listener on every
// progress event, to net/http copying the same body to a file. TIRUN_BENCH_BYTES sets the size
// (default 1 GiB). Compare the two MB/s figures: the target is tirun >= 0.95 x nethttp.
func BenchmarkDownload(b *testing.B) {
	size := envInt("TIRUN_BENCH_BYTES", 1<<30)
	srv := startFixture(b)
	url := fmt.Sprintf("%s/bytes/%d", srv.URL(), size)

	b.Run("tirun", func(b *testing.B) {
		b.SetBytes(size)
		for i := 0; i < b.N; i++ {
			benchRun(b, map[string]string{"URL": url, "SIZE": strconv.FormatInt(size, 10)}, `
				const U = require('com.appcelerator.urlSession');
				const s = U.createSession({configuration: U.createSessionConfiguration({identifier: 'bench'})});
				let written = 0;
				s.addEventListener('downloadprogress', e => { written = e.totalBytesWritten; });
				s.addEventListener('downloadcompleted', e => {
					if (e.data.length !== Number(process.env.SIZE)) throw new Error('short download: ' + e.data.length);
				});
				s.addEventListener('sessioncompleted', e => {
					if (!e.success || written !== Number(process.env.SIZE)) throw new Error('download failed: ' + e.message);
					s.finishTasksAndInvalidate();
				});
				s.downloadTask({url: process.env.URL});
			`)
		}
	})

	// The engine fsyncs a finished download before handing it over (so a Blob survives a
	// crash); nethttp+fsync is the like-for-like baseline, nethttp the plain io.Copy.
	for _, fsync := range []bool{false, true} {
		name := "nethttp"
		if fsync {
			name += "+fsync"
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(size)
			client := &http.Client{Transport: &http.Transport{}}
			defer client.CloseIdleConnections()
			for i := 0; i < b.N; i++ {
				rawDownload(b, client, url, size, fsync)
			}
		})
	}
}

func rawDownload(b *testing.B, client *http.Client, url string, size int64, fsync bool) {
	f, err := os.CreateTemp(b.TempDir(), "raw-*")
	if err != nil {
		b.Fatal(err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	resp, err := client.Get(url)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	n, err := io.Copy(f, resp.Body)
	if err != nil || n != size {
		b.Fatalf("copied %d of %d: %v", n, size, err)
	}
	if fsync {
		if err := f.Sync(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDataTasks compares TIRUN_BENCH_TASKS (default 10,000) dataTasks kept 64 in flight
// (HTTPMaximumConnectionsPerHost 64) with net/http driven by 64 goroutines. One op is the whole
// batch; the target is tirun's ns/op <= nethttp's / 0.7.
func BenchmarkDataTasks(b *testing.B) {
	const inFlight = 64
	tasks := envInt("TIRUN_BENCH_TASKS", 10000)
	srv := startFixture(b)
	url := srv.URL() + "/json"

	b.Run("tirun", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			benchRun(b, map[string]string{"URL": url, "TASKS": strconv.FormatInt(tasks, 10)}, `
				const U = require('com.appcelerator.urlSession');
				const cfg = U.createSessionConfiguration({type: U.SESSION_CONFIGURATION_TYPE_DEFAULT, HTTPMaximumConnectionsPerHost: 64});
				const s = U.createSession({configuration: cfg});
				const total = Number(process.env.TASKS);
				let started = 0, done = 0;
				const next = () => { if (started < total) { started++; s.dataTask({url: process.env.URL}); } };
				s.addEventListener('sessioncompleted', e => {
					if (!e.success || e.statusCode !== 200 || !e.responseText) throw new Error('task failed: ' + e.message);
					if (++done === total) { s.finishTasksAndInvalidate(); } else { next(); }
				});
				for (let i = 0; i < 64; i++) next();
			`)
		}
	})

	b.Run("nethttp", func(b *testing.B) {
		client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: inFlight, MaxIdleConnsPerHost: inFlight}}
		defer client.CloseIdleConnections()
		for i := 0; i < b.N; i++ {
			var next atomic.Int64
			var wg sync.WaitGroup
			errs := make(chan error, inFlight)
			for w := 0; w < inFlight; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for next.Add(1) <= tasks {
						resp, err := client.Get(url)
						if err != nil {
							errs <- err
							return
						}
						body, err := io.ReadAll(resp.Body)
						resp.Body.Close()
						if err != nil || resp.StatusCode != 200 || len(body) == 0 {
							errs <- fmt.Errorf("short body %d: %v", len(body), err)
							return
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			if err := <-errs; err != nil {
				b.Fatal(err)
			}
		}
	})
}
