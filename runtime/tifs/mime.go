package tifs

import (
	"mime"
	"path/filepath"
	"strings"
)

// defaultMimeType is Titanium's fallback for unknown data.
const defaultMimeType = "application/octet-stream"

// mimeTypeFor guesses a blob's type from the file extension, as Titanium does. Parameters
// (Go adds "; charset=utf-8" to text types) are dropped: Titanium reports bare types.
func mimeTypeFor(path string) string {
	t := mime.TypeByExtension(strings.ToLower(filepath.Ext(path)))
	if t == "" {
		return defaultMimeType
	}
	if i := strings.IndexByte(t, ';'); i >= 0 {
		t = strings.TrimSpace(t[:i])
	}
	return t
}
