// Command enginebench compares the urlsession engine with raw net/http and curl on
// loopback. Run without arguments it orchestrates everything; the "serve" and "run"
// subcommands are the child processes it starts, so each client's peak RSS is its own.
//
//	enginebench [-scale 1] [-curl curl] [-reps 5] [-dir DIR] [-only download,small,many]
//
// To profile one scenario, start "enginebench serve" (it prints its URL) and run e.g.
//
//	enginebench run -client engine -scenario small -count 10000 -url URL -cpuprofile cpu.out -memprofile mem.out
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tirun/tirun/urlsession"
)

func main() {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "serve":
			serve()
			return
		case "run":
			runClient(os.Args[2:])
			return
		}
	}
	if err := orchestrate(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "enginebench:", err)
		os.Exit(1)
	}
}

// serve answers /bytes?n=N with N zero bytes (Content-Length set) and anything else
// with "ok". It prints its base URL, then runs until stdin closes.
func serve() {
	zeros := make([]byte, 1<<20)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.ParseInt(r.URL.Query().Get("n"), 10, 64)
		if n <= 0 {
			io.WriteString(w, "ok")
			return
		}
		w.Header().Set("Content-Length", strconv.FormatInt(n, 10))
		for n > 0 {
			k, err := w.Write(zeros[:min(n, int64(len(zeros)))])
			if err != nil {
				return
			}
			n -= int64(k)
		}
	})}
	go srv.Serve(ln)
	fmt.Println("http://" + ln.Addr().String())
	io.Copy(io.Discard, os.Stdin)
	srv.Close()
}

// result is what a client process reports on its last output line.
type result struct {
	seconds float64
	rssKB   int64
}

func runClient(args []string) {
	fs := flag.NewFlagSet("run", flag.ExitOnError)
	client := fs.String("client", "engine", "engine or raw")
	scenario := fs.String("scenario", "download", "download, small or many")
	base := fs.String("url", "", "server base URL")
	size := fs.Int64("size", 1<<30, "bytes per download")
	count := fs.Int("count", 1, "number of requests")
	conc := fs.Int("conc", 64, "concurrency (per-host connection limit)")
	dir := fs.String("dir", os.TempDir(), "where downloads are written")
	fsync := fs.Bool("fsync", true, "raw client: fsync downloaded files like the engine does")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file")
	kind := fs.String("kind", "background", "engine session kind: background, default or ephemeral")
	memprofile := fs.String("memprofile", "", "write an allocation profile of the run to this file")
	fs.Parse(args)
	if *memprofile != "" {
		runtime.MemProfileRate = 4096 // finer than the default so small per-request allocations show
		defer writeHeapProfile(*memprofile)
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}

	var took time.Duration
	var err error
	switch *client {
	case "engine":
		took, err = runEngine(*scenario, *kind, *base, *size, *count, *conc, *dir)
	case "raw":
		took, err = runRaw(*scenario, *base, *size, *count, *conc, *dir, *fsync)
	default:
		err = fmt.Errorf("unknown client %q", *client)
	}
	if err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("seconds=%f rss_kb=%d\n", took.Seconds(), peakRSSKB())
}

// writeHeapProfile saves the allocation profile (pprof -sample_index=alloc_space
// or alloc_objects shows where the run allocated).
func writeHeapProfile(path string) {
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	defer f.Close()
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
}

// peakRSSKB reads the process's high-water resident set size.
func peakRSSKB() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return -1
}

// waiter is a delegate that hands each task's completion to whoever waits for it.
type waiter struct {
	urlsession.NopDelegate
	done sync.Map // *Task -> chan *URLError
}

func (w *waiter) DidComplete(t *urlsession.Task, err *urlsession.URLError) {
	// A host that has received a background download's outcome forgets it, so no
	// later process delivers it again.
	if ferr := t.Forget(); ferr != nil && err == nil {
		err = &urlsession.URLError{Code: urlsession.CodeUnknown, Message: "forgetting the task: " + ferr.Error()}
	}
	if ch, ok := w.done.LoadAndDelete(t); ok {
		ch.(chan *urlsession.URLError) <- err
	}
}

func runEngine(scenario, kind, base string, size int64, count, conc int, dir string) (time.Duration, error) {
	// A data directory per run: a background session's journal and kept files must
	// not carry over into the next run.
	dataDir, err := os.MkdirTemp(dir, "engine-data-*")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dataDir)
	e, err := urlsession.NewEngine(urlsession.EngineOptions{DataDir: dataDir})
	if err != nil {
		return 0, err
	}
	defer e.Close()
	var cfg urlsession.Configuration
	switch kind {
	case "background": // what ti.urlsession's createSessionConfiguration makes
		cfg = urlsession.BackgroundConfiguration("enginebench")
	case "default":
		cfg = urlsession.DefaultConfiguration()
	case "ephemeral":
		cfg = urlsession.EphemeralConfiguration()
	default:
		return 0, fmt.Errorf("unknown session kind %q", kind)
	}
	cfg.HTTPMaximumConnectionsPerHost = conc
	w := &waiter{}
	s, err := e.NewSession(cfg, w)
	if err != nil {
		return 0, err
	}
	startTask := func(kind urlsession.TaskKind, url string) (chan *urlsession.URLError, error) {
		var t *urlsession.Task
		var err error
		if kind == urlsession.KindDownloadTask {
			t, err = s.DownloadTask(urlsession.Request{URL: url})
		} else {
			t, err = s.DataTask(urlsession.Request{URL: url})
		}
		if err != nil {
			return nil, err
		}
		ch := make(chan *urlsession.URLError, 1)
		w.done.Store(t, ch)
		t.Resume()
		return ch, nil
	}
	began := time.Now()
	switch scenario {
	case "download", "many":
		url := fmt.Sprintf("%s/bytes?n=%d", base, size)
		chans := make([]chan *urlsession.URLError, count)
		for i := range chans {
			if chans[i], err = startTask(urlsession.KindDownloadTask, url); err != nil {
				return 0, err
			}
		}
		for _, ch := range chans {
			if uerr := <-ch; uerr != nil {
				return 0, uerr
			}
		}
	case "small":
		err = parallel(count, conc, func() error {
			ch, err := startTask(urlsession.KindDataTask, base+"/small")
			if err != nil {
				return err
			}
			if uerr := <-ch; uerr != nil {
				return uerr
			}
			return nil
		})
	default:
		return 0, fmt.Errorf("unknown scenario %q", scenario)
	}
	return time.Since(began), err
}

func runRaw(scenario, base string, size int64, count, conc int, dir string, fsync bool) (time.Duration, error) {
	tr := &http.Transport{MaxConnsPerHost: conc, MaxIdleConnsPerHost: conc}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr}
	download := func(url string) error {
		resp, err := c.Get(url)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		f, err := os.CreateTemp(dir, "raw-*.tmp")
		if err != nil {
			return err
		}
		defer os.Remove(f.Name())
		defer f.Close()
		if _, err := io.Copy(f, resp.Body); err != nil {
			return err
		}
		if fsync {
			return f.Sync()
		}
		return nil
	}
	began := time.Now()
	var err error
	switch scenario {
	case "download", "many":
		url := fmt.Sprintf("%s/bytes?n=%d", base, size)
		err = parallel(count, count, func() error { return download(url) })
	case "small":
		err = parallel(count, conc, func() error {
			resp, err := c.Get(base + "/small")
			if err != nil {
				return err
			}
			_, err = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			return err
		})
	default:
		return 0, fmt.Errorf("unknown scenario %q", scenario)
	}
	return time.Since(began), err
}

// parallel runs f count times on conc goroutines and returns the first error.
func parallel(count, conc int, f func() error) error {
	jobs := make(chan struct{})
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	for i := 0; i < conc; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range jobs {
				if err := f(); err != nil {
					once.Do(func() { first = err })
				}
			}
		}()
	}
	for i := 0; i < count; i++ {
		jobs <- struct{}{}
	}
	close(jobs)
	wg.Wait()
	return first
}

func orchestrate(args []string) error {
	fs := flag.NewFlagSet("enginebench", flag.ExitOnError)
	scale := fs.Float64("scale", 1, "size scale factor (e.g. 0.01 for CI)")
	curl := fs.String("curl", "curl", "curl binary; empty to skip")
	reps := fs.Int("reps", 5, "repetitions per measurement (rounds); the best time is kept, ratios are the median over rounds")
	dir := fs.String("dir", "", "download directory (default: a new temp dir)")
	kind := fs.String("kind", "background", "engine session kind: background (as ti.urlsession creates), default or ephemeral")
	only := fs.String("only", "", "comma-separated scenarios to run (download, small, many); default all")
	fs.Parse(args)
	wanted := func(name string) bool { return *only == "" || slices.Contains(strings.Split(*only, ","), name) }
	if *scale <= 0 {
		return fmt.Errorf("-scale must be positive")
	}
	if *dir == "" {
		d, err := os.MkdirTemp("", "enginebench-*")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		*dir = d
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	base, stopServer, err := startServer(self)
	if err != nil {
		return err
	}
	defer stopServer()

	scaled := func(n float64, least int64) int64 { return max(least, int64(n**scale)) }
	bigSize := scaled(1<<30, 1<<20)
	smallCount := scaled(10000, 200)
	manyCount := scaled(1000, 20)
	fmt.Printf("enginebench on loopback, scale %g, best of %d, %s sessions, downloads in %s\n\n", *scale, *reps, *kind, *dir)

	// bestOf runs each argument list reps times. Runs alternate between the clients
	// (in a rotating order) so a change in machine load hits them alike; it keeps each
	// client's best time and highest peak RSS, and every round's times so ratios can
	// be taken within a round (see medianRatio).
	bestOf := func(argvs ...[]string) ([]result, [][]float64, error) {
		out := make([]result, len(argvs))
		rounds := make([][]float64, *reps)
		for i := 0; i < *reps; i++ {
			rounds[i] = make([]float64, len(argvs))
			for k := range argvs {
				j := (i + k) % len(argvs)
				r, err := child(self, append([]string{"run", "-url", base, "-dir", *dir, "-kind", *kind}, argvs[j]...))
				if err != nil {
					return nil, nil, err
				}
				rounds[i][j] = r.seconds
				if i == 0 || r.seconds < out[j].seconds {
					out[j].seconds = r.seconds
				}
				out[j].rssKB = max(out[j].rssKB, r.rssKB)
			}
		}
		return out, rounds, nil
	}

	var rs []result
	var rounds [][]float64
	if wanted("download") {
		// 1. One large download to a file.
		sz := strconv.FormatInt(bigSize, 10)
		rs, rounds, err = bestOf([]string{"-client", "engine", "-scenario", "download", "-size", sz},
			[]string{"-client", "raw", "-scenario", "download", "-size", sz},
			[]string{"-client", "raw", "-scenario", "download", "-size", sz, "-fsync=false"})
		if err != nil {
			return err
		}
		eng, raw, rawNoSync := rs[0], rs[1], rs[2]
		curlRes := result{seconds: -1}
		if *curl != "" {
			if curlRes, err = bestCurl(*curl, *reps, fmt.Sprintf("%s/bytes?n=%d", base, bigSize), *dir); err != nil {
				fmt.Printf("curl skipped: %v\n", err)
				curlRes.seconds = -1
			}
		}
		mbps := func(sec float64) string {
			if sec <= 0 {
				return "n/a"
			}
			return fmt.Sprintf("%.0f MB/s", float64(bigSize)/sec/1e6)
		}
		bestOther := raw.seconds
		if curlRes.seconds > 0 {
			bestOther = min(bestOther, curlRes.seconds)
		}
		fmt.Printf("1) download %d MiB to a file\n", bigSize>>20)
		fmt.Printf("   engine (fsync)          %8.3f s  %s\n", eng.seconds, mbps(eng.seconds))
		fmt.Printf("   net/http io.Copy+fsync  %8.3f s  %s\n", raw.seconds, mbps(raw.seconds))
		fmt.Printf("   net/http io.Copy        %8.3f s  %s\n", rawNoSync.seconds, mbps(rawNoSync.seconds))
		fmt.Printf("   curl -o file            %8.3f s  %s\n", curlRes.seconds, mbps(curlRes.seconds))
		ratio1 := medianRatio(rounds, func(r []float64) float64 { return r[1] / r[0] })
		if curlRes.seconds > 0 && curlRes.seconds < raw.seconds {
			ratio1 = bestOther / eng.seconds // curl ran separately: compare best times
		}
		fmt.Printf("   ratio engine/best(net/http+fsync, curl), median of rounds = %.2fx  (target >= 0.95)  %s\n", ratio1, verdict(ratio1 >= 0.95))
		if curlRes.seconds > 0 {
			r := min(rawNoSync.seconds, curlRes.seconds) / eng.seconds
			fmt.Printf("   ratio engine/best(net/http no fsync, curl) = %.2fx\n", r)
		}
	}

	if wanted("small") {
		// 2. Many small requests at concurrency 64.
		n := strconv.FormatInt(smallCount, 10)
		rs, rounds, err = bestOf([]string{"-client", "engine", "-scenario", "small", "-count", n, "-conc", "64"},
			[]string{"-client", "raw", "-scenario", "small", "-count", n, "-conc", "64"})
		if err != nil {
			return err
		}
		eng, raw := rs[0], rs[1]
		ratio2 := medianRatio(rounds, func(r []float64) float64 { return r[1] / r[0] })
		fmt.Printf("\n2) %d small requests, concurrency 64\n", smallCount)
		fmt.Printf("   engine    %8.3f s  %8.0f req/s\n", eng.seconds, float64(smallCount)/eng.seconds)
		fmt.Printf("   net/http  %8.3f s  %8.0f req/s\n", raw.seconds, float64(smallCount)/raw.seconds)
		fmt.Printf("   ratio engine/net/http throughput, median of rounds = %.2fx  (target >= 0.8)  %s\n", ratio2, verdict(ratio2 >= 0.8))
	}

	if wanted("many") {
		// 3. Many concurrent 1 MiB downloads.
		n := strconv.FormatInt(manyCount, 10)
		rs, rounds, err = bestOf([]string{"-client", "engine", "-scenario", "many", "-count", n, "-size", "1048576", "-conc", "64"},
			[]string{"-client", "raw", "-scenario", "many", "-count", n, "-size", "1048576", "-conc", "64"})
		if err != nil {
			return err
		}
		eng, raw := rs[0], rs[1]
		ratio3 := medianRatio(rounds, func(r []float64) float64 { return r[0] / r[1] })
		fmt.Printf("\n3) %d concurrent 1 MiB downloads (64 connections per host for both)\n", manyCount)
		fmt.Printf("   engine    %8.3f s  peak RSS %4d MiB\n", eng.seconds, eng.rssKB>>10)
		fmt.Printf("   net/http  %8.3f s  peak RSS %4d MiB\n", raw.seconds, raw.rssKB>>10)
		fmt.Printf("   wall time engine/net/http, median of rounds = %.2fx  (target <= 1.2)  %s\n", ratio3, verdict(ratio3 <= 1.2))
		fmt.Printf("   engine peak RSS %d MiB  (target < 100)  %s\n", eng.rssKB>>10, verdict(eng.rssKB < 100<<10))
	}
	return nil
}

// medianRatio is the median over rounds of f(round): the ratio between clients
// measured close together in time, which a noisy shared machine disturbs least.
func medianRatio(rounds [][]float64, f func([]float64) float64) float64 {
	rs := make([]float64, len(rounds))
	for i, r := range rounds {
		rs[i] = f(r)
	}
	slices.Sort(rs)
	if len(rs)%2 == 1 {
		return rs[len(rs)/2]
	}
	return (rs[len(rs)/2-1] + rs[len(rs)/2]) / 2
}

func verdict(ok bool) string {
	if ok {
		return "OK"
	}
	return "MISSED"
}

func startServer(self string) (string, func(), error) {
	cmd := exec.Command(self, "serve")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return "", nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		return "", nil, fmt.Errorf("server did not start: %w", err)
	}
	return strings.TrimSpace(line), func() { stdin.Close(); cmd.Wait() }, nil
}

// child runs one measurement in a fresh process (bounded in time).
func child(self string, args []string) (result, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, self, args...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return result{}, fmt.Errorf("%v: %w", args, err)
	}
	var r result
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if _, err := fmt.Sscanf(lines[len(lines)-1], "seconds=%f rss_kb=%d", &r.seconds, &r.rssKB); err != nil {
		return r, fmt.Errorf("unexpected output %q", out)
	}
	return r, nil
}

func bestCurl(curl string, reps int, url, dir string) (result, error) {
	path, err := exec.LookPath(curl)
	if err != nil {
		return result{}, err
	}
	out := filepath.Join(dir, "curl.out")
	defer os.Remove(out)
	r := result{}
	for i := 0; i < reps; i++ {
		began := time.Now()
		cmd := exec.Command(path, "-sS", "--fail", "-o", out, url)
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			return r, err
		}
		if s := time.Since(began).Seconds(); i == 0 || s < r.seconds {
			r.seconds = s
		}
	}
	return r, nil
}
