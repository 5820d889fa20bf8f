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

// ColorAllowed reports whether colour may be used on a terminal: not when NO_COLOR is set
// (https://no-color.org) or TERM says the terminal is dumb.
func ColorAllowed(getenv func(string) string) bool {
	return getenv("NO_COLOR") == "" && CursorAllowed(getenv)
}

// CursorAllowed reports whether the terminal can redraw lines (progress bars): not when
// TERM is "dumb" (Emacs shells, some CI logs).
func CursorAllowed(getenv func(string) string) bool {
	return getenv("TERM") != "dumb"
}
