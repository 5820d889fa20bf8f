package runtime

import goruntime "runtime"

// goosName is process.platform; Go and Node agree on the common names except windows.
func goosName() string {
	if goruntime.GOOS == "windows" {
		return "win32"
	}
	return goruntime.GOOS
}
