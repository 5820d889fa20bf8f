package urlsession

import (
	"context"
	"io"
	"time"
)

// rawReadError marks an error returned by the network side of a response body, so
// it is not mistaken for a decoding error after passing through a decoder.
type rawReadError struct{ err error }

func (e *rawReadError) Error() string { return e.err.Error() }
func (e *rawReadError) Unwrap() error { return e.err }

// rawReader sits directly on the response body: every read restarts the idle timeout.
type rawReader struct {
	r      io.Reader
	timers *taskTimers
}

func (r *rawReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if n > 0 {
		r.timers.touch()
	}
	if err != nil && err != io.EOF {
		err = &rawReadError{err}
	}
	return n, err
}

// receiveReader sits on the decoded body: it waits while the task is suspended,
// counts bytes and, for downloads, posts coalesced progress.
type receiveReader struct {
	r        io.Reader
	ctx      context.Context
	task     *Task
	progress bool
	gate     progressGate
}

func (r *receiveReader) Read(p []byte) (int, error) {
	if err := r.task.waitRunning(r.ctx); err != nil {
		return 0, err
	}
	n, err := r.r.Read(p)
	if n > 0 {
		r.task.received.Add(int64(n))
		if r.progress && r.gate.due(time.Now()) {
			r.task.session.postProgress(r.task)
		}
	}
	return n, err
}

// sendReader wraps a request body: bytes taken by the transport count as sent.
type sendReader struct {
	rc     io.ReadCloser
	ctx    context.Context
	task   *Task
	timers *taskTimers
	gen    uint64 // the task's generation in timers: see touchFor
	gate   progressGate
}

func (r *sendReader) Read(p []byte) (int, error) {
	if err := r.task.waitRunning(r.ctx); err != nil {
		return 0, err
	}
	n, err := r.rc.Read(p)
	if n > 0 {
		r.task.sent.Add(int64(n))
		r.timers.touchFor(r.gen)
		if r.gate.due(time.Now()) {
			r.task.session.postProgress(r.task)
		}
	}
	return n, err
}

func (r *sendReader) Close() error { return r.rc.Close() }
