package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestWriteCreatesAndReplaces(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.txt")
	if err := WriteBytes(p, 0o600, []byte("one")); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := WriteBytes(p, 0o600, []byte("two!")); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(p)
	if err != nil || string(got) != "two!" {
		t.Fatalf("contents %q, %v", got, err)
	}
	st, _ := os.Stat(p)
	if st.Mode().Perm() != 0o640 {
		t.Fatalf("existing permission bits not kept: %v", st.Mode().Perm())
	}
	assertOnlyFiles(t, dir, "a.txt")
}

func TestWriteFailureKeepsOldContents(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.txt")
	if err := WriteBytes(p, 0o600, []byte("old")); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := Write(p, 0o600, func(f *os.File) error {
		_, _ = f.WriteString("half-written new conte")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	got, _ := os.ReadFile(p)
	if string(got) != "old" {
		t.Fatalf("old contents damaged: %q", got)
	}
	assertOnlyFiles(t, dir, "a.txt")
}

func TestWriteRefusesDirectoryAndMissingParent(t *testing.T) {
	dir := t.TempDir()
	if err := WriteBytes(dir, 0o600, []byte("x")); err == nil {
		t.Fatal("writing over a directory succeeded")
	}
	if err := WriteBytes(filepath.Join(dir, "no", "such", "f"), 0o600, nil); err == nil {
		t.Fatal("writing into a missing directory succeeded")
	}
	assertOnlyFiles(t, dir)
}

// TestRemoveStaleTempsFindsWritesTempFile checks both halves agree on the temp file name: a
// young temp file of a Write in progress survives, an old one is removed.
func TestRemoveStaleTempsFindsWritesTempFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.txt")
	if err := Write(p, 0o600, func(f *os.File) error {
		RemoveStaleTemps(p, time.Hour)
		_, err := f.Stat()
		return err
	}); err != nil {
		t.Fatalf("a temp file in use was removed: %v", err)
	}
	err := Write(p, 0o600, func(f *os.File) error {
		old := time.Now().Add(-2 * time.Hour)
		if err := os.Chtimes(f.Name(), old, old); err != nil {
			return err
		}
		RemoveStaleTemps(p, time.Hour)
		return nil
	})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("err = %v: the stale temp file was not removed", err)
	}
	assertOnlyFiles(t, dir, "a.txt")
}

func assertOnlyFiles(t *testing.T, dir string, want ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) != len(want) {
		t.Fatalf("directory holds %v, want %v (temp file left behind?)", names, want)
	}
	for i := range want {
		if names[i] != want[i] {
			t.Fatalf("directory holds %v, want %v", names, want)
		}
	}
}
