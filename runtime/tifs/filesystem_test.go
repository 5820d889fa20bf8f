package tifs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dop251/goja"
)

// Ported from the SDK's ti.filesystem.test.js, plus path handling details.
func TestFilesystemModule(t *testing.T) {
	e := newEnv(t)
	e.run(t, `
	var FS = Ti.Filesystem;
	eq(FS.apiName, 'Ti.Filesystem', 'apiName');
	readOnly(FS, 'apiName', 'module');
	['applicationDataDirectory', 'tempDirectory', 'resourcesDirectory', 'applicationCacheDirectory'].forEach(function (d) {
		eq(typeof FS[d], 'string', d);
		eq(FS[d].charAt(FS[d].length - 1), '/', d + ' ends with the separator');
		readOnly(FS, d, 'module');
		ok(FS.getFile(FS[d]).isDirectory(), d + ' exists');
	});
	eq(FS.separator, '/', 'separator');
	eq(FS.lineEnding, '\n', 'lineEnding');
	eq([FS.MODE_READ, FS.MODE_WRITE, FS.MODE_APPEND], [0, 1, 2], 'modes');
	readOnly(FS, 'MODE_READ', 'module');
	eq(FS.isExternalStoragePresent(), false, 'no external storage');

	// getFile: relative to resources, joins parts, accepts file:// and Files.
	var app = FS.getFile('app.js');
	eq(app.resolve(), FS.resourcesDirectory + 'app.js', 'relative path');
	ok(app.exists(), 'app.js exists');
	eq(FS.getFile(FS.applicationDataDirectory, 'a', 'b.txt').resolve(), FS.applicationDataDirectory + 'a/b.txt', 'joined');
	eq(FS.getFile(FS.applicationDataDirectory + FS.separator + 'x').resolve(), FS.applicationDataDirectory + 'x', 'double separator');
	eq(FS.getFile(app.nativePath).resolve(), app.resolve(), 'file:// URL');
	eq(FS.getFile(FS.getFile(FS.tempDirectory), 'f').resolve(), FS.tempDirectory + 'f', 'File as first part');
	var spaced = FS.getFile(FS.applicationDataDirectory, 'folder with spaces', 'ünïcödé 文件.txt');
	eq(spaced.name, 'ünïcödé 文件.txt', 'multilingual name');
	ok(spaced.getParent().createDirectory(), 'create spaced folder');
	ok(spaced.write('x'), 'write multilingual');
	eq(FS.getFile(spaced.nativePath).read().text, 'x', 'nativePath round-trips through getFile');
	ok(spaced.nativePath.indexOf('folder%20with%20spaces') > 0, 'nativePath is percent-encoded: ' + spaced.nativePath);

	// Temp entries live under tempDirectory, are fresh, and are deletable.
	var tf = FS.createTempFile(), tf2 = FS.createTempFile(), td = FS.createTempDirectory();
	ok(tf.isFile() && td.isDirectory(), 'temp kinds');
	ok(tf.resolve() !== tf2.resolve(), 'temp files are distinct');
	eq(tf.resolve().indexOf(FS.tempDirectory), 0, 'temp file under tempDirectory');
	eq(td.resolve().indexOf(FS.tempDirectory), 0, 'temp dir under tempDirectory');
	ok(tf.deleteFile() && td.deleteDirectory(), 'temp entries deletable');

	throwsType(function () { FS.getFile(); }, ['Ti.Filesystem.getFile', "'path'"], 'getFile()');
	throwsType(function () { FS.getFile(FS.tempDirectory, 42); }, ['Ti.Filesystem.getFile', 'argument 2', 'number'], 'getFile(number)');
	throwsType(function () { FS.getFile({}); }, ['getFile', 'object'], 'getFile(object)');
	throwsType(function () { FS.getFile('file://example.com/x'); }, ['getFile', 'remote host'], 'remote file URL');
	`)
	// The directories Install reported are real and absolute.
	for _, d := range []string{e.dirs.ApplicationData, e.dirs.Temp} {
		if st, err := os.Stat(d); err != nil || !st.IsDir() {
			t.Fatalf("%s not created: %v", d, err)
		}
	}
}

func TestInstallValidatesDirs(t *testing.T) {
	vm := goja.New()
	if _, err := Install(vm, nil, vm.NewObject(), Dirs{}); err == nil {
		t.Fatal("Install without a loop succeeded")
	}
	e := newEnv(t)
	if _, err := Install(e.vm, e.loop, e.vm.NewObject(), Dirs{Temp: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "ApplicationData") {
		t.Fatalf("Install without ApplicationData: %v", err)
	}
	// A relative Resources directory is made absolute.
	fs, err := Install(e.vm, e.loop, e.vm.NewObject(), Dirs{ApplicationData: t.TempDir(), Temp: t.TempDir(), Resources: "."})
	if err != nil || !filepath.IsAbs(fs.Dirs().Resources) {
		t.Fatalf("relative Resources: %v %+v", err, fs)
	}
}
