package tifs

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/dop251/goja"
)

func TestBlobSourceKinds(t *testing.T) {
	e := newEnv(t)
	upload := filepath.Join(e.dirs.ApplicationData, "upload.png")
	if err := os.WriteFile(upload, []byte("0123456789"), 0o600); err != nil {
		t.Fatal(err)
	}
	e.run(t, `
	globalThis.fileBlob = Ti.Filesystem.getFile(Ti.Filesystem.applicationDataDirectory, 'upload.png').read();
	globalThis.fileObj = Ti.Filesystem.getFile(Ti.Filesystem.applicationDataDirectory, 'upload.png');
	globalThis.missingObj = Ti.Filesystem.getFile(Ti.Filesystem.applicationDataDirectory, 'missing.txt');
	globalThis.fake = Object.create(fileBlob);
	`, func(vm *goja.Runtime) {
		_ = vm.Set("dataBlob", e.fs.NewDataBlob([]byte("in memory"), "text/plain"))
	})
	get := func(name string) goja.Value { return e.vm.Get(name) }

	cases := []struct {
		name string
		v    goja.Value
		want Source
	}{
		{"file-backed blob", get("fileBlob"), Source{Path: upload, MimeType: "image/png", Size: 10}},
		{"in-memory blob", get("dataBlob"), Source{Data: []byte("in memory"), MimeType: "text/plain", Size: 9}},
		{"File", get("fileObj"), Source{Path: upload, MimeType: "image/png", Size: 10}},
		{"missing File", get("missingObj"), Source{Path: filepath.Join(e.dirs.ApplicationData, "missing.txt"), MimeType: "text/plain", Size: -1}},
		{"absolute path", e.vm.ToValue(upload), Source{Path: upload, MimeType: "image/png", Size: 10}},
		{"file URL", e.vm.ToValue(fileURL(upload)), Source{Path: upload, MimeType: "image/png", Size: 10}},
		{"relative path", e.vm.ToValue("app.js"), Source{Path: filepath.Join(e.dirs.Resources, "app.js"), MimeType: "text/javascript", Size: int64(len(appJS))}},
	}
	for _, c := range cases {
		got, ok := e.fs.BlobSource(c.v)
		if !ok || got.Path != c.want.Path || string(got.Data) != string(c.want.Data) || got.MimeType != c.want.MimeType || got.Size != c.want.Size {
			t.Errorf("%s: BlobSource = %+v, %v; want %+v", c.name, got, ok, c.want)
		}
	}
	for name, v := range map[string]goja.Value{
		"number": e.vm.ToValue(3), "empty string": e.vm.ToValue(""), "plain object": e.vm.NewObject(),
		"undefined": goja.Undefined(), "null": goja.Null(), "inherits from a blob": get("fake"),
		"remote file URL": e.vm.ToValue("file://example.com/x"), "Go nil": nil,
	} {
		if got, ok := e.fs.BlobSource(v); ok {
			t.Errorf("%s: BlobSource accepted it: %+v", name, got)
		}
	}
}
