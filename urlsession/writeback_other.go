//go:build !linux

package urlsession

import "os"

// startWriteback is a no-op where sync_file_range(2) does not exist; the final
// fsync does all the work.
func startWriteback(*os.File, int64, int64) {}
