package tifs

import (
	"os"

	"github.com/dop251/goja"
)

// Source is something native code (an upload) can stream: a file (Path) or bytes (Data).
type Source struct {
	Path     string // set for a file: stream it from disk, do not read it whole
	Data     []byte // set for an in-memory blob (shared with the blob: do not modify)
	MimeType string
	Size     int64 // bytes; -1 when the file cannot be stat'ed (missing, unreadable)
}

// BlobSource resolves a Ti.Blob (file-backed -> Path, in-memory -> Data), a Ti.Filesystem.File
// (-> Path) or a path string (plain, file:// or app://; relative to the resources directory)
// without reading any file. ok is false for any other value or an unusable path string; a
// path to a missing file is still returned (Size -1) so the caller can report it its own way.
// Loop goroutine only.
func (fs *FS) BlobSource(v goja.Value) (Source, bool) {
	switch n := native(v).(type) {
	case *blob:
		if n.path == "" {
			return Source{Data: n.data, MimeType: n.mimeType, Size: int64(len(n.data))}, true
		}
		return fileSource(n.path, n.mimeType), true
	case *file:
		return fileSource(n.path, ""), true
	}
	if !goja.IsString(v) || v.String() == "" {
		return Source{}, false
	}
	p, err := resolvePath(fs.dirs.Resources, v.String())
	if err != nil {
		return Source{}, false
	}
	return fileSource(p, ""), true
}

func fileSource(path, mimeType string) Source {
	if mimeType == "" {
		mimeType = mimeTypeFor(path)
	}
	size := int64(-1)
	if st, err := os.Stat(path); err == nil && !st.IsDir() {
		size = st.Size()
	}
	return Source{Path: path, MimeType: mimeType, Size: size}
}
