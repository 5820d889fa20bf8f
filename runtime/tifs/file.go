package tifs

import (
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dop251/goja"

	"github.com/tirun/tirun/runtime/proxy"
)

const fileAPI = "Ti.Filesystem.File"

// file is the Go side of a Ti.Filesystem.File: just an absolute path. As in Titanium, the
// handle keeps its path after move/rename; the script asks for a new File to follow it.
type file struct {
	proxy *proxy.Proxy
	path  string
}

func (fs *FS) newFile(path string) *file {
	f := &file{path: path}
	f.proxy = proxy.New(fs.vm, fs.loop, fileAPI)
	f.proxy.SetNative(f)
	fs.bindFileProperties(f)
	fs.bindFileQueries(f)
	fs.bindFileChanges(f)
	return f
}

func (f *file) stat() (os.FileInfo, bool) {
	st, err := os.Stat(f.path)
	return st, err == nil
}

func (fs *FS) bindFileProperties(f *file) {
	vm, p := fs.vm, f.proxy
	p.ReadOnly("name", func() goja.Value { return vm.ToValue(filepath.Base(f.path)) })
	p.ReadOnly("nativePath", func() goja.Value { return vm.ToValue(fileURL(f.path)) })
	p.ReadOnly("size", func() goja.Value {
		if st, ok := f.stat(); ok {
			return vm.ToValue(st.Size())
		}
		return vm.ToValue(0)
	})
	p.ReadOnly("writable", func() goja.Value { return vm.ToValue(canWrite(f.path)) })
	// Titanium defines readonly as "not writable", so a missing file is read-only.
	p.ReadOnly("readonly", func() goja.Value { return vm.ToValue(!canWrite(f.path)) })
	p.ReadOnly("executable", func() goja.Value {
		st, ok := f.stat()
		return vm.ToValue(ok && !st.IsDir() && canExec(f.path))
	})
	p.ReadOnly("hidden", func() goja.Value { return vm.ToValue(strings.HasPrefix(filepath.Base(f.path), ".")) })
	p.ReadOnly("symbolicLink", func() goja.Value {
		st, err := os.Lstat(f.path)
		return vm.ToValue(err == nil && st.Mode()&os.ModeSymlink != 0)
	})
	p.ReadOnly("parent", func() goja.Value { return fs.parentOf(f) })
	p.Method("getParent", func(goja.FunctionCall) goja.Value { return fs.parentOf(f) })
}

// parentOf returns the containing directory as a File, or null at the root.
func (fs *FS) parentOf(f *file) goja.Value {
	dir := filepath.Dir(f.path)
	if dir == f.path {
		return goja.Null()
	}
	return fs.newFile(dir).proxy.Object()
}

func (fs *FS) bindFileQueries(f *file) {
	vm, p := fs.vm, f.proxy
	boolMethod := func(name string, fn func() bool) {
		p.Method(name, func(goja.FunctionCall) goja.Value { return vm.ToValue(fn()) })
	}
	boolMethod("exists", func() bool { _, ok := f.stat(); return ok })
	boolMethod("isFile", func() bool { st, ok := f.stat(); return ok && st.Mode().IsRegular() })
	boolMethod("isDirectory", func() bool { st, ok := f.stat(); return ok && st.IsDir() })

	p.Method("extension", func(goja.FunctionCall) goja.Value {
		// iOS semantics (pathExtension): "" when the name has no extension.
		return vm.ToValue(strings.TrimPrefix(filepath.Ext(f.path), "."))
	})
	p.Method("resolve", func(goja.FunctionCall) goja.Value { return vm.ToValue(f.path) })
	p.Method("spaceAvailable", func(goja.FunctionCall) goja.Value {
		dir := f.path
		if st, ok := f.stat(); !ok || !st.IsDir() {
			dir = filepath.Dir(f.path)
		}
		return vm.ToValue(spaceAvailable(dir))
	})
	p.Method("getDirectoryListing", func(goja.FunctionCall) goja.Value {
		names, err := listDirectory(f.path)
		if err != nil {
			return goja.Null() // a file or a missing path, as in Titanium
		}
		items := make([]any, len(names))
		for i, n := range names {
			items[i] = n
		}
		return vm.NewArray(items...)
	})
	p.Method("read", func(goja.FunctionCall) goja.Value {
		if st, ok := f.stat(); !ok || st.IsDir() {
			return goja.Null()
		}
		return fs.NewFileBlob(f.path, "")
	})

	// Timestamps: the deprecated *Timestamp() methods give milliseconds since the epoch,
	// createdAt()/modifiedAt() give Dates; a missing file gives 0 / the epoch, as on Android.
	times := func(created bool) time.Time {
		st, ok := f.stat()
		switch {
		case !ok:
			return time.UnixMilli(0)
		case created:
			return createdAt(st)
		}
		return st.ModTime()
	}
	p.Method("createTimestamp", func(goja.FunctionCall) goja.Value { return vm.ToValue(times(true).UnixMilli()) })
	p.Method("modificationTimestamp", func(goja.FunctionCall) goja.Value { return vm.ToValue(times(false).UnixMilli()) })
	p.Method("createdAt", func(goja.FunctionCall) goja.Value { return fs.jsDate(times(true)) })
	p.Method("modifiedAt", func(goja.FunctionCall) goja.Value { return fs.jsDate(times(false)) })
	// iOS only: excludes the file from iCloud backup. Nothing to do off-device.
	p.Method("setRemoteBackup", func(goja.FunctionCall) goja.Value { return goja.Undefined() })
}

func (fs *FS) jsDate(t time.Time) goja.Value {
	d, err := fs.vm.New(fs.vm.Get("Date"), fs.vm.ToValue(t.UnixMilli()))
	if err != nil {
		return goja.Null()
	}
	return d
}

// bindFileChanges defines the methods that modify the filesystem. Following Titanium, failures
// (missing file, permissions, existing target) return false; wrong argument types throw.
func (fs *FS) bindFileChanges(f *file) {
	vm, p := fs.vm, f.proxy
	result := func(err error) goja.Value { return vm.ToValue(err == nil) }
	here := filepath.Dir(f.path)

	p.Method("write", func(call goja.FunctionCall) goja.Value {
		c := fs.contentArg(call.Argument(0), fileAPI+".write")
		appendMode := fs.optionalBool(call.Argument(1), false, fileAPI+".write", "append")
		return result(writeContent(f.path, c, appendMode))
	})
	p.Method("append", func(call goja.FunctionCall) goja.Value {
		return result(writeContent(f.path, fs.contentArg(call.Argument(0), fileAPI+".append"), true))
	})
	p.Method("copy", func(call goja.FunctionCall) goja.Value {
		return result(copyPath(f.path, fs.pathArg(call.Argument(0), here, fileAPI+".copy", "destinationPath")))
	})
	p.Method("move", func(call goja.FunctionCall) goja.Value {
		return result(movePath(f.path, fs.pathArg(call.Argument(0), here, fileAPI+".move", "newPath")))
	})
	p.Method("rename", func(call goja.FunctionCall) goja.Value {
		v := call.Argument(0)
		if !goja.IsString(v) {
			proxy.ThrowTypeError(vm, "%s.rename: argument 'newName' must be a string, got %s", fileAPI, proxy.TypeName(v))
		}
		_, err := renameInPlace(f.path, v.String())
		return result(err)
	})
	p.Method("deleteFile", func(goja.FunctionCall) goja.Value { return result(deleteFile(f.path)) })
	p.Method("deleteDirectory", func(call goja.FunctionCall) goja.Value {
		recursive := fs.optionalBool(call.Argument(0), false, fileAPI+".deleteDirectory", "recursive")
		return result(deleteDirectory(f.path, recursive))
	})
	p.Method("createDirectory", func(call goja.FunctionCall) goja.Value {
		// Intermediate directories are created unless recursive is false (TIMOB-19128).
		recursive := fs.optionalBool(call.Argument(0), true, fileAPI+".createDirectory", "recursive")
		return result(createDirectory(f.path, recursive))
	})
	p.Method("createFile", func(goja.FunctionCall) goja.Value { return result(createFile(f.path)) })
}
