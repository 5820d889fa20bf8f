// Package atomicfile replaces files so that a reader (or a crash) only ever sees the old
// contents or the complete new contents, never a torn mix. Both Ti.Filesystem.File.write and
// the Ti.App.Properties store need this; os.WriteFile truncates in place and is not safe.
//
// urlsession/datadir has a similar helper for the engine's own stores; this one differs where
// Ti.Filesystem needs it to: it never creates missing parent directories (File.write into a
// missing folder must fail, as in Titanium), it keeps an existing file's permission bits, and it
// hands fill the *os.File itself so io.Copy from another file can use copy_file_range/sendfile.
package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Write builds the new contents of path through fill, which writes into a temporary file in
// the same directory (so the final rename stays on one filesystem and is atomic). The temp
// file is fsynced before the rename and the directory after it, so after Write returns nil the
// new contents survive a power loss. perm applies when path does not exist yet; an existing
// file keeps its permission bits. On any error the temp file is removed and path is untouched.
func Write(path string, perm fs.FileMode, fill func(f *os.File) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	if st, statErr := os.Stat(path); statErr == nil {
		if st.IsDir() {
			return &fs.PathError{Op: "write", Path: path, Err: errors.New("is a directory")}
		}
		perm = st.Mode().Perm()
	}
	tmp, err := os.CreateTemp(dir, tempPrefix(base)+"*")
	if err != nil {
		return err
	}
	tmpName := tmp.Name()
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmpName)
		}
	}()
	if err = fill(tmp); err != nil {
		return err
	}
	if err = tmp.Chmod(perm); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmpName, path); err != nil {
		return err
	}
	syncDir(dir)
	return nil
}

// WriteBytes is Write for contents already in memory.
func WriteBytes(path string, perm fs.FileMode, data []byte) error {
	return Write(path, perm, func(f *os.File) error {
		_, err := f.Write(data)
		return err
	})
}

// tempPrefix starts the name of the temporary file Write creates next to base; a crash
// between creating and renaming it leaves such a file behind.
func tempPrefix(base string) string { return "." + base + ".tmp-" }

// RemoveStaleTemps deletes temporary files an interrupted Write of path left behind, if they
// were last modified more than age ago: a younger one may belong to a writer still running,
// in this process or another. Errors are ignored: the leftovers only waste space.
func RemoveStaleTemps(path string, age time.Duration) {
	dir, base := filepath.Split(path)
	matches, _ := filepath.Glob(filepath.Join(dir, tempPrefix(base)+"*"))
	for _, m := range matches {
		if st, err := os.Stat(m); err == nil && time.Since(st.ModTime()) > age {
			_ = os.Remove(m)
		}
	}
}

// syncDir makes the rename itself durable. Errors are ignored: some platforms (Windows) and
// filesystems cannot fsync a directory, and the data file itself is already synced.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
}
