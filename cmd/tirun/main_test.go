package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	tirun "github.com/tirun/tirun/runtime"
)

// TestMain lets the test binary act as the tirun command (for the real-signal test) when
// TIRUN_TEST_AS_CLI is set.
func TestMain(m *testing.M) {
	if os.Getenv("TIRUN_TEST_AS_CLI") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// cli runs the command in-process with a time bound and returns exit code, stdout, stderr.
func cli(t *testing.T, ctx context.Context, args ...string) (int, string, string) {
	t.Helper()
	if ctx == nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
	}
	var out, errOut bytes.Buffer
	code := runCLI(ctx, args, &cliIO{Stdout: &out, Stderr: &errOut})
	return code, out.String(), errOut.String()
}

func writeScript(t *testing.T, src string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "script.js")
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func repoScript(name string) string { return filepath.Join("..", "..", "scripts", name) }

func TestVersionAndHelp(t *testing.T) {
	code, out, _ := cli(t, nil, "version")
	if code != exitOK || !strings.HasPrefix(out, "tirun "+tirun.Version) {
		t.Fatalf("version: %d %q", code, out)
	}
	if code, out, _ := cli(t, nil, "--version"); code != exitOK || !strings.Contains(out, tirun.Version) {
		t.Fatalf("--version: %d %q", code, out)
	}
	code, out, _ = cli(t, nil, "--help")
	if code != exitOK || !strings.Contains(out, "  run ") || !strings.Contains(out, "  version ") || !strings.Contains(out, "Examples:") {
		t.Fatalf("help: %d\n%s", code, out)
	}
	if code, out, _ := cli(t, nil, "help", "run"); code != exitOK || !strings.Contains(out, "tirun run [flags] FILE.js") {
		t.Fatalf("help run: %d %q", code, out)
	}
}

func TestUsageErrorsExit2(t *testing.T) {
	for _, args := range [][]string{
		{}, {"bogus"}, {"run"}, {"run", "--no-such-flag", "x.js"}, {"run", "--log-level", "loud", "x.js"},
		{"version", "extra"}, {"help", "bogus"}, {"run", "--app-id", " ", "x.js"},
	} {
		if code, _, errOut := cli(t, nil, args...); code != exitUsage {
			t.Errorf("tirun %v: exit %d, want %d (stderr %q)", args, code, exitUsage, errOut)
		}
	}
}

func TestRunHelloExits0(t *testing.T) {
	data := t.TempDir()
	code, _, errOut := cli(t, nil, "run", "--data-dir", data, "--app-id", "com.example.hello", repoScript("hello.js"), "one")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(errOut, "[INFO] Hello from tirun") || !strings.Contains(errOut, `(args: ["one"])`) {
		t.Fatalf("stderr: %s", errOut)
	}
	// Shorthand form.
	if code, _, errOut := cli(t, nil, repoScript("hello.js")+"", "--data-dir="+data); code != exitOK || !strings.Contains(errOut, "Hello") {
		t.Fatalf("shorthand: %d %s", code, errOut)
	}
}

func TestRunThrowsExits1WithFileLine(t *testing.T) {
	code, _, errOut := cli(t, nil, "run", "--data-dir", t.TempDir(), repoScript("throws.js"))
	if code != exitFailure {
		t.Fatalf("exit %d, want 1: %s", code, errOut)
	}
	if !strings.Contains(errOut, "Uncaught Error: configuration has no url") || !strings.Contains(errOut, "throws.js:4:") {
		t.Fatalf("stderr must show the error and file:line:\n%s", errOut)
	}
}

func TestRunMissingFileAndSyntaxError(t *testing.T) {
	if code, _, errOut := cli(t, nil, "run", "--data-dir", t.TempDir(), filepath.Join(t.TempDir(), "absent.js")); code != exitFailure || !strings.Contains(errOut, "cannot read script") {
		t.Fatalf("missing file: %d %s", code, errOut)
	}
	p := writeScript(t, "var = 1;")
	if code, _, errOut := cli(t, nil, "run", "--data-dir", t.TempDir(), p); code != exitFailure || !strings.Contains(errOut, "script.js") {
		t.Fatalf("syntax error: %d %s", code, errOut)
	}
}

func TestRunLogLevelFlag(t *testing.T) {
	p := writeScript(t, "Ti.API.debug('dbg'); Ti.API.info('inf'); Ti.API.error('err');")
	_, _, errOut := cli(t, nil, "run", "--data-dir", t.TempDir(), "--log-level", "error", p)
	if errOut != "[ERROR] err\n" {
		t.Fatalf("stderr %q", errOut)
	}
	_, _, errOut = cli(t, nil, "run", "--data-dir", t.TempDir(), "--log-level", "debug", p)
	if !strings.Contains(errOut, "[DEBUG] dbg") || !strings.Contains(errOut, "[INFO] inf") {
		t.Fatalf("stderr %q", errOut)
	}
}

func TestRunCancelledContextExits130(t *testing.T) {
	p := writeScript(t, "while (true) {}")
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	done := make(chan int, 1)
	go func() { code, _, _ := cli(t, ctx, "run", "--data-dir", t.TempDir(), p); done <- code }()
	select {
	case code := <-done:
		if code != exitInterrupted {
			t.Fatalf("exit %d, want 130", code)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("run did not stop on cancellation")
	}
}

func TestRunServeHook(t *testing.T) {
	saved := startFixture
	t.Cleanup(func() { startFixture = saved })
	p := writeScript(t, "Ti.API.info('fixture=' + process.env.TIRUN_FIXTURE_URL);")

	startFixture = nil
	if code, _, errOut := cli(t, nil, "run", "--serve", "--data-dir", t.TempDir(), p); code != exitUsage {
		t.Fatalf("--serve without a fixture: %d %s", code, errOut)
	}

	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	stopped := false
	startFixture = func() (string, func(), error) { return srv.URL, func() { stopped = true }, nil }
	code, _, errOut := cli(t, nil, "run", "--serve", "--data-dir", t.TempDir(), p)
	if code != exitOK || !strings.Contains(errOut, "[INFO] fixture="+srv.URL) || !stopped {
		t.Fatalf("--serve: %d stopped=%v %s", code, stopped, errOut)
	}
}

// TestSIGINTExits130 sends a real SIGINT to the command running a busy script.
func TestSIGINTExits130(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGINT delivery on Windows")
	}
	p := writeScript(t, "Ti.API.info('ready'); setInterval(function () {}, 1000);")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "run", "--data-dir", t.TempDir(), p)
	cmd.Env = append(os.Environ(), "TIRUN_TEST_AS_CLI=1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stderr)
	ready := false
	for sc.Scan() {
		if strings.Contains(sc.Text(), "[INFO] ready") {
			ready = true
			break
		}
	}
	if !ready {
		t.Fatal("script never became ready")
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, stderr) // read to EOF (process exit) before Wait, as os/exec requires
	err = cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != exitInterrupted {
		t.Fatalf("exit %d (%v), want 130", code, err)
	}
}

func TestRunProcessExitCode(t *testing.T) {
	p := writeScript(t, "setTimeout(function () { process.exit(7); }, 1);")
	if code, _, errOut := cli(t, nil, "run", "--data-dir", t.TempDir(), p); code != 7 || errOut != "" {
		t.Fatalf("exit %d, stderr %q; want 7 and no report", code, errOut)
	}
}
