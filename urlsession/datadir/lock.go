package datadir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// LockFileName is the file inside the data directory that carries the lock
// and the pid of its holder.
const LockFileName = "LOCK"

// ErrInUse is matched (errors.Is) by the error Acquire returns when another
// holder has the directory.
var ErrInUse = errors.New("data directory in use by another process")

// InUseError reports who holds a data directory. PID is 0 when the holder's
// pid could not be read (it may be writing it at this very moment).
type InUseError struct {
	Dir string
	PID int
}

func (e *InUseError) Error() string {
	if e.PID > 0 {
		return fmt.Sprintf("data directory %s in use by another process (pid %d)", e.Dir, e.PID)
	}
	return fmt.Sprintf("data directory %s in use by another process (pid unknown)", e.Dir)
}

// Is makes errors.Is(err, ErrInUse) true.
func (e *InUseError) Is(target error) bool { return target == ErrInUse }

// lockPath checks Acquire's argument, makes it absolute and creates the
// directory (0700); it returns the directory and its lock file. Both
// Acquire implementations start here.
func lockPath(dir string) (abs, path string, err error) {
	if dir == "" {
		return "", "", errors.New("datadir.Acquire: argument 'dir' must not be empty")
	}
	abs, err = filepath.Abs(dir)
	if err != nil {
		return "", "", fmt.Errorf("datadir.Acquire: %w", err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return "", "", fmt.Errorf("datadir.Acquire: create %s: %w", abs, err)
	}
	return abs, filepath.Join(abs, LockFileName), nil
}
