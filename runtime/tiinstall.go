package runtime

import (
	"fmt"
	"github.com/dop251/goja"

	"github.com/tirun/tirun/runtime/properties"
	"github.com/tirun/tirun/runtime/tifs"
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

// BlobSource is something a native module can stream: a file (Path set; Size -1 when it cannot
// be stat'ed) or bytes in memory (Data). Same type as tifs.Source, so no copy is made.
type BlobSource = tifs.Source

// installFS adds Ti.Filesystem and Ti.Blob. Application data is the runtime's data directory,
// temp its temp directory and resources Options.ResourcesDir (default: working directory).
func (rt *Runtime) installFS() error {
	fs, err := tifs.Install(rt.vm, rt.loop, rt.ti.Object(), tifs.Dirs{
		ApplicationData: rt.dataDir,
		Temp:            rt.tempDir,
		Resources:       rt.opts.ResourcesDir,
	})
	if err != nil {
		return fmt.Errorf("Ti.Filesystem: %w", err)
	}
	rt.fs = fs
	rt.closers = append(rt.closers, fs)
	return nil
}

// NewFileBlob returns a file-backed Ti.Blob for path; an empty mimeType is guessed from the
// extension. Loop goroutine only.
func (rt *Runtime) NewFileBlob(path, mimeType string) goja.Value {
	return rt.fs.NewFileBlob(path, mimeType)
}

// NewDataBlob returns an in-memory Ti.Blob owning data. Loop goroutine only.
func (rt *Runtime) NewDataBlob(data []byte, mimeType string) goja.Value {
	return rt.fs.NewDataBlob(data, mimeType)
}

// BlobSource resolves a Ti.Blob, a Ti.Filesystem.File or a path string to something
// streamable, without reading files. Loop goroutine only.
func (rt *Runtime) BlobSource(v goja.Value) (BlobSource, bool) {
	return rt.fs.BlobSource(v)
}
