package urlsession

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tirun/tirun/fixture"
	"github.com/tirun/tirun/internal/testkit"
	"github.com/tirun/tirun/runtime"
	"github.com/tirun/tirun/testrunner"
)

// scriptsDir is the repository's scripts directory, relative to this package.
const scriptsDir = "../../scripts"

// startFixture serves the loopback fixture for one test.
func startFixture(t testing.TB) *fixture.Server {
	t.Helper()
	srv, err := fixture.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv
}

// failRecorder is a testrunner.Reporter that turns every failed JS test into a Go test error.
type failRecorder struct {
	t      testing.TB
	passed []string
}

func (r *failRecorder) Begin(int)                  {}
func (r *failRecorder) SuiteBegin([]string)        {}
func (r *failRecorder) SuiteEnd([]string)          {}
func (r *failRecorder) End(testrunner.Stats) error { return nil }
func (r *failRecorder) Result(res *testrunner.Result) {
	switch res.State {
	case testrunner.Failed:
		msg := "(no error)"
		if res.Err != nil {
			msg = res.Err.Error()
			if res.Err.Stack != "" {
				msg += "\n" + res.Err.Stack
			}
		}
		r.t.Errorf("%s: %s: %s", filepath.Base(res.File), res.FullTitle, msg)
	case testrunner.Passed:
		r.passed = append(r.passed, res.FullTitle)
	}
}

// runJS runs JS fixture files through the testrunner with the fixture URL in the environment.
// It returns the passed tests' titles and what the scripts logged.
func runJS(t *testing.T, env map[string]string, files ...string) ([]string, string) {
	t.Helper()
	srv := startFixture(t)
	allEnv := map[string]string{"TIRUN_FIXTURE_URL": srv.URL()}
	for k, v := range env {
		allEnv[k] = v
	}
	var logs syncBuffer
	stats, passed := runTestrunner(t, 5*time.Minute, allEnv, "", &logs, files...)
	if stats.Tests == 0 || stats.Passes == 0 {
		t.Fatalf("no JS test ran in %v (stats %+v); logs:\n%s", files, stats, logs.String())
	}
	if t.Failed() {
		t.Logf("script logs:\n%s", logs.String())
	}
	return passed, logs.String()
}

// runTestrunner runs JS test files through the testrunner within timeout, each failed JS test
// a Go test error, the scripts' output and logs in logs. dataDir, when set, is every runtime's
// data directory. It returns the stats and the passed tests' titles.
func runTestrunner(t *testing.T, timeout time.Duration, env map[string]string, dataDir string, logs *syncBuffer, files ...string) (testrunner.Stats, []string) {
	t.Helper()
	rec := &failRecorder{t: t}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	stats, err := testrunner.Run(ctx, testrunner.Options{
		Paths:     files,
		Timeout:   60 * time.Second,
		Reporters: []testrunner.Reporter{rec},
		Env:       env,
		Stdout:    logs,
		Stderr:    logs,
		Runtime: func(o *runtime.Options) {
			if dataDir != "" {
				o.DataDir = dataDir
			}
			o.Logger = slog.New(runtime.NewLogger(logs, slog.LevelDebug).Handler())
		},
	})
	if err != nil {
		t.Fatalf("testrunner: %v", err)
	}
	return stats, rec.passed
}

// jsFiles lists scripts/tests/urlsession*.test.js except those named in skip.
func jsFiles(t *testing.T, skip ...string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(scriptsDir, "tests", "urlsession*.test.js"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no JS fixtures found (%v)", err)
	}
	return slices.DeleteFunc(files, func(f string) bool { return slices.Contains(skip, filepath.Base(f)) })
}

// syncBuffer collects output written by other goroutines.
type syncBuffer = testkit.SyncBuffer

// hashFile returns the hex SHA-256 of a file's content.
func hashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// vmHWM reads the process's peak resident set size (Linux only).
func vmHWM(t *testing.T) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skipf("no /proc/self/status: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb int64
			if _, err := fmt.Sscanf(strings.TrimSpace(rest), "%d kB", &kb); err != nil {
				t.Fatalf("parsing VmHWM %q: %v", line, err)
			}
			return kb << 10
		}
	}
	t.Skip("VmHWM not reported")
	return 0
}
