package datadir

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// WriteFile atomically replaces path with data (see WriteFileFunc).
func WriteFile(path string, data []byte, perm os.FileMode) error {
	return WriteFileFunc(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// WriteFileFunc atomically replaces path with whatever write produces. The
// content goes to a temporary file next to path (same filesystem, so rename is
// atomic), is fsynced, renamed over path, and the directory is fsynced so the
// rename itself survives a power loss. On any error the target is untouched
// and the temporary file is removed.
func WriteFileFunc(path string, perm os.FileMode, write func(io.Writer) error) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("datadir: create directory for %s: %w", path, err)
	}
	tmp, err := writeTemp(dir, "."+filepath.Base(path)+".tmp-*", path, perm, func(f *os.File) error {
		bw := bufio.NewWriter(f)
		if err := write(bw); err != nil {
			return err
		}
		return bw.Flush()
	})
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("datadir: rename into %s: %w", path, err)
	}
	return SyncDir(dir)
}

// WriteTemp is WriteFile without the rename: it writes data to a new file in
// dir (named from pattern as by os.CreateTemp) with perm, fsynced and closed,
// and returns its path; on error nothing is left. It serves a caller that must
// choose the moment of the rename itself (httpcache renames under its lock,
// then calls SyncDir).
func WriteTemp(dir, pattern string, data []byte, perm os.FileMode) (string, error) {
	return writeTemp(dir, pattern, filepath.Join(dir, pattern), perm, func(f *os.File) error {
		_, err := f.Write(data)
		return err
	})
}

// writeTemp creates a temporary file in dir, has fill write it, fsyncs and
// closes it, and returns its path; on error it removes it. name is the file
// the error messages speak of.
func writeTemp(dir, pattern, name string, perm os.FileMode, fill func(*os.File) error) (_ string, err error) {
	tmp, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return "", fmt.Errorf("datadir: create temporary file for %s: %w", name, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = tmp.Chmod(perm); err != nil {
		return "", fmt.Errorf("datadir: chmod %s: %w", tmp.Name(), err)
	}
	if err = fill(tmp); err != nil {
		return "", fmt.Errorf("datadir: write %s: %w", name, err)
	}
	if err = tmp.Sync(); err != nil {
		return "", fmt.Errorf("datadir: fsync %s: %w", tmp.Name(), err)
	}
	if err = tmp.Close(); err != nil {
		return "", fmt.Errorf("datadir: close %s: %w", tmp.Name(), err)
	}
	return tmp.Name(), nil
}

// WriteJSON atomically replaces path with v encoded as indented JSON (see
// WriteFileFunc): the shape of the engine's small settings-like files.
func WriteJSON(path string, perm os.FileMode, v any) error {
	return WriteFileFunc(path, perm, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", " ")
		return enc.Encode(v)
	})
}

// SyncDir fsyncs a directory so that creations, renames and removals in it
// are durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("datadir: open directory %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("datadir: fsync directory %s: %w", dir, err)
	}
	return nil
}
