package urlsession

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tirun/tirun/runtime"
)

// runScript runs a script file like `tirun run [--serve] FILE args...` does and returns its
// log output and error.
func runScript(t *testing.T, file string, env map[string]string, args ...string) (string, error) {
	t.Helper()
	var logs syncBuffer
	rt, err := runtime.New(runtime.Options{
		DataDir:      t.TempDir(),
		ResourcesDir: filepath.Dir(file),
		Env:          env,
		Args:         args,
		Logger:       slog.New(runtime.NewLogger(&logs, slog.LevelInfo).Handler()),
		Stdout:       &logs, Stderr: &logs,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	err = rt.RunFile(ctx, file)
	return logs.String(), err
}

func TestDemoAgainstTheFixture(t *testing.T) {
	srv := startFixture(t)
	out, err := runScript(t, filepath.Join(scriptsDir, "demo.js"), map[string]string{"TIRUN_FIXTURE_URL": srv.URL()})
	if err != nil {
		t.Fatalf("demo.js failed: %v\n%s", err, out)
	}
	for _, want := range []string{"3 download(s), 1 upload, 2 JSON requests", "download #1", "download #3",
		"upload #4     HTTP 200      4.0", "POST echoed", "X-Demo: tirun", "JSON keys:", "total: 100.0 MiB in"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "HTTP 200"); n < 12 { // a done line and a summary row per task
		t.Errorf("want every task to end with HTTP 200:\n%s", out)
	}
}

func TestDemoWithURLsAndFailures(t *testing.T) {
	srv := startFixture(t)
	demo := filepath.Join(scriptsDir, "demo.js")
	out, err := runScript(t, demo, nil, srv.URL()+"/bytes/1000", srv.URL()+"/chunked/5000")
	if err != nil {
		t.Fatalf("demo.js with URLs failed: %v\n%s", err, out)
	}
	if !strings.Contains(out, "2 download(s)\n") || strings.Contains(out, "upload") {
		t.Errorf("with URLs and no fixture the demo only downloads:\n%s", out)
	}
	if _, err := runScript(t, demo, nil, "http://127.0.0.1:1/nothing"); err == nil || !strings.Contains(err.Error(), "1 transfer(s) failed") {
		t.Errorf("a failed transfer must fail the demo, got %v", err)
	}
	if _, err := runScript(t, demo, nil); err == nil || !strings.Contains(err.Error(), "nothing to do") {
		t.Errorf("the demo with nothing to do must say so, got %v", err)
	}
}

func TestExamplesRun(t *testing.T) {
	srv := startFixture(t)
	env := map[string]string{"TIRUN_FIXTURE_URL": srv.URL()}
	for file, want := range map[string][]string{
		"background_download.js": {"task 1: saved 1048576 bytes", "task 2: saved 3145728 bytes", "task 2: finished with HTTP 200"},
		"upload.js":              {"HTTP 200", `"bytes": 1050000`, `"contentType": "text/plain"`},
		"json_request.js":        {"GET " + srv.URL() + "/json: HTTP 200", "POST " + srv.URL() + "/echo: HTTP 200"},
	} {
		t.Run(file, func(t *testing.T) {
			out, err := runScript(t, filepath.Join(scriptsDir, "examples", file), env)
			if err != nil {
				t.Fatalf("%s failed: %v\n%s", file, err, out)
			}
			for _, w := range want {
				if !strings.Contains(out, w) {
					t.Errorf("%s output lacks %q:\n%s", file, w, out)
				}
			}
		})
	}
}
