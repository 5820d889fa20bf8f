package tifs

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// Ported from the SDK's ti.filesystem.file.test.js (our own assertions, same expectations),
// run against real files.
func TestFileSDKSuite(t *testing.T) {
	e := newEnv(t)
	e.run(t, `
	var FS = Ti.Filesystem, DATA = FS.applicationDataDirectory;
	var file = FS.getFile('app.js');
	eq(file.apiName, 'Ti.Filesystem.File', 'apiName');
	eq(file.name, 'app.js', 'name');
	['apiName', 'name', 'nativePath', 'executable', 'hidden', 'readonly', 'writable', 'symbolicLink', 'parent', 'size'].forEach(function (p) {
		readOnly(file, p, 'File');
	});
	eq(file.nativePath, 'file://' + encodeURI(file.resolve()), 'nativePath is a file URL (percent-encoded)');
	eq(typeof file.resolve(), 'string', 'resolve');
	eq([typeof file.executable, typeof file.hidden, typeof file.symbolicLink], ['boolean', 'boolean', 'boolean'], 'flags');
	eq(file.executable, false, 'app.js not executable');
	eq(file.hidden, false, 'app.js not hidden');
	eq([file.writable, file.readonly], [true, false], 'app.js writable');
	eq(file.parent.resolve() + '/', FS.resourcesDirectory, 'parent');
	eq(file.getParent().apiName, 'Ti.Filesystem.File', 'getParent');
	eq(file.size, `+strconv.Itoa(len(appJS))+`, 'size');
	eq(file.extension(), 'js', 'extension');
	eq(FS.getFile(DATA, 'noext').extension(), '', 'no extension');

	ok(file.exists() && file.isFile() && !file.isDirectory(), 'app.js is a file');
	var missing = FS.getFile('appp.js');
	ok(!missing.exists() && !missing.isFile() && !missing.isDirectory(), 'missing');
	eq(missing.size, 0, 'missing size');
	eq(missing.readonly, true, 'a missing file is read-only, as in Titanium');
	eq(missing.read(), null, 'read of a missing file');
	var res = FS.getFile(FS.resourcesDirectory);
	ok(res.isDirectory() && !res.isFile(), 'resources is a directory');
	eq(res.read(), null, 'read of a directory');

	eq(typeof file.createTimestamp(), 'number', 'createTimestamp');
	ok(file.modificationTimestamp() > 0, 'modificationTimestamp');
	ok(file.createdAt() instanceof Date && file.modifiedAt() instanceof Date, 'Date accessors');
	eq(file.modifiedAt().getTime(), file.modificationTimestamp(), 'same instant');
	eq(missing.modificationTimestamp(), 0, 'missing timestamp');
	ok(file.spaceAvailable() > 0, 'spaceAvailable');

	// create_and_deleteDirectory
	var newDir = FS.getFile(DATA, 'mydir');
	ok(!newDir.exists(), 'mydir absent');
	ok(newDir.createDirectory(), 'createDirectory');
	ok(newDir.exists(), 'mydir exists');
	eq(newDir.createDirectory(), false, 'createDirectory of an existing directory');
	eq(newDir.getDirectoryListing(), [], 'empty listing');
	ok(newDir.deleteDirectory(), 'deleteDirectory');
	ok(!newDir.exists(), 'mydir gone');
	eq(newDir.deleteDirectory(), false, 'deleteDirectory of a missing directory');

	// deleteDirectory(true) - recursive
	var dir = FS.getFile(DATA, 'testDir');
	ok(dir.createDirectory(), 'testDir');
	var f1 = FS.getFile(dir.resolve(), 'test.txt');
	ok(f1.write('Appcelerator'), 'write test.txt');
	var subDir = FS.getFile(dir.resolve(), 'subDir');
	ok(subDir.createDirectory(), 'subDir');
	ok(FS.getFile(subDir.resolve(), 'subTest.txt').write('Appcelerator'), 'write subTest.txt');
	eq(dir.getDirectoryListing(), ['subDir', 'test.txt'], 'listing');
	eq(f1.getDirectoryListing(), null, 'listing of a file');
	eq(FS.getFile(DATA, 'nope').getDirectoryListing(), null, 'listing of a missing path');
	eq(dir.deleteDirectory(), false, 'non-recursive delete of a non-empty directory');
	eq(dir.deleteFile(), false, 'deleteFile on a directory');
	eq(f1.deleteDirectory(), false, 'deleteDirectory on a file');
	ok(dir.deleteDirectory(true), 'recursive delete');
	ok(!dir.exists(), 'testDir gone');

	// createFile / deleteFile
	var newFile = FS.getFile(DATA, 'myfile');
	ok(newFile.createFile(), 'createFile');
	ok(newFile.exists() && newFile.size === 0, 'empty file');
	eq(newFile.createFile(), false, 'createFile does not clobber');
	ok(newFile.deleteFile(), 'deleteFile');
	eq(newFile.deleteFile(), false, 'deleteFile of a missing file');

	// write / append in every form
	function check(f, want, what) {
		var blob = f.read();
		ok(blob, what + ': read');
		eq(blob.size, want.length, what + ': size');
		eq(blob.text, want, what + ': text');
	}
	var msg = FS.getFile(DATA, 'write_test.txt');
	ok(msg.write('Appcelerator', false), 'write(String, false)');
	check(msg, 'Appcelerator', 'write(String)');
	ok(msg.write('Appcelerator', true), 'write(String, true)');
	check(msg, 'AppceleratorAppcelerator', 'write(String, true)');
	ok(msg.write('Appcelerator'), 'write replaces');
	ok(msg.append('Appcelerator'), 'append(String)');
	check(msg, 'AppceleratorAppcelerator', 'append(String)');

	var from = FS.getFile(DATA, 'write_test.txt'), to = FS.getFile(DATA, 'write_test_to.txt');
	ok(from.write('Appcelerator'), 'from');
	ok(to.write(from, false), 'write(File, false)');
	check(to, 'Appcelerator', 'write(File)');
	ok(to.write(from, true), 'write(File, true)');
	check(to, 'AppceleratorAppcelerator', 'write(File, true)');
	ok(to.write(from.read(), false), 'write(Blob, false)');
	check(to, 'Appcelerator', 'write(Blob)');
	ok(to.write(from.read(), true), 'write(Blob, true)');
	check(to, 'AppceleratorAppcelerator', 'write(Blob, true)');
	ok(to.write('Appcelerator') && to.append(from), 'append(File)');
	check(to, 'AppceleratorAppcelerator', 'append(File)');
	ok(to.write('Appcelerator') && to.append(from.read()), 'append(Blob)');
	check(to, 'AppceleratorAppcelerator', 'append(Blob)');
	ok(from.append(from), 'append a file to itself');
	check(from, 'AppceleratorAppcelerator', 'self-append doubles once');
	eq(FS.getFile(DATA, 'no', 'such', 'dir.txt').write('x'), false, 'write into a missing directory');
	eq(FS.getFile(DATA).write('x'), false, 'write over a directory');
	eq(to.write(FS.getFile(DATA, 'missing-source')), false, 'write from a missing file');
	check(to, 'AppceleratorAppcelerator', 'failed write left the old contents');

	// copy
	var newpath = DATA + FS.separator + 'app.js';
	ok(file.copy(newpath), 'copy');
	var dest = FS.getFile(newpath);
	ok(dest.exists(), 'copied');
	eq(dest.read().text, file.read().text, 'copy contents');
	ok(file.copy(dest), 'copy onto an existing file (File argument)');
	eq(file.copy(DATA), false, 'copy onto a directory');
	eq(missing.copy(newpath + '.x'), false, 'copy of a missing file');

	// copy and move
	var dest2 = DATA + 'appp.js';
	ok(dest.move(dest2), 'move');
	ok(!dest.exists(), 'moved away (the handle keeps its old path)');
	var moved = FS.getFile(dest2);
	ok(moved.exists(), 'moved here');
	ok(FS.getFile(DATA, 'sub').createDirectory(), 'sub');
	ok(moved.move(FS.getFile(DATA, 'sub', 'other.js')), 'move into another directory');
	var other = FS.getFile(DATA, 'sub', 'other.js');
	ok(other.exists(), 'moved into sub');
	eq(other.move(DATA + 'sub'), false, 'move onto a directory');

	// rename: same directory only
	ok(other.rename('renamed.js'), 'rename(name)');
	var renamed = FS.getFile(DATA, 'sub', 'renamed.js');
	ok(renamed.exists() && !other.exists(), 'renamed');
	ok(renamed.rename(DATA + 'sub/again.js'), 'rename(same-dir path)');
	var again = FS.getFile(DATA, 'sub', 'again.js');
	eq(again.rename(DATA + 'elsewhere.js'), false, 'rename into another directory');
	ok(again.exists(), 'still there');

	// copy of a directory tree
	ok(FS.getFile(DATA, 'sub').copy(DATA + 'sub-copy'), 'copy a directory');
	eq(FS.getFile(DATA, 'sub-copy').getDirectoryListing(), ['again.js'], 'tree copied');

	// createDirectory is recursive by default (TIMOB-19128), not when told otherwise.
	var deep = FS.getFile(DATA, 'sub2', 'dir2');
	eq(FS.getFile(DATA, 'x', 'y').createDirectory(false), false, 'createDirectory(false) needs the parent');
	ok(deep.createDirectory(), 'recursive createDirectory');
	ok(deep.exists(), 'deep exists');
	ok(deep.deleteDirectory(), 'delete deep');

	// the backup flag is accepted
	FS.getFile(DATA).setRemoteBackup(false);
	`)
}

func TestFileArgumentErrors(t *testing.T) {
	e := newEnv(t)
	e.run(t, `
	var f = Ti.Filesystem.getFile(Ti.Filesystem.applicationDataDirectory, 'f.txt');
	throwsType(function () { f.write(); }, ['Ti.Filesystem.File.write', "'data'", 'undefined'], 'write()');
	throwsType(function () { f.write(42); }, ['File.write', "'data'", 'number'], 'write(number)');
	throwsType(function () { f.write({}); }, ['File.write', "'data'", 'object'], 'write(object)');
	throwsType(function () { f.write('x', 'yes'); }, ['File.write', "'append'", 'boolean', 'string'], 'write(x, string)');
	throwsType(function () { f.append(null); }, ['File.append', "'data'", 'null'], 'append(null)');
	throwsType(function () { f.copy(); }, ['File.copy', "'destinationPath'"], 'copy()');
	throwsType(function () { f.copy(''); }, ['File.copy', 'empty'], 'copy("")');
	throwsType(function () { f.move(3); }, ['File.move', "'newPath'", 'number'], 'move(3)');
	throwsType(function () { f.rename(Ti.Filesystem); }, ['File.rename', "'newName'", 'Ti.Filesystem'], 'rename(proxy)');
	throwsType(function () { f.deleteDirectory('yes'); }, ['File.deleteDirectory', "'recursive'"], 'deleteDirectory(string)');
	throwsType(function () { f.createDirectory(1); }, ['File.createDirectory', "'recursive'", 'number'], 'createDirectory(1)');
	eq(f.exists(), false, 'no failed call touched the disk');
	// A look-alike object is not a File: the blob/file link cannot be forged.
	var fake = Object.create(f);
	throwsType(function () { f.write(fake); }, ['File.write', "'data'"], 'inherited File');
	`)
}

// The File handle reads the filesystem at each call: changes made outside JS are seen.
func TestFileSeesOutsideChanges(t *testing.T) {
	e := newEnv(t)
	p := filepath.Join(e.dirs.ApplicationData, "outside.txt")
	e.run(t, `var f = Ti.Filesystem.getFile(Ti.Filesystem.applicationDataDirectory, 'outside.txt'); eq(f.exists(), false, 'absent');`)
	if err := os.WriteFile(p, []byte("12345"), 0o644); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(p, old, old); err != nil {
		t.Fatal(err)
	}
	e.run(t, `eq([f.exists(), f.size, f.read().text], [true, 5, '12345'], 'seen');
	globalThis.mtime = f.modificationTimestamp();`)
	if got := e.vm.Get("mtime").ToInteger(); got != old.UnixMilli() {
		t.Fatalf("modificationTimestamp %d, want %d", got, old.UnixMilli())
	}
	if err := os.Chmod(p, 0o755); err != nil {
		t.Fatal(err)
	}
	e.run(t, `eq(f.executable, true, 'executable after chmod');`)
	if err := os.Symlink(p, filepath.Join(e.dirs.ApplicationData, ".link")); err != nil {
		t.Fatal(err)
	}
	e.run(t, `var l = Ti.Filesystem.getFile(Ti.Filesystem.applicationDataDirectory, '.link');
	eq([l.symbolicLink, l.hidden, l.isFile(), f.symbolicLink], [true, true, true, false], 'link flags');`)
}
