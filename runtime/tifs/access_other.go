//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package tifs

import "os"

// Without access(2), fall back to the owner permission bits.
func canWrite(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().Perm()&0o200 != 0
}

func canExec(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir() && st.Mode().Perm()&0o100 != 0
}

// spaceAvailable is unknown on these platforms.
func spaceAvailable(string) int64 { return 0 }
