package tifs

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/tirun/tirun/runtime/tifs/atomicfile"
)

// Permission bits for files and directories a script creates (the umask still applies).
const (
	filePerm fs.FileMode = 0o644
	dirPerm  fs.FileMode = 0o755
)

// content is something whose bytes can be streamed into a file: a file on disk (never loaded
// into memory) or bytes already held by an in-memory blob.
type content struct {
	path string // set for file-backed content
	data []byte
}

var errIsDirectory = errors.New("is a directory")

// writeContent replaces dest with c (atomically: readers never see a half-written file), or
// appends c to dest. It never creates missing parent directories, as in Titanium.
func writeContent(dest string, c content, appendMode bool) error {
	if st, err := os.Stat(dest); err == nil && st.IsDir() {
		return &fs.PathError{Op: "write", Path: dest, Err: errIsDirectory}
	}
	if c.path == "" {
		if appendMode {
			return appendFrom(dest, bytes.NewReader(c.data), -1)
		}
		return atomicfile.WriteBytes(dest, filePerm, c.data)
	}
	src, err := os.Open(c.path)
	if err != nil {
		return err
	}
	defer src.Close()
	st, err := src.Stat()
	if err != nil {
		return err
	}
	if st.IsDir() {
		return &fs.PathError{Op: "read", Path: c.path, Err: errIsDirectory}
	}
	if appendMode {
		limit := int64(-1)
		if dst, err := os.Stat(dest); err == nil && os.SameFile(st, dst) {
			// Appending a file to itself: copy only what is there now, or io.Copy would keep
			// reading the bytes it just appended and never finish.
			limit = st.Size()
		}
		return appendFrom(dest, src, limit)
	}
	return atomicfile.Write(dest, filePerm, func(f *os.File) error {
		// *os.File to *os.File: io.Copy uses copy_file_range/sendfile where available, so even a
		// huge source never passes through this process's heap.
		_, err := io.Copy(f, src)
		return err
	})
}

// appendFrom appends r (at most limit bytes when limit >= 0) to dest, creating it if needed.
func appendFrom(dest string, r io.Reader, limit int64) error {
	f, err := os.OpenFile(dest, os.O_WRONLY|os.O_APPEND|os.O_CREATE, filePerm)
	if err != nil {
		return err
	}
	if limit >= 0 {
		_, err = io.CopyN(f, r, limit)
	} else {
		_, err = io.Copy(f, r)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// copyPath copies a file (replacing a file at dst, keeping the source's permission bits) or a
// whole directory tree (dst must not exist yet).
func copyPath(src, dst string) error {
	st, err := os.Stat(src)
	if err != nil {
		return err
	}
	if st.IsDir() {
		if within(dst, src) {
			return fmt.Errorf("copy %s into itself (%s)", src, dst)
		}
		return copyTree(src, dst)
	}
	if dstSt, err := os.Stat(dst); err == nil && dstSt.IsDir() {
		return &fs.PathError{Op: "copy", Path: dst, Err: errIsDirectory}
	}
	return copyFile(src, dst, st.Mode().Perm())
}

func copyFile(src, dst string, perm fs.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	return atomicfile.Write(dst, perm, func(f *os.File) error {
		_, err := io.Copy(f, in)
		return err
	})
}

// copyTree copies the directory src to the new directory dst. Symbolic links are recreated as
// links rather than followed, so a link cycle cannot make the copy endless. Written by hand
// because os.CopyFS fails on any symbolic link in the tree, and does not replace files
// atomically as copyFile does.
func copyTree(src, dst string) error {
	if _, err := os.Lstat(dst); err == nil {
		return &fs.PathError{Op: "copy", Path: dst, Err: fs.ErrExist}
	}
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			return os.Mkdir(target, info.Mode().Perm()|0o700)
		case info.Mode()&fs.ModeSymlink != 0:
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		case info.Mode().IsRegular():
			return copyFile(p, target, info.Mode().Perm())
		default:
			return nil // sockets, devices, pipes: nothing sensible to copy
		}
	})
}

// within reports whether p is root or inside it.
func within(p, root string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// movePath moves src to dst (replacing a file at dst, never a directory). Across filesystems,
// where rename(2) fails with EXDEV, it copies and then removes the source.
func movePath(src, dst string) error {
	st, err := os.Lstat(src)
	if err != nil {
		return err
	}
	if dstSt, err := os.Stat(dst); err == nil && dstSt.IsDir() {
		return &fs.PathError{Op: "move", Path: dst, Err: errIsDirectory}
	}
	if st.IsDir() && within(dst, src) {
		return fmt.Errorf("move %s into itself (%s)", src, dst)
	}
	err = os.Rename(src, dst)
	if !errors.Is(err, syscall.EXDEV) {
		return err
	}
	if err := copyPath(src, dst); err != nil {
		return err
	}
	return os.RemoveAll(src)
}

// renameInPlace renames src within its own directory. newName is a bare name or a path whose
// directory is src's own; any other directory is refused (Titanium returns false there).
func renameInPlace(src, newName string) (string, error) {
	if newName == "" {
		return "", errors.New("empty name")
	}
	dir := filepath.Dir(src)
	dst := newName
	if !filepath.IsAbs(dst) {
		dst = filepath.Join(dir, dst)
	}
	dst = filepath.Clean(dst)
	if filepath.Dir(dst) != dir {
		return "", fmt.Errorf("rename %s: %s is not in the same directory", src, newName)
	}
	if _, err := os.Lstat(src); err != nil {
		return "", err
	}
	return dst, movePath(src, dst)
}

func deleteFile(p string) error {
	st, err := os.Lstat(p)
	if err != nil {
		return err
	}
	if st.IsDir() {
		return &fs.PathError{Op: "deleteFile", Path: p, Err: errIsDirectory}
	}
	return os.Remove(p)
}

func deleteDirectory(p string, recursive bool) error {
	st, err := os.Lstat(p)
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return &fs.PathError{Op: "deleteDirectory", Path: p, Err: errors.New("not a directory")}
	}
	if recursive {
		return os.RemoveAll(p)
	}
	return os.Remove(p) // fails on a non-empty directory, as Titanium's does
}

func createDirectory(p string, recursive bool) error {
	if _, err := os.Lstat(p); err == nil {
		return &fs.PathError{Op: "createDirectory", Path: p, Err: fs.ErrExist}
	}
	if recursive {
		return os.MkdirAll(p, dirPerm)
	}
	return os.Mkdir(p, dirPerm)
}

// createFile makes an empty file; an existing file is left alone and reported as an error.
func createFile(p string) error {
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, filePerm)
	if err != nil {
		return err
	}
	return f.Close()
}

// listDirectory returns the entry names of a directory, sorted.
func listDirectory(p string) ([]string, error) {
	entries, err := os.ReadDir(p)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name()
	}
	return names, nil
}
