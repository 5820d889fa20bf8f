package telemetry

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestSummaryCountsOutcomesBytesAndTime(t *testing.T) {
	s := NewSummary()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ev := func(d time.Duration, task uint64, name string, p map[string]any) {
		s.Observe(Event{Time: t0.Add(d), Source: SourceEngine, Session: "s", Task: task, Name: name, Payload: p})
	}
	for i := uint64(1); i <= 6; i++ {
		ev(time.Duration(i)*time.Millisecond, i, EventTaskStart, map[string]any{"url": "http://x"})
	}
	ev(time.Second, 1, EventComplete, map[string]any{"bytesReceived": int64(3 << 20), "bytesSent": int64(0), "status": 200})
	ev(time.Second, 2, EventComplete, map[string]any{"bytesReceived": 1 << 20, "bytesSent": int64(1 << 20), "status": 404})
	ev(2*time.Second, 3, EventComplete, map[string]any{"code": -1001, "message": "timed out"})
	ev(2*time.Second, 4, EventComplete, map[string]any{"code": -1001, "message": "timed out again"})
	ev(2*time.Second, 5, EventComplete, map[string]any{"code": float64(-1004), "message": "refused"})
	ev(4*time.Second+time.Millisecond, 6, EventComplete, map[string]any{"code": -999})
	s.Observe(Event{Source: SourceJS, Name: EventComplete, Payload: map[string]any{"bytesReceived": 1 << 30}}) // ignored

	r := s.Report()
	if r.Completed != 6 || r.Succeeded != 2 || r.HTTPErrors != 1 || r.Failed != 3 || r.Canceled != 1 {
		t.Fatalf("outcomes %+v", r)
	}
	if len(r.Failures) != 2 || r.Failures[0] != (Failure{Code: -1001, Message: "timed out", Count: 2}) ||
		r.Failures[1].Code != -1004 {
		t.Fatalf("failures %+v", r.Failures)
	}
	if r.BytesReceived != 4<<20 || r.BytesSent != 1<<20 || r.Wall != 4*time.Second {
		t.Fatalf("bytes/time %+v", r)
	}
	if tp := r.Throughput(); tp != float64(5<<20)/4 {
		t.Fatalf("throughput %v", tp)
	}
	var b bytes.Buffer
	r.WriteTo(&b)
	want := "Transfers: 6 tasks: 2 succeeded (1 with an HTTP error status), 3 failed, 1 cancelled\n" +
		"  2x error -1001: timed out\n  1x error -1004: refused\n" +
		"Moved 5.0 MiB (4.0 MiB received, 1.0 MiB sent) in 4.0s, 1.2 MiB/s\n"
	if b.String() != want {
		t.Fatalf("text:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestSummaryOfUnfinishedRunUsesNow(t *testing.T) {
	s := NewSummary()
	if !s.Report().Empty() {
		t.Fatal("fresh summary must be empty")
	}
	start := time.Now().Add(-time.Minute)
	s.Observe(Event{Time: start, Source: SourceEngine, Task: 1, Name: EventTaskStart})
	r := s.Report()
	if r.Empty() || r.Wall < time.Minute {
		t.Fatalf("report %+v", r)
	}
	var b bytes.Buffer
	r.WriteTo(&b)
	if !strings.Contains(b.String(), "1 unfinished") {
		t.Fatalf("text %q", b.String())
	}
}

func TestFormatBytesAndDuration(t *testing.T) {
	for n, want := range map[int64]string{-1: "?", 0: "0 B", 1023: "1023 B", 1536: "1.5 KiB", 5 << 30: "5.0 GiB"} {
		if got := FormatBytes(n); got != want {
			t.Errorf("FormatBytes(%d) = %q, want %q", n, got, want)
		}
	}
	for d, want := range map[time.Duration]string{850 * time.Millisecond: "850ms", 3400 * time.Millisecond: "3.4s",
		125 * time.Second: "2m05s", 62 * time.Minute: "1h02m"} {
		if got := FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}
