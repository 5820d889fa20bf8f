//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package tifs

import "syscall"

// canWrite and canExec ask the kernel whether this process may write (or execute) p, which accounts for
// ownership, groups, ACLs and read-only mounts, unlike inspecting the mode bits.
func canWrite(p string) bool { return syscall.Access(p, 0x2 /* W_OK */) == nil }
func canExec(p string) bool  { return syscall.Access(p, 0x1 /* X_OK */) == nil }

// spaceAvailable is the number of bytes an unprivileged user may still write on p's filesystem.
func spaceAvailable(p string) int64 {
	var st syscall.Statfs_t
	if err := syscall.Statfs(p, &st); err != nil {
		return 0
	}
	return int64(st.Bavail) * int64(st.Bsize) //nolint:unconvert // field types differ per OS
}
