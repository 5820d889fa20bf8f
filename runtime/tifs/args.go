package tifs

import (
	"github.com/dop251/goja"

	"github.com/tirun/tirun/runtime/proxy"
)

func absent(v goja.Value) bool { return v == nil || goja.IsUndefined(v) || goja.IsNull(v) }

// optionalBool reads an optional boolean argument (undefined or null = def).
func (fs *FS) optionalBool(v goja.Value, def bool, fn, arg string) bool {
	if absent(v) {
		return def
	}
	if _, isObj := v.(*goja.Object); !isObj {
		if b, ok := v.Export().(bool); ok {
			return b
		}
	}
	proxy.ThrowTypeError(fs.vm, "%s: argument '%s' must be a boolean, got %s", fn, arg, proxy.TypeName(v))
	return false
}

// pathArg reads a path argument: a string (plain, file:// or app://; relative to base) or a
// Ti.Filesystem.File.
func (fs *FS) pathArg(v goja.Value, base, fn, arg string) string {
	if f, ok := native(v).(*file); ok {
		return f.path
	}
	if !goja.IsString(v) {
		proxy.ThrowTypeError(fs.vm, "%s: argument '%s' must be a path string or a Ti.Filesystem.File, got %s", fn, arg, proxy.TypeName(v))
	}
	if v.String() == "" {
		proxy.ThrowTypeError(fs.vm, "%s: argument '%s' must not be empty", fn, arg)
	}
	p, err := resolvePath(base, v.String())
	if err != nil {
		proxy.ThrowTypeError(fs.vm, "%s: argument '%s': %v", fn, arg, err)
	}
	return p
}

// contentArg reads what File.write/append accept: a string, a Ti.Blob or a Ti.Filesystem.File.
func (fs *FS) contentArg(v goja.Value, fn string) content {
	switch n := native(v).(type) {
	case *blob:
		return n.content()
	case *file:
		return content{path: n.path}
	}
	if goja.IsString(v) {
		return content{data: []byte(v.String())}
	}
	proxy.ThrowTypeError(fs.vm, "%s: argument 'data' must be a string, Ti.Blob or Ti.Filesystem.File, got %s", fn, proxy.TypeName(v))
	return content{}
}
