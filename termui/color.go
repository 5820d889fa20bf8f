package termui

import "bytes"

// ANSI SGR sequences for the level tags the runtime's logger writes ("[INFO] msg").
const (
	sgrReset  = "\x1b[0m"
	sgrDim    = "\x1b[2m"
	sgrRed    = "\x1b[1;31m"
	sgrYellow = "\x1b[33m"
	sgrGreen  = "\x1b[32m"
	sgrCyan   = "\x1b[36m"
)

var levelColors = []struct {
	tag, sgr  string
	wholeLine bool // dim debug noise entirely; colour only the tag otherwise
}{
	{"[ERROR]", sgrRed, false},
	{"[WARN]", sgrYellow, false},
	{"[INFO]", sgrGreen, false},
	{"[DEBUG]", sgrCyan, false},
	{"[TRACE]", sgrDim, true},
}

// colorLine colours the level tag at the start of one line (without its newline). Lines
// without a tag (a multi-line message's continuation, plain output) are left alone.
func colorLine(line []byte) []byte {
	for _, lc := range levelColors {
		if !bytes.HasPrefix(line, []byte(lc.tag)) {
			continue
		}
		out := make([]byte, 0, len(line)+16)
		out = append(out, lc.sgr...)
		if lc.wholeLine {
			out = append(out, line...)
			return append(out, sgrReset...)
		}
		out = append(out, lc.tag...)
		out = append(out, sgrReset...)
		return append(out, line[len(lc.tag):]...)
	}
	return line
}
