package tifs

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/dop251/goja"
)

// Ported from the SDK's ti.blob.test.js (non-image parts), plus in-memory blobs.
func TestBlobSDKSuite(t *testing.T) {
	e := newEnv(t)
	for name, data := range map[string]string{"Logo.png": "\x89PNG\r\n\x1a\n", "photo.jpg": "\xff\xd8\xff", "Logo.webp": "RIFF", "other.js": "var other = 1;\n"} {
		if err := os.WriteFile(filepath.Join(e.dirs.Resources, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	e.run(t, `
	var FS = Ti.Filesystem;
	var blob = FS.getFile('app.js').read();
	eq(blob.apiName, 'Ti.Blob', 'apiName');
	['apiName', 'text', 'length', 'size', 'mimeType', 'nativePath', 'file', 'width', 'height'].forEach(function (p) {
		readOnly(blob, p, 'Blob');
	});
	eq(typeof blob.text, 'string', 'text');
	ok(blob.text.length > 0, 'text length');
	eq(blob.text, blob.toString(), 'toString is the text');
	eq(typeof blob.nativePath, 'string', 'nativePath');
	eq(blob.nativePath, FS.getFile('app.js').nativePath, 'nativePath is the file URL');
	eq(blob.file.nativePath, blob.nativePath, 'file');
	eq(blob.file.apiName, 'Ti.Filesystem.File', 'file is a File');
	ok(blob.length > 0, 'length');
	eq(blob.size, blob.length, 'size == length for non-images');
	eq([blob.width, blob.height, blob.uprightWidth, blob.uprightHeight], [0, 0, 0, 0], 'no image dimensions');
	eq(blob.imageAsResized(50, 60), null, 'image ops give null');
	eq(blob.imageAsCropped({ width: 50, height: 60, x: 0, y: 0 }), null, 'imageAsCropped');
	eq(blob.imageAsThumbnail(50), null, 'imageAsThumbnail');

	ok(['text/javascript', 'application/javascript'].indexOf(blob.mimeType) >= 0, 'js mime ' + blob.mimeType);
	eq(FS.getFile('Logo.png').read().mimeType, 'image/png', 'png');
	eq(FS.getFile('photo.jpg').read().mimeType, 'image/jpeg', 'jpeg');
	eq(FS.getFile('Logo.webp').read().mimeType, 'image/webp', 'webp');

	// #append(): appends two files together; neither file nor the argument changes.
	var appJs = FS.getFile('app.js').read(), thisFile = FS.getFile('other.js').read();
	var originalText = appJs.text, originalLength = appJs.length;
	var thisText = thisFile.text, thisLength = thisFile.length;
	appJs.append(thisFile);
	eq(appJs.text, originalText + thisText, 'appended text');
	eq(appJs.length, originalLength + thisLength, 'appended length');
	eq(thisFile.length, thisLength, 'argument unchanged (length)');
	eq(thisFile.text, thisText, 'argument unchanged (text)');
	eq(FS.getFile('app.js').read().text, originalText, 'the file itself is not modified');
	eq([appJs.nativePath, appJs.file], [null, null], 'an appended file blob is now in memory');
	throwsType(function () { appJs.append('str'); }, ['Ti.Blob.append', "'blob'", 'string'], 'append(string)');
	throwsType(function () { appJs.append(FS.getFile('app.js')); }, ['Ti.Blob.append', 'Ti.Filesystem.File'], 'append(File)');
	`)
}

func TestBlobInMemoryAndText(t *testing.T) {
	e := newEnv(t)
	e.run(t, `
	eq([data.apiName, data.mimeType, data.length, data.size, data.text, String(data)], ['Ti.Blob', 'text/plain', 6, 6, 'héllo'.normalize(), 'héllo'], 'data blob');
	eq([data.nativePath, data.file], [null, null], 'no file behind a data blob');
	eq([binary.text, binary.toString(), binary.mimeType, binary.length], [null, '[object TiBlob]', 'application/octet-stream', 3], 'binary blob');
	eq([empty.text, empty.toString(), empty.length], ['', '', 0], 'empty blob');

	data.append(binary);
	eq(data.length, 9, 'appended length');
	eq(data.text, null, 'invalid UTF-8 after appending binary');
	var bytes = new Uint8Array(data.toArrayBuffer());
	eq(Array.prototype.slice.call(bytes, 5), [0x6f, 0xff, 0xfe, 0x00], 'toArrayBuffer');
	bytes[0] = 0;
	eq(new Uint8Array(data.toArrayBuffer())[0], 0x68, 'toArrayBuffer is a copy');

	// A file blob reads its file when asked, not when made.
	var f = Ti.Filesystem.getFile(Ti.Filesystem.applicationDataDirectory, 'live.txt');
	f.write('one');
	var b = f.read();
	f.write('three');
	eq([b.length, b.text], [5, 'three'], 'text and length are read at access time');
	f.deleteFile();
	eq([b.length, b.text], [0, null], 'vanished file');
	f.write('again');
	globalThis.result = b.arrayBuffer().then(function (buf) { return buf.byteLength; });
	`, func(vm *goja.Runtime) {
		_ = vm.Set("data", e.fs.NewDataBlob([]byte("héllo"), "text/plain"))
		_ = vm.Set("binary", e.fs.NewDataBlob([]byte{0xff, 0xfe, 0x00}, ""))
		_ = vm.Set("empty", e.fs.NewDataBlob(nil, "text/plain"))
	})
	p, ok := e.vm.Get("result").Export().(*goja.Promise)
	if !ok || p.State() != goja.PromiseStateFulfilled || p.Result().ToInteger() != 5 {
		t.Fatalf("arrayBuffer promise: %v", e.vm.Get("result"))
	}
}

func TestNewFileBlobFromGo(t *testing.T) {
	e := newEnv(t)
	p := filepath.Join(e.dirs.Temp, "download.bin")
	if err := os.WriteFile(p, []byte("payload"), 0o600); err != nil {
		t.Fatal(err)
	}
	e.run(t, `
	eq([b.mimeType, b.length, b.text, b.file.name], ['application/json', 7, 'payload', 'download.bin'], 'explicit mime type');
	eq([guessed.mimeType, guessed.text], ['text/javascript', `+"`"+appJS+"`"+`], 'relative path, guessed type');
	var copy = Ti.Filesystem.getFile(Ti.Filesystem.applicationDataDirectory, 'kept.bin');
	ok(copy.write(b), 'a script keeps a downloaded blob by writing it');
	eq(copy.read().text, 'payload', 'kept');
	`, func(vm *goja.Runtime) {
		_ = vm.Set("b", e.fs.NewFileBlob(p, "application/json"))
		_ = vm.Set("guessed", e.fs.NewFileBlob("app.js", ""))
	})
}
