//go:build unix

package journal

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// guard must turn a fault on a memory map (what bbolt hits when a page id
// points past a truncated file) into a damage error instead of a crash.
func TestGuardTurnsMapFaultsIntoDamage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mapped")
	ps := os.Getpagesize()
	if err := os.WriteFile(path, make([]byte, 2*ps), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	mem, err := syscall.Mmap(int(f.Fd()), 0, 2*ps, syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Munmap(mem)
	if err := os.Truncate(path, 0); err != nil { // the map now outlives the file: SIGBUS on touch
		t.Fatal(err)
	}
	var sink byte
	err = guard(func() error { sink = mem[ps+1]; return nil })
	if !errors.Is(err, ErrDamaged) {
		t.Fatalf("guard returned %v (read %d)", err, sink)
	}
	// And ordinary panics too.
	if err := guard(func() error { panic("boom") }); !errors.Is(err, ErrDamaged) {
		t.Fatalf("guard on a panic returned %v", err)
	}
}
