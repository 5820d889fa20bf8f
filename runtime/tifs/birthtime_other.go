//go:build !darwin

package tifs

import (
	"io/fs"
	"time"
)

// createdAt falls back to the modification time: the syscall package cannot read a birth
// time here (Linux has it only through statx, which would need golang.org/x/sys for one
// deprecated Titanium method).
func createdAt(st fs.FileInfo) time.Time { return st.ModTime() }
