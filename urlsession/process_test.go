package urlsession

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tirun/tirun/urlsession/datadir"
)

// holdStoresEnv makes the test binary, re-executed, open an engine on a data
// directory and keep it until its stdin closes.
const holdStoresEnv = "TIRUN_URLSESSION_TEST_HOLD_STORES"

func holdStores(dir string) int {
	e, err := NewEngine(EngineOptions{DataDir: dir})
	if err != nil {
		fmt.Println("error", err)
		return 1
	}
	fmt.Println("ready", e.StoresFallback() == nil)
	_, _ = io.Copy(io.Discard, os.Stdin)
	if err := e.Close(); err != nil {
		return 1
	}
	return 0
}

// TestTwoProcessesShareADataDir: while another process holds a data directory, an
// engine on it still works, warns (naming the directory and the pid) and reports the
// fallback; once the other process exits, the next engine persists again.
func TestTwoProcessesShareADataDir(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), holdStoresEnv+"="+dir)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	defer func() {
		stdin.Close()
		select {
		case <-exited:
		case <-time.After(testTimeout):
			_ = cmd.Process.Kill() // the child we started, by its own handle
		}
	}()
	line := make(chan string, 1)
	go func() {
		l, _ := bufio.NewReader(stdout).ReadString('\n')
		line <- strings.TrimSpace(l)
		_, _ = io.Copy(io.Discard, stdout)
		exited <- cmd.Wait()
	}()
	select {
	case l := <-line:
		if l != "ready true" {
			t.Fatalf("child process: %q", l)
		}
	case <-time.After(testTimeout):
		t.Fatal("child process did not open its engine")
	}

	var logs bytes.Buffer
	e, err := NewEngine(EngineOptions{DataDir: dir, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatalf("a second process's engine should still start: %v", err)
	}
	fallback := e.StoresFallback()
	var inUse *datadir.InUseError
	if !errors.Is(fallback, datadir.ErrInUse) || !errors.As(fallback, &inUse) || inUse.PID != cmd.Process.Pid {
		t.Errorf("StoresFallback = %v, want the child's pid %d", fallback, cmd.Process.Pid)
	}
	if l := logs.String(); !strings.Contains(l, "level=WARN") || !strings.Contains(l, dir) ||
		!strings.Contains(l, "pid="+strconv.Itoa(cmd.Process.Pid)) {
		t.Errorf("no clear warning naming the directory and pid: %s", l)
	}
	// It still transfers.
	srv := newRangeServer(t, newPayload(1000, 1), rangesHonoured)
	s, rec := newTestSession(t, e, DefaultConfiguration())
	wantCode(t, rec.wait(t, start(t, s, KindDownloadTask, Request{URL: srv.URL + "/file"}).ID()), 0)
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}

	stdin.Close()
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("child process: %v", err)
		}
	case <-time.After(testTimeout):
		t.Fatal("child process did not exit")
	}
	exited <- nil // for the deferred wait
	e, err = NewEngine(EngineOptions{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if err := e.StoresFallback(); err != nil {
		t.Fatalf("stores still in memory after the other process exited: %v", err)
	}
}
