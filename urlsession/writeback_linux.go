//go:build linux

package urlsession

import (
	"os"
	"syscall"
)

// syncFileRangeWrite is SYNC_FILE_RANGE_WRITE: start writeback, do not wait.
const syncFileRangeWrite = 2

// startWriteback asks the kernel to begin writing [off, off+n) of f to disk now,
// without waiting. Done while a download streams, it spreads the disk work over the
// transfer so the final fsync has little left to flush. Errors are ignored: this is
// only a head start, the fsync that follows is what guarantees durability.
func startWriteback(f *os.File, off, n int64) {
	rc, err := f.SyscallConn()
	if err != nil {
		return
	}
	_ = rc.Control(func(fd uintptr) {
		_, _, _ = syscall.Syscall6(syscall.SYS_SYNC_FILE_RANGE, fd, uintptr(off), uintptr(n), syncFileRangeWrite, 0, 0)
	})
}
