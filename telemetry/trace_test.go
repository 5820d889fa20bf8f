package telemetry

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestTraceWritesOneJSONLinePerEvent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "trace.ndjson")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	tw := NewTraceWriter(f)
	blob := filepath.Join(t.TempDir(), "blob.bin")
	if err := os.WriteFile(blob, make([]byte, 1234), 0o600); err != nil {
		t.Fatal(err)
	}

	const producers, each = 8, 500
	var wg sync.WaitGroup
	for p := range producers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				tw.Observe(Event{Time: time.Now(), Source: SourceEngine, Session: "s", Task: uint64(p + 1),
					Name: EventDownloadProgress, Payload: map[string]any{"totalWritten": i}})
			}
		}()
	}
	wg.Wait()
	tw.Observe(Event{Time: time.Now(), Source: SourceJS, Session: "s", Task: 1, Name: "downloadcompleted",
		Payload: map[string]any{"data": DescribeFile(blob)}})
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	tw.Observe(Event{Name: "after close"}) // ignored, must not panic
	f.Close()

	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
	if len(lines) != producers*each+1 {
		t.Fatalf("%d lines, want %d", len(lines), producers*each+1)
	}
	lastSeen := map[float64]float64{} // per task, progress must stay in order
	for i, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("line %d is not JSON: %v: %q", i+1, err, l)
		}
		if _, err := time.Parse(time.RFC3339Nano, m["time"].(string)); err != nil {
			t.Fatalf("line %d time: %v", i+1, err)
		}
		if m["event"] == EventDownloadProgress {
			task, n := m["task"].(float64), m["payload"].(map[string]any)["totalWritten"].(float64)
			if prev, ok := lastSeen[task]; ok && n != prev+1 {
				t.Fatalf("task %v: %v after %v (out of order or lost)", task, n, prev)
			}
			lastSeen[task] = n
		}
	}
	var last struct {
		Source, Event string
		Payload       struct{ Data FileRef }
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil {
		t.Fatal(err)
	}
	if last.Source != SourceJS || last.Payload.Data != (FileRef{Path: blob, Size: 1234}) {
		t.Fatalf("blob must be described by path and size: %+v", last)
	}
}

func TestTraceKeepsALineForAnUnencodablePayload(t *testing.T) {
	var buf bytes.Buffer
	tw := NewTraceWriter(&buf)
	tw.Observe(Event{Name: "bad", Payload: map[string]any{"n": math.NaN()}})
	tw.Observe(Event{Name: "good", Payload: map[string]any{"n": 1}})
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(&buf)
	var names []string
	for sc.Scan() {
		var m struct {
			Event   string
			Payload map[string]any
		}
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("%v: %s", err, sc.Text())
		}
		names = append(names, m.Event)
		if m.Event == "bad" && m.Payload["encodingError"] == nil {
			t.Fatalf("bad payload not explained: %s", sc.Text())
		}
	}
	if strings.Join(names, ",") != "bad,good" {
		t.Fatalf("lines %v", names)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestTraceReportsWriteErrors(t *testing.T) {
	tw := NewTraceWriter(failingWriter{})
	tw.Observe(Event{Name: "x"})
	err := tw.Close()
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("Close = %v", err)
	}
	if err2 := tw.Close(); err2 != err {
		t.Fatalf("second Close = %v", err2)
	}
}

// blockingWriter stalls until released, like a disk that stopped answering.
type blockingWriter struct {
	release chan struct{}
	buf     bytes.Buffer
}

func (w *blockingWriter) Write(p []byte) (int, error) {
	<-w.release
	return w.buf.Write(p)
}

func TestTraceNeverBlocksTheProducer(t *testing.T) {
	w := &blockingWriter{release: make(chan struct{})}
	tw := NewTraceWriter(w)
	done := make(chan struct{})
	total := traceQueueLimit + 100_000 // far more than the 64 KiB buffer and the queue hold
	go func() {
		defer close(done)
		for i := 0; i < total; i++ {
			tw.Observe(Event{Name: "tick", Payload: map[string]any{"i": i}})
		}
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Observe blocked behind a stalled writer")
	}
	close(w.release)
	err := tw.Close()
	if err == nil || !strings.Contains(err.Error(), "dropped") {
		t.Fatalf("Close must report dropped events: %v", err)
	}
	lines := strings.Split(strings.TrimSuffix(w.buf.String(), "\n"), "\n")
	var lastLine struct {
		Event   string
		Payload struct{ Events int }
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &lastLine); err != nil {
		t.Fatal(err)
	}
	if lastLine.Event != "traceDropped" || lastLine.Payload.Events+len(lines)-1 != total {
		t.Fatalf("written %d + dropped %d != %d", len(lines)-1, lastLine.Payload.Events, total)
	}
}
