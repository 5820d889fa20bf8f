package tifs

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func mustWrite(t *testing.T, p, s string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func mustRead(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestWriteContentReplaceAndAppend(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src.txt")
	dst := filepath.Join(dir, "dst.txt")
	mustWrite(t, src, "Appcelerator")

	if err := writeContent(dst, content{data: []byte("old contents, longer")}, false); err != nil {
		t.Fatal(err)
	}
	if err := writeContent(dst, content{path: src}, false); err != nil {
		t.Fatal(err)
	}
	if got := mustRead(t, dst); got != "Appcelerator" {
		t.Fatalf("replace: %q", got)
	}
	if err := writeContent(dst, content{path: src}, true); err != nil {
		t.Fatal(err)
	}
	if err := writeContent(dst, content{data: []byte("!")}, true); err != nil {
		t.Fatal(err)
	}
	if got := mustRead(t, dst); got != "AppceleratorAppcelerator!" {
		t.Fatalf("append: %q", got)
	}
	// Appending a file to itself doubles it once instead of looping forever.
	if err := writeContent(src, content{path: src}, true); err != nil {
		t.Fatal(err)
	}
	if got := mustRead(t, src); got != "AppceleratorAppcelerator" {
		t.Fatalf("self-append: %q", got)
	}
	// Replacing a file with itself keeps it intact.
	if err := writeContent(src, content{path: src}, false); err != nil {
		t.Fatal(err)
	}
	if got := mustRead(t, src); got != "AppceleratorAppcelerator" {
		t.Fatalf("self-write: %q", got)
	}
}

func TestWriteContentFailures(t *testing.T) {
	dir := t.TempDir()
	if err := writeContent(dir, content{data: []byte("x")}, false); err == nil {
		t.Fatal("wrote over a directory")
	}
	if err := writeContent(filepath.Join(dir, "missing", "f"), content{data: []byte("x")}, false); err == nil {
		t.Fatal("created a missing parent directory")
	}
	if err := writeContent(filepath.Join(dir, "f"), content{path: filepath.Join(dir, "nope")}, false); err == nil {
		t.Fatal("copied from a missing source")
	}
	if _, err := os.Stat(filepath.Join(dir, "f")); err == nil {
		t.Fatal("failed write left a destination file")
	}
}

func TestCopyMoveRename(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.txt")
	mustWrite(t, a, "A")
	if err := os.Chmod(a, 0o600); err != nil {
		t.Fatal(err)
	}
	b := filepath.Join(dir, "b.txt")
	if err := copyPath(a, b); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(b); mustRead(t, b) != "A" || st.Mode().Perm() != 0o600 {
		t.Fatalf("copy: %q %v", mustRead(t, b), st.Mode())
	}
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := copyPath(a, sub); err == nil {
		t.Fatal("copy replaced a directory")
	}
	mustWrite(t, filepath.Join(sub, "inner.txt"), "I")
	if err := os.Symlink("inner.txt", filepath.Join(sub, "link")); err != nil {
		t.Fatal(err)
	}
	tree := filepath.Join(dir, "tree")
	if err := copyPath(sub, tree); err != nil {
		t.Fatal(err)
	}
	if mustRead(t, filepath.Join(tree, "inner.txt")) != "I" || mustRead(t, filepath.Join(tree, "link")) != "I" {
		t.Fatal("directory copy incomplete")
	}
	if err := copyPath(sub, filepath.Join(sub, "deeper")); err == nil {
		t.Fatal("copied a directory into itself")
	}

	moved := filepath.Join(sub, "moved.txt")
	if err := movePath(b, moved); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(b); !os.IsNotExist(err) || mustRead(t, moved) != "A" {
		t.Fatal("move did not move")
	}

	if _, err := renameInPlace(moved, filepath.Join(dir, "elsewhere.txt")); err == nil {
		t.Fatal("rename into another directory succeeded")
	}
	got, err := renameInPlace(moved, "renamed.txt")
	if err != nil || got != filepath.Join(sub, "renamed.txt") || mustRead(t, got) != "A" {
		t.Fatalf("rename: %q %v", got, err)
	}
}

func TestCreateDeleteList(t *testing.T) {
	dir := t.TempDir()
	deep := filepath.Join(dir, "x", "y")
	if err := createDirectory(deep, false); err == nil {
		t.Fatal("non-recursive createDirectory made intermediate directories")
	}
	if err := createDirectory(deep, true); err != nil {
		t.Fatal(err)
	}
	if err := createDirectory(deep, true); err == nil {
		t.Fatal("createDirectory of an existing directory reported success")
	}
	f := filepath.Join(deep, "f")
	if err := createFile(f); err != nil {
		t.Fatal(err)
	}
	if err := createFile(f); err == nil {
		t.Fatal("createFile of an existing file reported success")
	}
	if names, err := listDirectory(filepath.Join(dir, "x")); err != nil || !slices.Equal(names, []string{"y"}) {
		t.Fatalf("list: %v %v", names, err)
	}
	if _, err := listDirectory(f); err == nil {
		t.Fatal("listing a file succeeded")
	}
	if err := deleteFile(deep); err == nil {
		t.Fatal("deleteFile removed a directory")
	}
	if err := deleteDirectory(f, false); err == nil {
		t.Fatal("deleteDirectory removed a file")
	}
	if err := deleteDirectory(filepath.Join(dir, "x"), false); err == nil {
		t.Fatal("non-recursive deleteDirectory removed a non-empty directory")
	}
	if err := deleteFile(f); err != nil {
		t.Fatal(err)
	}
	if err := deleteDirectory(filepath.Join(dir, "x"), true); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "x")); !os.IsNotExist(err) {
		t.Fatal("recursive delete left the directory")
	}
}

func TestPaths(t *testing.T) {
	base := "/res"
	cases := []struct {
		parts []string
		want  string
	}{
		{[]string{"app.js"}, "/res/app.js"},
		{[]string{"/data/", "a", "b.txt"}, "/data/a/b.txt"},
		{[]string{"file:///data/with%20space/f.txt"}, "/data/with space/f.txt"},
		{[]string{"file://localhost/data/f"}, "/data/f"},
		{[]string{"app://img/logo.png"}, "/res/img/logo.png"},
		{[]string{"/data//", "/x/"}, "/data/x"},
	}
	for _, c := range cases {
		got, err := joinParts(base, c.parts)
		if err != nil || got != c.want {
			t.Errorf("joinParts(%q) = %q, %v; want %q", c.parts, got, err, c.want)
		}
	}
	if _, err := joinParts(base, []string{"file://example.com/etc/passwd"}); err == nil {
		t.Error("remote file URL accepted")
	}
	if got := fileURL("/data/with space/é.txt"); got != "file:///data/with%20space/%C3%A9.txt" {
		t.Errorf("fileURL = %q", got)
	}
	if got := dirString("/data"); got != "/data/" {
		t.Errorf("dirString = %q", got)
	}
	for path, want := range map[string]string{"a.js": "text/javascript", "a.PNG": "image/png", "a.txt": "text/plain", "noext": defaultMimeType, "a.zzzz": defaultMimeType} {
		if got := mimeTypeFor(path); got != want {
			t.Errorf("mimeTypeFor(%q) = %q, want %q", path, got, want)
		}
	}
}
