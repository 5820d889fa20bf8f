package urlsession

import (
	"os"
	"strconv"
	"testing"
)

// bigSize is the large-download size: 256 MiB for CI, 1 GiB with TIRUN_BIG=1.
func bigSize() int64 {
	if os.Getenv("TIRUN_BIG") == "1" {
		return 1 << 30
	}
	return 256 << 20
}

// TestLargeDownloadStaysOutOfMemory downloads bigSize bytes through the JS binding and checks
// that the process's peak RSS grows by far less than the file: the body goes to disk and the
// Blob handed to JS is backed by that file.
func TestLargeDownloadStaysOutOfMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("large download skipped in -short mode")
	}
	size := bigSize()
	before := vmHWM(t)
	passed, logs := runJS(t, map[string]string{"TIRUN_BIG_BYTES": strconv.FormatInt(size, 10)},
		"../../scripts/tests/urlsession_big.test.js")
	after := vmHWM(t)
	if len(passed) != 1 {
		t.Fatalf("the large download test did not pass (%v)", passed)
	}
	growth := after - before
	t.Logf("%d MiB download: peak RSS %d MiB -> %d MiB (+%d MiB)", size>>20, before>>20, after>>20, growth>>20)
	if limit := size / 4; growth > limit {
		t.Errorf("peak RSS grew by %d MiB for a %d MiB download (limit %d MiB): the body went through memory\n%s",
			growth>>20, size>>20, limit>>20, logs)
	}
}
