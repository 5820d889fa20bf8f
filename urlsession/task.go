package urlsession

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/tirun/tirun/urlsession/journal"
)

// TaskKind distinguishes data, download and upload tasks.
type TaskKind int

const (
	KindDataTask TaskKind = iota
	KindDownloadTask
	KindUploadTask
)

func (k TaskKind) String() string {
	switch k {
	case KindDataTask:
		return "data"
	case KindDownloadTask:
		return "download"
	case KindUploadTask:
		return "upload"
	}
	return "unknown"
}

// TaskState values match NSURLSessionTaskState.
type TaskState int

const (
	StateRunning   TaskState = 0
	StateSuspended TaskState = 1
	StateCanceling TaskState = 2
	StateCompleted TaskState = 3
)

func (s TaskState) String() string {
	switch s {
	case StateRunning:
		return "running"
	case StateSuspended:
		return "suspended"
	case StateCanceling:
		return "canceling"
	case StateCompleted:
		return "completed"
	}
	return "unknown"
}

// Request describes a task's request. Body and BodyFile are exclusive; a file body is
// streamed, never loaded into memory.
type Request struct {
	URL      string
	Method   string // default GET, or POST when there is a body or for upload tasks
	Header   []Header
	Body     []byte
	BodyFile string
}

// Task is one transfer. All methods are safe from any goroutine.
type Task struct {
	id      uint64
	kind    TaskKind
	session *Session
	req     Request

	// Byte counters, updated by the transfer goroutine, read by anyone.
	sent, expectedSend, received, expectedReceive atomic.Int64

	mu         sync.Mutex
	state      TaskState
	started    bool
	resumed    chan struct{} // while a started task is suspended: closed by Resume/Cancel
	timers     *taskTimers   // the worker running the task, once started; cancels it
	response   *Response
	body       []byte
	err        *URLError
	currentURL string

	resumeCB func(data []byte) // set by CancelByProducingResumeData, called once by finish

	// Set once when a task is made from resume data (see resume.go), then read-only.
	resumeFrom *resumeInfo // nil for other tasks
	resumeRaw  []byte      // the data itself, handed back if the task is cancelled unstarted
	resumeErr  error       // the data was invalid: the task fails with -1002

	// receiveEpoch counts restarts from zero of a resumed download (the server sent
	// the whole body): progress delivery starts counting again.
	receiveEpoch atomic.Int32

	// Background downloads (background.go). Set before the task is shared, except
	// bgSeq, which is guarded by mu.
	bgJournaled bool                // the outcome goes into the journal
	bgRecovered bool                // taken over from an earlier process
	bgRestore   *journal.TaskRecord // a running task to continue
	bgSeq       map[string]uint64   // journaled event name -> seq

	// Owned by the session's event queue (guarded by Session.mu).
	progressQueued bool
	// Owned by the dispatcher goroutine.
	deliveredSent, deliveredReceived int64
	deliveredEpoch                   int32
}

func newTask(s *Session, id uint64, kind TaskKind, req Request) *Task {
	t := &Task{id: id, kind: kind, session: s, req: req, state: StateSuspended, currentURL: req.URL}
	t.expectedReceive.Store(SizeUnknown)
	return t
}

// ID is unique within the session, from 1 in creation order.
func (t *Task) ID() uint64 { return t.id }

// Kind tells data, download and upload tasks apart.
func (t *Task) Kind() TaskKind { return t.kind }

// Session returns the task's session.
func (t *Task) Session() *Session { return t.session }

// OriginalURL is the URL the task was created with.
func (t *Task) OriginalURL() string { return t.req.URL }

// CurrentURL is the URL being (or last) requested, after redirects.
func (t *Task) CurrentURL() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.currentURL
}

// State returns the task's current state.
func (t *Task) State() TaskState {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.state
}

// Response is the final response, nil until it arrives.
func (t *Task) Response() *Response {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.response
}

// Body is the response body of a data or upload task once it completed successfully
// (nil for download tasks). Callers must not modify it.
func (t *Task) Body() []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.body
}

// Error is the completion error, nil while running or after success.
func (t *Task) Error() *URLError {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.err
}

// CountOfBytesSent is the number of body bytes handed to the connection so far.
func (t *Task) CountOfBytesSent() int64 { return t.sent.Load() }

// CountOfBytesExpectedToSend is the body length, 0 without body.
func (t *Task) CountOfBytesExpectedToSend() int64 { return t.expectedSend.Load() }

// CountOfBytesReceived counts decoded body bytes received.
func (t *Task) CountOfBytesReceived() int64 { return t.received.Load() }

// CountOfBytesExpectedToReceive is the expected body length or SizeUnknown.
func (t *Task) CountOfBytesExpectedToReceive() int64 { return t.expectedReceive.Load() }

// Resume starts a new task or continues a suspended one. It has no effect on a task
// that is cancelling or completed.
func (t *Task) Resume() {
	t.mu.Lock()
	if t.state != StateSuspended {
		t.mu.Unlock()
		return
	}
	t.state = StateRunning
	if t.resumed != nil {
		close(t.resumed)
		t.resumed = nil
	}
	start := !t.started
	t.started = true
	t.mu.Unlock()
	if start {
		t.session.startTask(t)
	}
}

// Suspend pauses a running task: no request is sent, no body bytes move and the idle
// timeout stops until Resume. The resource timeout keeps running (it bounds the
// task's whole life). A read or write already in progress completes.
func (t *Task) Suspend() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.state != StateRunning {
		return
	}
	t.state = StateSuspended
	t.resumed = make(chan struct{}) // the task was started: its transfer may wait on this
}

// Cancel ends the task with CodeCancelled unless it already completed. It returns at
// once; DidComplete follows asynchronously.
func (t *Task) Cancel() {
	t.mu.Lock()
	if t.state != StateRunning && t.state != StateSuspended {
		t.mu.Unlock()
		return
	}
	wasSuspended := t.state == StateSuspended
	t.state = StateCanceling
	if wasSuspended && t.resumed != nil {
		close(t.resumed) // wake a paused transfer so it can observe the cancel
		t.resumed = nil
	}
	started, tm := t.started, t.timers
	t.mu.Unlock()
	if !started {
		t.finish(transferResult{err: newURLError(CodeCancelled, t.req.URL, errCancelled)})
		return
	}
	if tm != nil { // else the transfer sees StateCanceling when it starts
		tm.cancelTask(t, errCancelled)
	}
}

// waitRunning blocks while the task is suspended. It returns ctx's error if the task
// ends while waiting.
func (t *Task) waitRunning(ctx context.Context) error {
	t.mu.Lock()
	if t.state != StateSuspended {
		t.mu.Unlock()
		return nil
	}
	ch := t.resumed // non-nil: only a started task can be suspended here
	t.mu.Unlock()
	if ch == nil {
		return nil
	}
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// isSuspended is read by the idle timer to stop counting while paused.
func (t *Task) isSuspended() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.state == StateSuspended
}

func (t *Task) setCurrentURL(u string) {
	t.mu.Lock()
	t.currentURL = u
	t.mu.Unlock()
}

// transferResult is what a finished transfer hands to finish.
type transferResult struct {
	response *Response
	body     []byte
	download string // temp file of a download task
	err      *URLError
	partial  *partialFile // a failed download's file, kept for resume data or deleted
}

// finish records the outcome exactly once and queues the task's last events. A
// cancel that won the race turns any outcome into CodeCancelled.
func (t *Task) finish(r transferResult) {
	t.mu.Lock()
	if t.state == StateCompleted {
		t.mu.Unlock()
		removeQuietly(r.download)
		r.partial.discard()
		return
	}
	cancelling := t.state == StateCanceling
	if cancelling && r.err == nil {
		r.err = newURLError(CodeCancelled, t.currentURL, errCancelled)
	}
	if cancelling && r.err != nil && r.err.Code != CodeCancelled {
		r.err = newURLError(CodeCancelled, r.err.URL, errCancelled)
	}
	cb, started := t.resumeCB, t.started
	t.resumeCB = nil
	t.timers = nil // the worker serves other tasks now
	t.state = StateCompleted
	t.err = r.err
	if r.err == nil {
		t.body = r.body
	}
	if r.response != nil {
		t.response = r.response
	}
	t.mu.Unlock()
	if t.bgJournaled && r.err != nil && r.err.Code == CodeCancelled && t.session.engine.closing.Load() {
		t.detachBackground(r) // the process ends; the next one continues the task
		return
	}
	if r.err != nil {
		removeQuietly(r.download)
		r.download = ""
	}
	if t.bgJournaled {
		t.finishBackground(r)
	}
	data := t.settleResumeData(r, cb != nil, started)
	var before func()
	if cb != nil {
		before = func() { cb(data) }
	}
	t.session.taskFinished(t, r.download, r.err, before)
}
