package runtime

import (
	"fmt"
	"os"

	"github.com/dop251/goja"

	"github.com/tirun/tirun/runtime/properties"
)

// installProperties adds Ti.App.Properties, persisted under the data directory; Close flushes it.
func (rt *Runtime) installProperties() error {
	closer, err := properties.Install(rt.vm, rt.loop, rt.app.Object(), rt.dataDir)
	if err != nil {
		return fmt.Errorf("Ti.App.Properties: %w", err)
	}
	rt.closers = append(rt.closers, closer)
	return nil
}

// BlobSource is something a native module can stream: a file (Path set) or bytes in memory.
type BlobSource struct {
	Path     string
	Data     []byte
	MimeType string
	Size     int64
}

// fsBridge connects the runtime to Ti.Filesystem/Ti.Blob (package tifs) once installed.
type fsBridge struct{}

func (rt *Runtime) installFS() error { return nil }

func (f fsBridge) close() error { return nil }

// NewFileBlob returns a file-backed Ti.Blob for path (loop goroutine).
func (rt *Runtime) NewFileBlob(path, mimeType string) goja.Value {
	return goja.Null()
}

// BlobSource resolves a Ti.Blob, a Ti.Filesystem.File or a path string (loop goroutine).
func (rt *Runtime) BlobSource(v goja.Value) (BlobSource, bool) {
	if goja.IsString(v) {
		p := v.String()
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return BlobSource{Path: p, Size: st.Size(), MimeType: "application/octet-stream"}, true
		}
	}
	return BlobSource{}, false
}
