package tifs

import (
	"os"
	"unicode/utf8"

	"github.com/dop251/goja"

	"github.com/tirun/tirun/runtime/proxy"
)

const blobAPI = "Ti.Blob"

// blob is the Go side of a Ti.Blob: either a file on disk (path set; never loaded unless a
// script asks for its text or bytes) or bytes in memory.
type blob struct {
	proxy    *proxy.Proxy
	path     string
	data     []byte
	mimeType string
	file     *file // the File proxy reported by blob.file, made on first use
}

func (b *blob) content() content { return content{path: b.path, data: b.data} }

// length is the blob's size in bytes; for a file, from stat at this moment (0 if it vanished).
func (b *blob) length() int64 {
	if b.path == "" {
		return int64(len(b.data))
	}
	st, err := os.Stat(b.path)
	if err != nil || st.IsDir() {
		return 0
	}
	return st.Size()
}

// bytes returns the contents, reading a file-backed blob now.
func (b *blob) bytes() ([]byte, error) {
	if b.path == "" {
		return b.data, nil
	}
	return os.ReadFile(b.path)
}

func (fs *FS) newBlob(b *blob) *proxy.Proxy {
	vm := fs.vm
	p := proxy.New(vm, fs.loop, blobAPI)
	b.proxy = p
	p.SetNative(b)

	p.ReadOnly("length", func() goja.Value { return vm.ToValue(b.length()) })
	p.ReadOnly("size", func() goja.Value { return vm.ToValue(b.length()) }) // bytes: images are not decoded
	p.ReadOnly("mimeType", func() goja.Value { return vm.ToValue(b.mimeType) })
	p.ReadOnly("text", func() goja.Value {
		if s, ok := b.text(); ok {
			return vm.ToValue(s)
		}
		return goja.Null() // binary data has no text (Titanium docs)
	})
	p.ReadOnly("nativePath", func() goja.Value {
		if b.path == "" {
			return goja.Null()
		}
		return vm.ToValue(fileURL(b.path))
	})
	p.ReadOnly("file", func() goja.Value {
		if b.path == "" {
			return goja.Null()
		}
		if b.file == nil {
			b.file = fs.newFile(b.path)
		}
		return b.file.proxy.Object()
	})
	for _, name := range []string{"width", "height", "uprightWidth", "uprightHeight"} {
		p.ReadOnly(name, func() goja.Value { return vm.ToValue(0) }) // images are not decoded
	}

	p.Method("toString", func(goja.FunctionCall) goja.Value {
		if s, ok := b.text(); ok {
			return vm.ToValue(s)
		}
		return vm.ToValue("[object TiBlob]")
	})
	p.Method("append", func(call goja.FunctionCall) goja.Value {
		fs.blobAppend(b, call.Argument(0))
		return goja.Undefined()
	})
	p.Method("toArrayBuffer", func(goja.FunctionCall) goja.Value {
		data, err := b.bytes()
		if err != nil {
			proxy.ThrowError(vm, "Ti.Blob.toArrayBuffer: cannot read %s: %v", b.path, err)
		}
		return vm.ToValue(vm.NewArrayBuffer(copyOf(data)))
	})
	p.Method("arrayBuffer", func(goja.FunctionCall) goja.Value {
		promise, resolve, reject := vm.NewPromise()
		if data, err := b.bytes(); err != nil {
			_ = reject(vm.NewGoError(err))
		} else {
			_ = resolve(vm.NewArrayBuffer(copyOf(data)))
		}
		return vm.ToValue(promise)
	})
	// Image operations need an image decoder this runtime does not have; Titanium returns
	// null for blobs that are not images, and that is what every blob is here.
	for _, name := range []string{"imageAsCompressed", "imageAsCropped", "imageAsResized", "imageAsThumbnail",
		"imageWithAlpha", "imageWithRoundedCorner", "imageWithTransparentBorder"} {
		p.Method(name, func(goja.FunctionCall) goja.Value { return goja.Null() })
	}
	return p
}

// text decodes the blob as UTF-8; ok is false for binary data (or an unreadable file).
func (b *blob) text() (string, bool) {
	if b.path != "" {
		if valid, err := fileIsUTF8(b.path); err != nil || !valid {
			return "", false
		}
	}
	data, err := b.bytes()
	if err != nil || !utf8.Valid(data) {
		return "", false
	}
	return string(data), true
}

// blobAppend implements Ti.Blob.append(blob). As in Titanium, a file-backed blob first takes
// its file's contents into memory and stops being file-backed; the file itself is never
// modified, and the appended blob is left unchanged.
func (fs *FS) blobAppend(b *blob, v goja.Value) {
	const fn = "Ti.Blob.append"
	other, ok := native(v).(*blob)
	if !ok {
		proxy.ThrowTypeError(fs.vm, "%s: argument 'blob' must be a Ti.Blob, got %s", fn, proxy.TypeName(v))
	}
	head, err := b.bytes()
	if err != nil {
		proxy.ThrowError(fs.vm, "%s: cannot read %s: %v", fn, b.path, err)
	}
	tail, err := other.bytes()
	if err != nil {
		proxy.ThrowError(fs.vm, "%s: cannot read %s: %v", fn, other.path, err)
	}
	joined := make([]byte, 0, len(head)+len(tail))
	b.data = append(append(joined, head...), tail...)
	b.path = ""
	b.file = nil
}

func copyOf(data []byte) []byte {
	out := make([]byte, len(data))
	copy(out, data)
	return out
}
