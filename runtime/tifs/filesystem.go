package tifs

import (
	"path/filepath"
	"runtime"

	"github.com/dop251/goja"

	"github.com/tirun/tirun/runtime/proxy"
)

const moduleAPI = "Ti.Filesystem"

// Titanium's open modes (Ti.Filesystem.MODE_*).
const (
	modeRead   = 0
	modeWrite  = 1
	modeAppend = 2
)

func (fs *FS) newModule() *proxy.Proxy {
	vm := fs.vm
	p := proxy.New(vm, fs.loop, moduleAPI)
	dir := func(name, path string) {
		s := vm.ToValue(dirString(path))
		p.ReadOnly(name, func() goja.Value { return s })
	}
	dir("applicationDataDirectory", fs.dirs.ApplicationData)
	dir("applicationSupportDirectory", fs.dirs.ApplicationData)
	dir("applicationCacheDirectory", fs.cacheDir)
	dir("tempDirectory", fs.dirs.Temp)
	dir("resourcesDirectory", fs.dirs.Resources)
	dir("applicationDirectory", fs.dirs.Resources)

	p.Constant("separator", vm.ToValue(string(filepath.Separator)))
	lineEnding := "\n"
	if runtime.GOOS == "windows" {
		lineEnding = "\r\n"
	}
	p.Constant("lineEnding", vm.ToValue(lineEnding))
	p.Constant("MODE_READ", vm.ToValue(modeRead))
	p.Constant("MODE_WRITE", vm.ToValue(modeWrite))
	p.Constant("MODE_APPEND", vm.ToValue(modeAppend))

	p.Method("getFile", func(call goja.FunctionCall) goja.Value {
		return fs.newFile(fs.joinArgs(call.Arguments, moduleAPI+".getFile")).proxy.Object()
	})
	p.Method("createTempFile", func(goja.FunctionCall) goja.Value {
		return fs.tempEntry(false)
	})
	p.Method("createTempDirectory", func(goja.FunctionCall) goja.Value {
		return fs.tempEntry(true)
	})
	p.Method("isExternalStoragePresent", func(goja.FunctionCall) goja.Value { return vm.ToValue(false) })
	return p
}

// joinArgs turns getFile's arguments (strings or Files) into one absolute path.
func (fs *FS) joinArgs(args []goja.Value, fn string) string {
	if len(args) == 0 {
		proxy.ThrowTypeError(fs.vm, "%s: argument 'path' is required", fn)
	}
	parts := make([]string, len(args))
	for i, v := range args {
		if goja.IsString(v) {
			parts[i] = v.String()
			continue
		}
		if f, ok := native(v).(*file); ok {
			parts[i] = f.path
			continue
		}
		proxy.ThrowTypeError(fs.vm, "%s: argument %d must be a string or a Ti.Filesystem.File, got %s", fn, i+1, proxy.TypeName(v))
	}
	p, err := joinParts(fs.dirs.Resources, parts)
	if err != nil {
		proxy.ThrowTypeError(fs.vm, "%s: %v", fn, err)
	}
	return p
}

// tempEntry creates a new file or directory under the temp directory. Failure (disk full,
// temp directory removed) throws: there is no File to return.
func (fs *FS) tempEntry(directory bool) goja.Value {
	p, err := createTemp(fs.dirs.Temp, directory)
	if err != nil {
		name := "createTempFile"
		if directory {
			name = "createTempDirectory"
		}
		proxy.ThrowError(fs.vm, "%s.%s: %v", moduleAPI, name, err)
	}
	return fs.newFile(p).proxy.Object()
}
