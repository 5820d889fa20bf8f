package journal

import (
	"errors"
	"fmt"
)

var (
	// ErrInUse is matched (errors.Is) by the error Open returns when another
	// process, or another Journal in this process, has the journal open.
	ErrInUse = errors.New("journal in use by another process")

	// ErrDamaged is matched by errors from operations that found the file
	// inconsistent after Open had accepted it (bbolt has no checksums on data
	// pages, so a disk fault can surface late). Close and Open again: Open
	// sets the damaged file aside.
	ErrDamaged = errors.New("journal damaged")

	// ErrClosed is matched by errors from operations on a closed Journal.
	ErrClosed = errors.New("journal closed")

	// ErrUnknownTask is matched when an operation names a task the journal
	// does not hold (never put, removed, or acknowledged away).
	ErrUnknownTask = errors.New("unknown task")

	// ErrTaskCompleted is matched when an operation needs a running task but
	// the task has already completed.
	ErrTaskCompleted = errors.New("task already completed")

	// ErrUnknownEvent is matched when MarkDelivered names an event sequence
	// number the journal does not hold.
	ErrUnknownEvent = errors.New("unknown event")
)

// InUseError says which journal file is busy and, when known, which process
// holds it. errors.Is(err, ErrInUse) is true; so is errors.Is(err,
// datadir.ErrInUse) when the contention was found on the directory lock.
type InUseError struct {
	Path string // the journal file
	PID  int    // 0 when unknown (e.g. a tool opened the file directly)
	err  error  // what the lock reported
}

func (e *InUseError) Error() string {
	if e.PID > 0 {
		return fmt.Sprintf("journal: %s is in use by another process (pid %d); only one tirun runtime may use a data directory at a time", e.Path, e.PID)
	}
	return fmt.Sprintf("journal: %s is in use by another process; only one tirun runtime may use a data directory at a time", e.Path)
}

func (e *InUseError) Is(target error) bool { return target == ErrInUse }
func (e *InUseError) Unwrap() error        { return e.err }

// FormatError is returned by Open for a journal written by a newer tirun: the
// file is healthy but this build cannot read it, so it is left untouched.
type FormatError struct {
	Path    string
	Version uint64
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("journal: %s has format version %d but this tirun understands only version %d; use a newer tirun or another data directory",
		e.Path, e.Version, formatVersion)
}

// damagedError wraps what was found wrong with a file; Is(ErrDamaged).
type damagedError struct{ reason string }

func (e *damagedError) Error() string        { return "journal damaged: " + e.reason }
func (e *damagedError) Is(target error) bool { return target == ErrDamaged }

func damaged(format string, args ...any) error {
	return &damagedError{reason: fmt.Sprintf(format, args...)}
}
