package properties

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

const crashChildEnv = "TIRUN_PROPERTIES_CRASH_CHILD_DIR"

// TestCrashChild is not a test on its own: the crash test re-runs the test binary with
// crashChildEnv set, and this writes the store in a tight loop until it is killed.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashChildEnv)
	if dir == "" {
		t.Skip("helper process for TestKilledWriterNeverCorruptsTheFile")
	}
	s, err := Open(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	big := make([]byte, 64<<10) // big enough that a write is not a single page
	for i := range big {
		big[i] = 'a' + byte(i%26)
	}
	for i := 0; ; i++ {
		n, _ := json.Marshal(i)
		text, _ := json.Marshal(string(big))
		_, _ = s.Set("counter", Entry{Kind: KindInt, Value: n})
		_, _ = s.Set("payload", Entry{Kind: KindString, Value: text})
		if err := s.Flush(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		if i == 0 {
			fmt.Println("ready") // the parent kills only after the first complete write
		}
	}
}

// A process killed (SIGKILL, no cleanup) in the middle of writing leaves a file that still
// parses and holds a complete earlier state.
func TestKilledWriterNeverCorruptsTheFile(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns child processes")
	}
	dir := t.TempDir()
	for round := 0; round < 3; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+dir)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		ready := make(chan struct{})
		go func() {
			buf := make([]byte, 5)
			_, _ = out.Read(buf)
			close(ready)
		}()
		select {
		case <-ready:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			t.Fatal("child never completed a first write")
		}
		time.Sleep(time.Duration(20+round*35) * time.Millisecond) // land somewhere in a write
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()

		s, err := Open(dir)
		if err != nil || s.Warning() != "" {
			t.Fatalf("round %d: store after kill: %v %q", round, err, s.Warning())
		}
		e, ok := s.Get("counter")
		if n, err := strconv.Atoi(string(e.Value)); !ok || err != nil || n < 0 {
			t.Fatalf("round %d: counter %q", round, e.Value)
		}
		if p, ok := s.Get("payload"); !ok || len(p.Value) != 64<<10+2 {
			t.Fatalf("round %d: payload torn (%d bytes)", round, len(p.Value))
		}
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".*.tmp-*"))
	t.Logf("temp files left by killed writers (removed by a later Open once stale): %d", len(leftovers))
}
