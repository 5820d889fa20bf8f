package termui

import (
	"os"

	"golang.org/x/term"
)

// IsTerminal reports whether w is a terminal (an *os.File whose descriptor is a tty).
func IsTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// ColorAllowed reports whether colour and cursor control may be used on a terminal: not
// when NO_COLOR is set (https://no-color.org) or TERM says the terminal is dumb.
func ColorAllowed(getenv func(string) string) bool {
	return getenv("NO_COLOR") == "" && getenv("TERM") != "dumb"
}
