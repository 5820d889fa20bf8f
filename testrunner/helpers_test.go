package testrunner

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// recorder keeps every event for assertions.
type recorder struct {
	mu      sync.Mutex
	total   int
	results []*Result
	suites  []string
	ended   bool
}

func (r *recorder) Begin(total int) { r.total = total }
func (r *recorder) SuiteBegin(titles []string) {
	r.suites = append(r.suites, strings.Join(titles, " > "))
}
func (r *recorder) SuiteEnd([]string) {}
func (r *recorder) Result(res *Result) {
	r.mu.Lock()
	r.results = append(r.results, res)
	r.mu.Unlock()
}
func (r *recorder) End(Stats) error { r.ended = true; return nil }

func (r *recorder) find(t *testing.T, title string) *Result {
	t.Helper()
	for _, res := range r.results {
		if res.Title == title || res.FullTitle == title {
			return res
		}
	}
	t.Fatalf("no result %q; have %s", title, r.titles())
	return nil
}

func (r *recorder) titles() string {
	var s []string
	for _, res := range r.results {
		s = append(s, res.State.String()+":"+res.FullTitle)
	}
	return strings.Join(s, " | ")
}

func (r *recorder) want(t *testing.T, title string, state State) *Result {
	t.Helper()
	res := r.find(t, title)
	if res.State != state {
		msg := ""
		if res.Err != nil {
			msg = res.Err.Error()
		}
		t.Fatalf("%q is %s, want %s (%s)", title, res.State, state, msg)
	}
	return res
}

// writeJS writes files (name -> source) in a fresh directory.
func writeJS(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// runJS runs one test file's source and returns the recorder and stats.
func runJS(t *testing.T, src string, mod func(*Options)) (*recorder, Stats, string) {
	t.Helper()
	dir := writeJS(t, map[string]string{"a.test.js": src})
	return runDir(t, dir, mod)
}

func runDir(t *testing.T, dir string, mod func(*Options)) (*recorder, Stats, string) {
	t.Helper()
	rec := &recorder{}
	var out bytes.Buffer
	opts := Options{Paths: []string{dir}, Reporters: []Reporter{rec}, Stdout: &out, Stderr: &out}
	if mod != nil {
		mod(&opts)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	stats, err := Run(ctx, opts)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if !rec.ended {
		t.Fatal("reporter End not called")
	}
	return rec, stats, out.String()
}
