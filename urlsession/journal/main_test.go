package journal

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

// helperEnv makes the test binary act as a second process: "hold:<dir>"
// keeps a journal open until stdin closes, "crash:<dir>" writes records
// until it is killed (see crash_test.go).
const helperEnv = "TIRUN_JOURNAL_TEST_HELPER"

func TestMain(m *testing.M) {
	if spec := os.Getenv(helperEnv); spec != "" {
		os.Exit(runHelper(spec))
	}
	// bbolt starts goroutines (batch timers, Check); none may outlive a Journal.
	goleak.VerifyTestMain(m)
}

// helperCmd runs this test binary as a helper process in the given mode.
func helperCmd(ctx context.Context, spec string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+spec)
	return cmd
}

func runHelper(spec string) int {
	mode, dir, _ := strings.Cut(spec, ":")
	switch mode {
	case "hold":
		j, err := Open(dir)
		if err != nil {
			fmt.Println("error:", err)
			return 1
		}
		fmt.Println("open")
		_, _ = io.Copy(io.Discard, os.Stdin)
		if err := j.Close(); err != nil {
			fmt.Println("close:", err)
			return 1
		}
		return 0
	case "crash":
		return runCrashWriter(dir, os.Stdout) // unbuffered: a line out means committed
	case "redo":
		return runRedoWriter(dir, os.Stdout)
	}
	fmt.Println("unknown helper mode", mode)
	return 2
}
