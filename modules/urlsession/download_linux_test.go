package urlsession

import (
	"bytes"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/tirun/tirun/runtime"
)

// TestAdoptDownloadAcrossFilesystems: when the engine's directory is on another filesystem
// (rename fails with EXDEV), the file is streamed across instead.
func TestAdoptDownloadAcrossFilesystems(t *testing.T) {
	rt := newRuntime(t, nil, runtime.Options{})
	other, err := os.MkdirTemp("/dev/shm", "tirun-adopt-")
	if err != nil {
		t.Skipf("no /dev/shm: %v", err)
	}
	defer os.RemoveAll(other)
	var a, b syscall.Stat_t
	if syscall.Stat(other, &a) != nil || syscall.Stat(rt.TempDir(), &b) != nil || a.Dev == b.Dev {
		t.Skip("/dev/shm is on the same filesystem as the temp directory")
	}
	want := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	src := filepath.Join(other, "engine.tmp")
	if err := os.WriteFile(src, want, 0o600); err != nil {
		t.Fatal(err)
	}
	dest, err := (&module{rt: rt}).adoptDownload(src, "")
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(dest); !bytes.Equal(got, want) {
		t.Errorf("copied %d bytes, want %d identical bytes", len(got), len(want))
	}
}
