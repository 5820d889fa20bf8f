package tifs

import (
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
)

// A 512 MiB file read as a blob, asked for its text, and written to another File must stream: the heap may not grow
// by anything near the file size. TotalAlloc counts every byte allocated during the run, so its
// growth bounds the peak heap growth from above without sampling.
func TestLargeFileBlobStreamsWithoutLoading(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 512 MiB to the temp directory")
	}
	const size = 512 << 20
	const bound = 32 << 20 // generous: the copy itself needs a few KiB at most
	e := newEnv(t)
	src := filepath.Join(e.dirs.ApplicationData, "big.bin")
	f, err := os.Create(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(size); err != nil { // sparse: no disk blocks for the source
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte{0xff}, 0); err != nil { // binary: text must not load it
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte("tail"), size-4); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	e.run(t, `
	var FS = Ti.Filesystem;
	var blob = FS.getFile(FS.applicationDataDirectory, 'big.bin').read();
	eq(blob.length, `+strconv.Itoa(size)+`, 'length from stat');
	eq(blob.size, blob.length, 'size');
	eq([blob.text, String(blob)], [null, '[object TiBlob]'], 'binary text found without loading');
	var out = FS.getFile(FS.applicationDataDirectory, 'copy.bin');
	ok(out.write(blob), 'write(blob)');
	eq(out.size, blob.length, 'copied size');
	globalThis.big = blob;
	`)
	source, ok := e.fs.BlobSource(e.vm.Get("big"))
	runtime.ReadMemStats(&after)
	allocated := after.TotalAlloc - before.TotalAlloc
	inuseGrowth := int64(after.HeapInuse) - int64(before.HeapInuse)
	t.Logf("512 MiB copy: %d KiB allocated in total, HeapInuse grew %d KiB", allocated>>10, inuseGrowth>>10)
	if allocated > bound || inuseGrowth > bound {
		t.Fatalf("heap grew with the file: %d bytes allocated, HeapInuse +%d (bound %d)", allocated, inuseGrowth, bound)
	}
	if !ok || source.Path != src || source.Data != nil || source.Size != size {
		t.Fatalf("BlobSource of the big blob: %+v %v", source, ok)
	}

	// The copy is byte-exact where it matters: the tail written past the hole.
	out, err := os.Open(filepath.Join(e.dirs.ApplicationData, "copy.bin"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	tail := make([]byte, 4)
	if _, err := out.ReadAt(tail, size-4); err != nil || string(tail) != "tail" {
		t.Fatalf("copy tail %q, %v", tail, err)
	}
}
