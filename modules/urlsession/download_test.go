package urlsession

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tirun/tirun/runtime"
)

func TestAdoptDownloadRenamesIntoTheTempDirectory(t *testing.T) {
	rt := newRuntime(t, nil, runtime.Options{})
	m := &module{rt: rt}
	src := filepath.Join(t.TempDir(), "engine.tmp")
	if err := os.WriteFile(src, []byte("body"), 0o600); err != nil {
		t.Fatal(err)
	}
	dest, err := m.adoptDownload(src, "report.PDF")
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(dest) != rt.TempDir() || !strings.HasSuffix(dest, ".pdf") {
		t.Errorf("adopted as %s, want a .pdf file in %s", dest, rt.TempDir())
	}
	if b, _ := os.ReadFile(dest); string(b) != "body" {
		t.Errorf("adopted file holds %q", b)
	}
	if _, err := os.Stat(src); !os.IsNotExist(err) {
		t.Errorf("the engine's file should have been moved, stat: %v", err)
	}
}

func TestSafeExt(t *testing.T) {
	for name, want := range map[string]string{
		"a.zip": ".zip", "A.JSON": ".json", "noext": "", "x.": "", "x.tar.gz": ".gz",
		"evil.ex e": "", "long.abcdefghijkl": "", "../../x.sh": ".sh", ".hidden": ".hidden", "a.b/c": "",
	} {
		if got := safeExt(name); got != want {
			t.Errorf("safeExt(%q) = %q, want %q", name, got, want)
		}
	}
}
