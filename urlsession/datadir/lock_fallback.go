//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package datadir

import (
	"errors"
	"fmt"
	"os"
)

// Lock on systems without flock(2) is a best-effort exclusive-create lock file: it
// detects a concurrent holder but a crash leaves the file behind (remove it
// by hand). tirun targets Linux; this keeps other builds compiling.
type Lock struct{ dir, path string }

func Acquire(dir string) (*Lock, error) {
	abs, path, err := lockPath(dir)
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return nil, &InUseError{Dir: abs}
		}
		return nil, fmt.Errorf("datadir.Acquire: %w", err)
	}
	fmt.Fprintf(f, "%d\n", os.Getpid())
	f.Close()
	return &Lock{dir: abs, path: path}, nil
}

func (l *Lock) Dir() string { return l.dir }

func (l *Lock) Release() error {
	if l.path == "" {
		return nil
	}
	p := l.path
	l.path = ""
	return os.Remove(p)
}
