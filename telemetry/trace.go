package telemetry

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// traceQueueLimit bounds the events waiting for the trace file: about a minute of a busy
// script's events; beyond it events are dropped (and the drop is written at the end) rather
// than stalling the engine behind a slow disk.
const traceQueueLimit = 1 << 16

// TraceWriter writes every observed event as one JSON object per line (NDJSON):
//
//	{"time":"2026-11-25T09:00:00.123456789Z","source":"engine","session":"dl","task":1,
//	 "event":"downloadProgress","payload":{"written":32768,"totalWritten":65536,"totalExpected":1048576}}
//
// Encoding and writing happen on the writer's own goroutine.
type TraceWriter struct {
	q        *queue[Event]
	buf      *bufio.Writer
	mu       sync.Mutex // guards err (the worker sets it, Close reads it)
	err      error
	closeOne sync.Once
	closeErr error
}

// traceLine is the wire shape of one event.
type traceLine struct {
	Time    string         `json:"time"`
	Source  string         `json:"source"`
	Session string         `json:"session,omitempty"`
	Task    uint64         `json:"task,omitempty"`
	Event   string         `json:"event"`
	Payload map[string]any `json:"payload,omitempty"`
}

// NewTraceWriter writes to w (typically a file the caller closes after Close).
func NewTraceWriter(w io.Writer) *TraceWriter {
	t := &TraceWriter{buf: bufio.NewWriterSize(w, 64<<10)}
	t.q = newQueue(traceQueueLimit, t.writeBatch, t.flush)
	return t
}

// Observe queues e; it never blocks.
func (t *TraceWriter) Observe(e Event) { t.q.push(e) }

func (t *TraceWriter) writeBatch(events []Event) {
	for i := range events {
		t.writeLine(encodeTraceLine(events[i]))
	}
}

func (t *TraceWriter) writeLine(line []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.err != nil {
		return // the first write error is reported by Close; keep nothing half-written
	}
	if _, err := t.buf.Write(line); err != nil {
		t.err = err
	}
}

func (t *TraceWriter) flush() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.err == nil {
		t.err = t.buf.Flush()
	}
}

// encodeTraceLine never fails: a payload that cannot be encoded (a NaN, a channel) is
// replaced by a description of the problem, so every event still gets exactly one line.
func encodeTraceLine(e Event) []byte {
	line := traceLine{Time: e.Time.UTC().Format(time.RFC3339Nano), Source: e.Source,
		Session: e.Session, Task: e.Task, Event: e.Name, Payload: e.Payload}
	b, err := json.Marshal(line)
	if err != nil {
		line.Payload = map[string]any{"encodingError": err.Error()}
		b, _ = json.Marshal(line) // only strings and numbers are left: cannot fail
	}
	return append(b, '\n')
}

// Close writes what is queued, notes dropped events in a last line and flushes. It does not
// close the underlying writer. Observe after Close is ignored. Idempotent.
func (t *TraceWriter) Close() error {
	t.closeOne.Do(func() {
		dropped := t.q.close()
		if dropped > 0 {
			t.writeLine(encodeTraceLine(Event{Time: time.Now(), Source: "telemetry", Name: "traceDropped",
				Payload: map[string]any{"events": dropped}}))
		}
		t.flush()
		t.mu.Lock()
		t.closeErr = t.err
		t.mu.Unlock()
		if t.closeErr != nil {
			t.closeErr = fmt.Errorf("telemetry: writing the trace: %w", t.closeErr)
		}
		if dropped > 0 {
			t.closeErr = errors.Join(t.closeErr, fmt.Errorf("telemetry: the trace dropped %d events (writer too slow)", dropped))
		}
	})
	return t.closeErr
}
