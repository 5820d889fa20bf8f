// Package testkit holds the few test helpers that several packages' tests need
// alike. Only _test.go files import it.
package testkit

import (
	"bytes"
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// Context bounds a test's run at 20 seconds, cancelled when the test ends: a loop that fails
// to end makes the test fail, not hang.
func Context(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// SyncBuffer is a bytes.Buffer that goroutines may write while a test reads it.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Terminal is a 120x40 pseudo-terminal: code under test writes to TTY, and
// CloseAndRead returns everything drawn on it, as a person would have seen it.
type Terminal struct {
	TTY  *os.File
	mu   sync.Mutex
	out  bytes.Buffer
	done chan struct{}
}

// OpenTerminal skips the test when the machine has no pseudo-terminals.
func OpenTerminal(t testing.TB) *Terminal {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal available: %v", err)
	}
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 40, Cols: 120}); err != nil {
		t.Fatal(err)
	}
	term := &Terminal{TTY: tty, done: make(chan struct{})}
	go func() {
		defer close(term.done)
		buf := make([]byte, 4096)
		for {
			n, err := ptmx.Read(buf)
			term.mu.Lock()
			term.out.Write(buf[:n])
			term.mu.Unlock()
			if err != nil {
				return // EIO once the tty side is closed
			}
		}
	}()
	t.Cleanup(func() {
		tty.Close()
		select {
		case <-term.done:
		case <-time.After(10 * time.Second):
			t.Error("pty reader did not stop")
		}
		ptmx.Close()
	})
	return term
}

// CloseAndRead closes the terminal side and returns everything that was drawn.
func (term *Terminal) CloseAndRead(t testing.TB) string {
	t.Helper()
	term.TTY.Close()
	select {
	case <-term.done:
	case <-time.After(10 * time.Second):
		t.Fatal("pty reader did not stop")
	}
	term.mu.Lock()
	defer term.mu.Unlock()
	return term.out.String()
}

// JSAsserts defines small assertion functions for JS run by tests: eq (JSON
// equality), ok (truthy), throwsType (a TypeError whose message holds given
// parts) and readOnly (assignment leaves a property unchanged).
const JSAsserts = `
function eq(got, want, what) {
	var g = JSON.stringify(got), w = JSON.stringify(want);
	if (got !== want && g !== w) throw new Error(what + ': got ' + g + ', want ' + w);
}
function ok(v, what) { if (!v) throw new Error(what + ': not truthy (' + v + ')'); }
function throwsType(fn, parts, what) {
	try { fn(); } catch (e) {
		if (!(e instanceof TypeError)) throw new Error(what + ': threw ' + e + ', want a TypeError');
		parts.forEach(function (p) {
			if (String(e.message).indexOf(p) < 0) throw new Error(what + ': message "' + e.message + '" lacks "' + p + '"');
		});
		return;
	}
	throw new Error(what + ': did not throw');
}
function readOnly(obj, name, what) {
	var before = obj[name];
	try { obj[name] = 'changed'; } catch (e) {}
	eq(obj[name], before, what + ': ' + name + ' is read-only');
}
`
