package termui

import (
	"bytes"
	"io"
	"sync"
)

// LineWriter cuts what is written into whole lines and hands each line, with its newline,
// to emit: the progress view must only ever get complete lines, or a bar redraw could land
// in the middle of one. With colour on, level tags are coloured.
type LineWriter struct {
	mu     sync.Mutex
	buf    []byte
	emit   func([]byte) error
	colour bool
}

// NewLineWriter writes whole lines to w, colouring level tags when colour is true. Use it
// for a terminal without progress bars.
func NewLineWriter(w io.Writer, colour bool) *LineWriter {
	return newLineWriter(func(p []byte) error { _, err := w.Write(p); return err }, colour)
}

func newLineWriter(emit func([]byte) error, colour bool) *LineWriter {
	return &LineWriter{emit: emit, colour: colour}
}

// Write never returns a short count: a partial line waits for its end (or Flush).
func (lw *LineWriter) Write(p []byte) (int, error) {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	lw.buf = append(lw.buf, p...)
	for {
		i := bytes.IndexByte(lw.buf, '\n')
		if i < 0 {
			break
		}
		err := lw.emitLine(lw.buf[:i])
		lw.buf = lw.buf[i+1:]
		if err != nil {
			return len(p), err
		}
	}
	if len(lw.buf) == 0 {
		lw.buf = nil // do not pin a large earlier write
	}
	return len(p), nil
}

// Flush emits a pending partial line, ended by a newline so the next output starts clean.
func (lw *LineWriter) Flush() error {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	if len(lw.buf) == 0 {
		return nil
	}
	err := lw.emitLine(lw.buf)
	lw.buf = nil
	return err
}

func (lw *LineWriter) emitLine(line []byte) error {
	if lw.colour {
		line = colorLine(line)
	}
	out := make([]byte, 0, len(line)+1) // emit may keep it (mpb writes at the next refresh)
	out = append(out, line...)
	return lw.emit(append(out, '\n'))
}
