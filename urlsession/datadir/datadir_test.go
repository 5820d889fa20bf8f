package datadir

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// helperEnv makes the test binary act as a second process that locks a
// directory (see TestMain).
const helperEnv = "TIRUN_DATADIR_TEST_HELPER"

func TestMain(m *testing.M) {
	if dir := os.Getenv(helperEnv); dir != "" {
		os.Exit(runHelper(dir))
	}
	goleak.VerifyTestMain(m)
}

// runHelper tries to lock dir. On success it prints "locked" and holds the
// lock until stdin closes; on contention it prints the error and exits 3.
func runHelper(dir string) int {
	l, err := Acquire(dir)
	if err != nil {
		fmt.Println("error:", err)
		if errors.Is(err, ErrInUse) {
			return 3
		}
		return 1
	}
	fmt.Println("locked")
	_, _ = io.Copy(io.Discard, os.Stdin)
	if err := l.Release(); err != nil {
		fmt.Println("release:", err)
		return 1
	}
	return 0
}

func helperCmd(t *testing.T, ctx context.Context, dir string) *exec.Cmd {
	t.Helper()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+dir)
	return cmd
}

// startHolder starts a helper that locks dir and returns once it holds the
// lock; it keeps it until stdin is closed (or it is killed).
func startHolder(t *testing.T, ctx context.Context, dir string) (child *exec.Cmd, stdin io.WriteCloser) {
	t.Helper()
	child = helperCmd(t, ctx, dir)
	stdin, err := child.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "locked" {
		t.Fatalf("helper said %q, %v", line, err)
	}
	return child, stdin
}

func TestAcquireTwiceInProcessFails(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	l, err := Acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Acquire(dir)
	var inUse *InUseError
	if !errors.As(err, &inUse) || !errors.Is(err, ErrInUse) {
		t.Fatalf("second Acquire: got %v, want InUseError", err)
	}
	if inUse.PID != os.Getpid() {
		t.Fatalf("holder pid %d, want %d", inUse.PID, os.Getpid())
	}
	want := fmt.Sprintf("in use by another process (pid %d)", os.Getpid())
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("message %q lacks %q", err, want)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	if err := l.Release(); err != nil {
		t.Fatalf("second Release must be a no-op: %v", err)
	}
	l2, err := Acquire(dir)
	if err != nil {
		t.Fatalf("Acquire after Release: %v", err)
	}
	l2.Release()
}

func TestAcquireEmptyDir(t *testing.T) {
	if _, err := Acquire(""); err == nil {
		t.Fatal("Acquire(\"\") must fail")
	}
}

func TestTwoProcessesContend(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dir := t.TempDir()

	// The child holds the lock; we must be refused with the child's pid.
	child, stdin := startHolder(t, ctx, dir)
	_, err := Acquire(dir)
	var inUse *InUseError
	if !errors.As(err, &inUse) {
		t.Fatalf("Acquire while child holds: %v", err)
	}
	if inUse.PID != child.Process.Pid {
		t.Fatalf("reported pid %d, child pid %d", inUse.PID, child.Process.Pid)
	}
	stdin.Close()
	if err := child.Wait(); err != nil {
		t.Fatalf("helper exit: %v", err)
	}

	// Now we hold it; a new child must be refused and name our pid.
	l, err := Acquire(dir)
	if err != nil {
		t.Fatalf("Acquire after child released: %v", err)
	}
	out, err := helperCmd(t, ctx, dir).Output()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Fatalf("contending child: err %v, output %q", err, out)
	}
	if want := fmt.Sprintf("(pid %d)", os.Getpid()); !strings.Contains(string(out), want) {
		t.Fatalf("child output %q lacks %q", out, want)
	}
	l.Release()
}

func TestLockDiesWithProcess(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dir := t.TempDir()
	child, _ := startHolder(t, ctx, dir) // stdin kept open: the child holds until killed
	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = child.Wait()
	l, err := Acquire(dir)
	if err != nil {
		t.Fatalf("lock of a killed process must be free: %v", err)
	}
	l.Release()
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "state.json")
	if err := WriteFile(path, []byte("one"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, []byte("two"), 0o600); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil || string(b) != "two" {
		t.Fatalf("content %q, %v", b, err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, want 0600", fi.Mode().Perm())
	}
	// A failing writer leaves the old content and no temporary files.
	boom := errors.New("boom")
	err = WriteFileFunc(path, 0o600, func(w io.Writer) error {
		io.WriteString(w, "partial")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("want boom, got %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "two" {
		t.Fatalf("failed write clobbered file: %q", b)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("leftover files: %v", entries)
	}
}

func TestWriteTempLeavesASyncedFileToRename(t *testing.T) {
	dir := t.TempDir()
	tmp, err := WriteTemp(dir, "meta-*", []byte("staged"), 0o640)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(tmp) != dir || !strings.HasPrefix(filepath.Base(tmp), "meta-") {
		t.Fatalf("temp file %s, want meta-* in %s", tmp, dir)
	}
	fi, err := os.Stat(tmp)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o640 {
		t.Fatalf("mode %v, want 0640", fi.Mode().Perm())
	}
	if b, err := os.ReadFile(tmp); err != nil || string(b) != "staged" {
		t.Fatalf("content %q, %v", b, err)
	}
	// A directory that does not exist is an error, not a file somewhere else.
	if _, err := WriteTemp(filepath.Join(dir, "missing"), "meta-*", []byte("x"), 0o600); err == nil {
		t.Fatal("WriteTemp into a missing directory succeeded")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("files in %s: %v, want only the staged one", dir, entries)
	}
}
