// Package tifs implements Ti.Filesystem, Ti.Filesystem.File and Ti.Blob over the real
// filesystem. File-backed blobs are never read into memory unless a script asks for their
// text or bytes: copying, writing and uploading them streams from disk.
//
// Everything here runs on the loop goroutine (the VM is single-threaded), except Close.
package tifs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/dop251/goja"

	"github.com/tirun/tirun/runtime/loop"
	"github.com/tirun/tirun/runtime/proxy"
)

// FS is one runtime's installed filesystem API.
type FS struct {
	vm       *goja.Runtime
	loop     *loop.Loop
	dirs     Dirs
	cacheDir string
	module   *proxy.Proxy
}

// Install defines ti.Filesystem (apiName 'Ti.Filesystem'). ApplicationData and Temp are
// created if missing; Resources defaults to the working directory.
func Install(vm *goja.Runtime, l *loop.Loop, ti *goja.Object, dirs Dirs) (*FS, error) {
	if vm == nil || l == nil || ti == nil {
		return nil, errors.New("tifs: Install needs a VM, a loop and the Ti object")
	}
	dirs, err := dirs.normalize()
	if err != nil {
		return nil, err
	}
	fs := &FS{vm: vm, loop: l, dirs: dirs, cacheDir: filepath.Join(dirs.ApplicationData, "Caches")}
	for _, d := range []string{dirs.ApplicationData, dirs.Temp, fs.cacheDir} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("tifs: create %s: %w", d, err)
		}
	}
	fs.module = fs.newModule()
	if err := ti.DefineDataProperty("Filesystem", fs.module.Object(), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_TRUE); err != nil {
		return nil, fmt.Errorf("tifs: define Ti.Filesystem: %w", err)
	}
	return fs, nil
}

// Dirs returns the absolute directories in use.
func (fs *FS) Dirs() Dirs { return fs.dirs }

// Close releases the API. No file is held open between calls, so there is nothing to free
// today; temp files belong to the runtime's temp directory and its owner. Kept so the
// runtime's shutdown does not change if that ever stops being true.
func (fs *FS) Close() error { return nil }

// NewFileBlob returns a Ti.Blob backed by the file at path (not read now; length and size
// come from stat, text reads the file when asked). An empty mimeType is guessed from the
// extension. Loop goroutine only.
func (fs *FS) NewFileBlob(path, mimeType string) goja.Value {
	if !filepath.IsAbs(path) {
		path = filepath.Join(fs.dirs.Resources, path)
	}
	if mimeType == "" {
		mimeType = mimeTypeFor(path)
	}
	return fs.newBlob(&blob{path: filepath.Clean(path), mimeType: mimeType}).Object()
}

// NewDataBlob returns an in-memory Ti.Blob holding data (not copied: the caller hands it
// over). An empty mimeType means application/octet-stream. Loop goroutine only.
func (fs *FS) NewDataBlob(data []byte, mimeType string) goja.Value {
	if mimeType == "" {
		mimeType = defaultMimeType
	}
	return fs.newBlob(&blob{data: data, mimeType: mimeType}).Object()
}

// native returns the Go value behind a File or Blob proxy object (nil for any other value,
// including an object that merely inherits from one). The value lives in the proxy, which
// scripts cannot reach, so an arbitrary object cannot pass for a blob.
func native(v goja.Value) any {
	if p, ok := proxy.FromValue(v); ok {
		return p.Native()
	}
	return nil
}

// must panics on errors only a programming mistake can cause (defining a property on a
// fresh object).
func must(err error) {
	if err != nil {
		panic(err)
	}
}
