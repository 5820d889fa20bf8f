//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package datadir

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// Lock is a held data directory lock. Release it exactly once (extra calls
// are no-ops).
type Lock struct {
	dir  string
	mu   sync.Mutex
	file *os.File
}

// Acquire creates dir (0700) if needed and takes an exclusive flock on
// dir/LOCK without blocking. flock locks belong to the open file description,
// so a second Acquire inside the same process also fails, which is what we
// want: two engines must not share one directory either.
func Acquire(dir string) (*Lock, error) {
	abs, path, err := lockPath(dir)
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("datadir.Acquire: open %s: %w", path, err)
	}
	if err := flockNoWait(f); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, &InUseError{Dir: abs, PID: readPID(path)}
		}
		return nil, fmt.Errorf("datadir.Acquire: lock %s: %w", path, err)
	}
	// We own the lock: record our pid for the error message of the next
	// contender. Failure here is not fatal to locking itself.
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
		_ = f.Sync()
	}
	return &Lock{dir: abs, file: f}, nil
}

func flockNoWait(f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err != syscall.EINTR {
			return err
		}
	}
}

func readPID(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return 0
	}
	return pid
}

// Dir is the absolute path of the locked directory.
func (l *Lock) Dir() string { return l.dir }

// Release empties the pid record and drops the lock. The LOCK file itself
// stays: removing it would race with a contender that already opened it.
func (l *Lock) Release() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.file == nil {
		return nil
	}
	f := l.file
	l.file = nil
	_ = f.Truncate(0)
	unlockErr := syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	closeErr := f.Close()
	if unlockErr != nil {
		return fmt.Errorf("datadir: unlock %s: %w", l.dir, unlockErr)
	}
	if closeErr != nil {
		return fmt.Errorf("datadir: close lock of %s: %w", l.dir, closeErr)
	}
	return nil
}
