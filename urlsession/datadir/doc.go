// Package datadir guards a tirun data directory shared by the engine's stores.
//
// Two things live here:
//
//   - Acquire(dir) takes an exclusive, non-blocking advisory lock (flock(2) on
//     a "LOCK" file inside dir, which also records the holder's pid). A second
//     process (or a second Acquire in the same process) gets an *InUseError
//     whose message reads "data directory <dir> in use by another process
//     (pid N)"; errors.Is(err, ErrInUse) is true. The engine holds the lock for
//     its whole life and calls (*Lock).Release from Close. The kernel drops
//     the lock if the process dies, so a crash never leaves a stale lock.
//
//   - WriteFile / WriteFileFunc write a file atomically: temp file in the same
//     directory, fsync, rename over the target, fsync the directory. A reader
//     (or a crash) sees either the old content or the new, never a torn file.
//     The cookie, credential and cache stores persist through these helpers.
//
// API:
//
//	func Acquire(dir string) (*Lock, error)
//	func (l *Lock) Release() error
//	func (l *Lock) Dir() string
//	type InUseError struct{ Dir string; PID int }
//	var ErrInUse error
//	func WriteFile(path string, data []byte, perm os.FileMode) error
//	func WriteFileFunc(path string, perm os.FileMode, write func(io.Writer) error) error
//	func WriteJSON(path string, perm os.FileMode, v any) error
//	func WriteTemp(dir, pattern string, data []byte, perm os.FileMode) (string, error)
//	func SyncDir(dir string) error
//
// Suggested layout of an engine data directory (the engine decides):
// LOCK, cookies.json, credentials.json, cache/.
package datadir
