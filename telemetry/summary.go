package telemetry

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"
)

// Summary aggregates engine events into the numbers printed when a run ends: tasks by
// outcome, failures grouped by error code, bytes moved, wall time and throughput.
// Observe only updates counters under a mutex.
type Summary struct {
	mu                  sync.Mutex
	now                 func() time.Time
	first, last         time.Time
	started, completed  int
	succeeded, canceled int
	httpErrors          int // completed with a 4xx/5xx status (still a success for the engine)
	failures            map[int]*Failure
	received, sent      int64
}

// Failure is one error code and how often it ended a task.
type Failure struct {
	Code    int
	Message string // the first message seen with this code
	Count   int
}

// codeCancelled is NSURLErrorCancelled: a cancelled task is its own outcome, not a failure.
const codeCancelled = -999

// NewSummary starts an empty aggregate.
func NewSummary() *Summary {
	return &Summary{now: time.Now, failures: make(map[int]*Failure)}
}

// Observe counts engine events; JS events describe the same transfers and are ignored.
func (s *Summary) Observe(e Event) {
	if e.Source != SourceEngine {
		return
	}
	switch e.Name {
	case EventTaskStart:
		s.mu.Lock()
		s.started++
		if s.first.IsZero() || e.Time.Before(s.first) {
			s.first = e.Time
		}
		s.mu.Unlock()
	case EventComplete:
		s.complete(e)
	}
}

func (s *Summary) complete(e Event) {
	code, failed := intOf(e.Payload["code"])
	s.mu.Lock()
	defer s.mu.Unlock()
	s.completed++
	if s.first.IsZero() {
		s.first = e.Time
	}
	if e.Time.After(s.last) {
		s.last = e.Time
	}
	n, _ := PayloadInt64(e.Payload["bytesReceived"])
	s.received += n
	n, _ = PayloadInt64(e.Payload["bytesSent"])
	s.sent += n
	switch {
	case failed && code == codeCancelled:
		s.canceled++
	case failed:
		f := s.failures[code]
		if f == nil {
			msg, _ := e.Payload["message"].(string)
			f = &Failure{Code: code, Message: msg}
			s.failures[code] = f
		}
		f.Count++
	default:
		s.succeeded++
		if status, ok := intOf(e.Payload["status"]); ok && status >= 400 {
			s.httpErrors++
		}
	}
}

func intOf(v any) (int, bool) {
	n, ok := PayloadInt64(v)
	return int(n), ok
}

// PayloadInt64 reads a payload number whatever its Go type (producers use int, int64,
// uint64 or float64).
func PayloadInt64(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int64:
		return n, true
	case float64:
		return int64(n), true
	case uint64:
		return int64(n), true
	}
	return 0, false
}

// SummaryReport is a snapshot of a Summary.
type SummaryReport struct {
	Started, Completed  int
	Succeeded, Canceled int
	HTTPErrors          int
	Failed              int
	Failures            []Failure // most frequent first, then by code
	BytesReceived       int64
	BytesSent           int64
	Wall                time.Duration // first task start to last completion
}

// Report takes a snapshot.
func (s *Summary) Report() SummaryReport {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := SummaryReport{Started: s.started, Completed: s.completed, Succeeded: s.succeeded,
		Canceled: s.canceled, HTTPErrors: s.httpErrors, BytesReceived: s.received, BytesSent: s.sent}
	for _, f := range s.failures {
		r.Failures = append(r.Failures, *f)
		r.Failed += f.Count
	}
	slices.SortFunc(r.Failures, func(a, b Failure) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Code, b.Code))
	})
	end := s.last
	if s.completed < s.started || end.IsZero() {
		end = s.now() // tasks still running (the run was interrupted)
	}
	if !s.first.IsZero() && end.After(s.first) {
		r.Wall = end.Sub(s.first)
	}
	return r
}

// Empty reports that no transfer happened (nothing worth summarising).
func (r SummaryReport) Empty() bool { return r.Started == 0 && r.Completed == 0 }

// Throughput is bytes moved (both directions) per second of wall time; 0 when unknown.
func (r SummaryReport) Throughput() float64 {
	if r.Wall <= 0 {
		return 0
	}
	return float64(r.BytesReceived+r.BytesSent) / r.Wall.Seconds()
}

// WriteTo prints the summary as a few plain lines (no colour: the caller decides).
func (r SummaryReport) WriteTo(w io.Writer) (int64, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "Transfers: %d %s: %d succeeded", r.Completed, plural(r.Completed, "task", "tasks"), r.Succeeded)
	if r.HTTPErrors > 0 {
		fmt.Fprintf(&b, " (%d with an HTTP error status)", r.HTTPErrors)
	}
	fmt.Fprintf(&b, ", %d failed, %d cancelled", r.Failed, r.Canceled)
	if running := r.Started - r.Completed; running > 0 {
		fmt.Fprintf(&b, ", %d unfinished", running)
	}
	b.WriteByte('\n')
	for _, f := range r.Failures {
		fmt.Fprintf(&b, "  %dx error %d", f.Count, f.Code)
		if f.Message != "" {
			fmt.Fprintf(&b, ": %s", f.Message)
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "Moved %s (%s received, %s sent) in %s",
		FormatBytes(r.BytesReceived+r.BytesSent), FormatBytes(r.BytesReceived), FormatBytes(r.BytesSent),
		FormatDuration(r.Wall))
	if tp := r.Throughput(); tp > 0 {
		fmt.Fprintf(&b, ", %s/s", FormatBytes(int64(tp)))
	}
	b.WriteByte('\n')
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
