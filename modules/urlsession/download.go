package urlsession

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// adoptDownload moves the engine's temporary download into the runtime's temp directory, where
// it lives until a script moves it or the runtime closes. A rename costs nothing whatever the
// size; only when the two directories are on different filesystems is the file copied, and
// then streamed.
func (m *module) adoptDownload(location, suggested string) (string, error) {
	dest, err := m.newDownloadName(suggested)
	if err != nil {
		return "", fmt.Errorf("creating the destination: %w", err)
	}
	if err := os.Rename(location, dest); err == nil {
		return dest, nil
	}
	if err := copyFile(location, dest); err != nil {
		_ = os.Remove(dest)
		return "", err
	}
	return dest, nil
}

// newDownloadName reserves a fresh file name in the runtime's temp directory, keeping the
// suggested name's extension.
func (m *module) newDownloadName(suggested string) (string, error) {
	f, err := os.CreateTemp(m.rt.TempDir(), "download-*"+safeExt(suggested))
	if err != nil {
		return "", err
	}
	f.Close()
	return f.Name(), nil
}

// safeExt keeps the suggested name's extension (so the Blob's mimeType can be guessed) when it
// is short and plain.
func safeExt(name string) string {
	ext := filepath.Ext(name)
	if len(ext) < 2 || len(ext) > 10 {
		return ""
	}
	for _, r := range ext[1:] {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return ""
		}
	}
	return strings.ToLower(ext)
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	return errors.Join(err, out.Close())
}

// linkDownload gives a background download's journaled file a second name in the runtime's
// temp directory, so the Blob lives where every download's does while the journal keeps
// its own name until the event is acknowledged. A hard link costs no copy; when the two
// directories are on different filesystems the journaled path itself is returned.
func (m *module) linkDownload(location, suggested string) string {
	dest, err := m.newDownloadName(suggested)
	if err != nil {
		return location
	}
	_ = os.Remove(dest) // Link does not replace
	if err := os.Link(location, dest); err != nil {
		return location
	}
	return dest
}
