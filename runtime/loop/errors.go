package loop

import (
	"errors"
	"fmt"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/dop251/goja"
)

// UncaughtError reports a JS exception nobody caught, or a promise rejection nobody handled.
// It carries only Go strings so it stays valid after the VM is gone.
type UncaughtError struct {
	// Message is the thrown value as JS prints it, e.g. "TypeError: x is not a function".
	Message string
	// Stack holds one "    at fn (file.js:line:col)" line per frame, innermost first; may be empty.
	Stack string
	// InPromise is true for an unhandled promise rejection.
	InPromise bool
}

func (e *UncaughtError) Error() string {
	var b strings.Builder
	b.WriteString("Uncaught ")
	if e.InPromise {
		b.WriteString("(in promise) ")
	}
	b.WriteString(e.Message)
	if e.Stack != "" {
		b.WriteByte('\n')
		b.WriteString(e.Stack)
	}
	return b.String()
}

// PanicError is a Go panic recovered on the loop goroutine (a bug in native code, never JS's fault).
type PanicError struct {
	Value any
	Stack string // Go stack of the panicking goroutine
}

func (e *PanicError) Error() string {
	return fmt.Sprintf("internal error: Go panic in native code: %v", e.Value)
}

// fromException converts a goja exception into an UncaughtError with a readable stack.
func fromException(ex *goja.Exception) *UncaughtError {
	u := &UncaughtError{Message: valueString(ex.Value())}
	u.Stack = formatFrames(ex.Stack())
	return u
}

// asLoopError turns whatever a callback produced into the error Run returns.
func asLoopError(err error) error {
	if err == nil {
		return nil
	}
	var interrupted *goja.InterruptedError
	if errors.As(err, &interrupted) {
		return err
	}
	var ex *goja.Exception
	if errors.As(err, &ex) {
		return fromException(ex)
	}
	return err
}

// fromPanic converts a recovered panic value. goja values thrown as Go panics (e.g. a
// ThrowTypeError outside any JS call) are still JS exceptions; anything else is a Go bug.
func fromPanic(r any) error {
	switch v := r.(type) {
	case *goja.Exception:
		return fromException(v)
	case *goja.InterruptedError:
		return v
	case goja.Value:
		return fromRejectionValue(v, false)
	}
	return &PanicError{Value: r, Stack: string(debug.Stack())}
}

// fromRejectionValue describes a thrown/rejected value, using its own stack property when it is
// an Error object (which records where it was created).
func fromRejectionValue(v goja.Value, inPromise bool) *UncaughtError {
	u := &UncaughtError{Message: valueString(v), InPromise: inPromise}
	if obj, ok := v.(*goja.Object); ok {
		if s := obj.Get("stack"); s != nil && !goja.IsUndefined(s) && !goja.IsNull(s) {
			u.Stack = CleanStack(s.String())
		}
	}
	return u
}

// valueString prints a thrown value without risking a second exception from a hostile toString.
func valueString(v goja.Value) (s string) {
	if v == nil {
		return "undefined"
	}
	defer func() {
		if recover() != nil {
			s = "[unprintable value]"
		}
	}()
	return v.String()
}

func formatFrames(frames []goja.StackFrame) string {
	var b strings.Builder
	for i := range frames {
		f := &frames[i]
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString("    at ")
		pos := f.Position()
		if pos.Filename == "" && pos.Line == 0 {
			b.WriteString(f.FuncName())
			b.WriteString(" (native)")
			continue
		}
		name := pos.Filename
		if name == "" {
			name = f.SrcName()
		}
		loc := name + ":" + strconv.Itoa(pos.Line) + ":" + strconv.Itoa(pos.Column)
		if fn := f.FuncName(); fn != "" && fn != "<anonymous>" {
			b.WriteString(fn + " (" + loc + ")")
		} else {
			b.WriteString(loc)
		}
	}
	return b.String()
}

// CleanStack formats the stack property of a goja Error like Node: it keeps one "    at ..."
// line per frame and drops goja's program-counter suffix "(123)". Used for uncaught errors and
// by loggers printing Error objects.
func CleanStack(s string) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		t := strings.TrimSpace(line)
		if !strings.HasPrefix(t, "at ") {
			continue
		}
		out = append(out, "    "+stripPC(t))
	}
	return strings.Join(out, "\n")
}

// stripPC removes goja's "(pc)" after line:col, e.g. "f (a.js:1:2(3))" -> "f (a.js:1:2)".
func stripPC(t string) string {
	i := strings.LastIndex(t, "(")
	if i <= 0 {
		return t
	}
	j := strings.Index(t[i:], ")")
	if j < 0 {
		return t
	}
	if _, err := strconv.Atoi(t[i+1 : i+j]); err != nil {
		return t
	}
	return t[:i] + t[i+j+1:]
}
