package tifs

import (
	"io/fs"
	"syscall"
	"time"
)

// createdAt is the file's birth time, which macOS records.
func createdAt(st fs.FileInfo) time.Time {
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		return time.Unix(sys.Birthtimespec.Unix())
	}
	return st.ModTime()
}
