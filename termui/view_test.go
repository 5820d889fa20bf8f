package termui

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/tirun/tirun/internal/testkit"
	"github.com/tirun/tirun/telemetry"
)

var ansi = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]`)

// screenLines strips control sequences and splits what was drawn into lines.
func screenLines(raw string) []string {
	plain := ansi.ReplaceAllString(raw, "")
	plain = strings.ReplaceAll(plain, "\r\n", "\n")
	return strings.Split(strings.ReplaceAll(plain, "\r", "\n"), "\n")
}

func engineEvent(task uint64, name string, payload map[string]any) telemetry.Event {
	return telemetry.Event{Time: time.Now(), Source: telemetry.SourceEngine, Session: "s", Task: task, Name: name, Payload: payload}
}

func TestViewDrawsBarsAndLogLinesOnATerminal(t *testing.T) {
	term := testkit.OpenTerminal(t)
	v := NewView(term.TTY, ViewOptions{ShowAfter: -1, Refresh: 15 * time.Millisecond})
	logs := v.Writer(term.TTY, true)

	const size = 10 << 20
	v.Observe(engineEvent(1, telemetry.EventTaskStart, map[string]any{"kind": "download", "method": "GET", "url": "http://127.0.0.1:1/files/big.bin"}))
	v.Observe(engineEvent(2, telemetry.EventTaskStart, map[string]any{"kind": "download", "method": "GET", "url": "http://127.0.0.1:1/files/other.iso"}))
	v.Observe(engineEvent(1, telemetry.EventResponse, map[string]any{"status": 200, "expectedLength": int64(size)}))
	v.Observe(engineEvent(2, telemetry.EventResponse, map[string]any{"status": 200, "expectedLength": int64(-1)}))
	for i := 1; i <= 20; i++ {
		v.Observe(engineEvent(1, telemetry.EventDownloadProgress, map[string]any{"totalWritten": int64(i * size / 20), "totalExpected": int64(size)}))
		v.Observe(engineEvent(2, telemetry.EventDownloadProgress, map[string]any{"totalWritten": int64(i * 1000), "totalExpected": int64(-1)}))
		fmt.Fprintf(logs, "[INFO] step %d of the script\n", i)
		// a line written in two pieces must still come out whole
		io.WriteString(logs, "[WARN] half ")
		io.WriteString(logs, fmt.Sprintf("and half %d\n", i))
		time.Sleep(10 * time.Millisecond)
	}
	v.Observe(engineEvent(1, telemetry.EventComplete, map[string]any{"bytesReceived": int64(size)}))
	v.Observe(engineEvent(2, telemetry.EventComplete, map[string]any{"code": -1001, "message": "timed out"}))
	time.Sleep(50 * time.Millisecond)
	v.Close()
	v.Observe(engineEvent(3, telemetry.EventTaskStart, nil)) // after Close: ignored
	fmt.Fprintln(logs, "[ERROR] after the bars")             // after Close: printed directly
	raw := term.CloseAndRead(t)

	if !strings.Contains(raw, "\x1b[") {
		t.Fatal("no control sequences: the bars were not drawn as a live view")
	}
	lines := screenLines(raw)
	find := func(parts ...string) string {
		for _, l := range lines {
			ok := true
			for _, p := range parts {
				ok = ok && strings.Contains(l, p)
			}
			if ok {
				return l
			}
		}
		t.Fatalf("no line with %q in:\n%s", parts, strings.Join(lines, "\n"))
		return ""
	}
	find("big.bin", "10.0 MiB / 10.0 MiB", "100%", "done")
	find("other.iso", "failed (-1001)")
	find("all 2 tasks")
	for i := 1; i <= 20; i++ {
		// whole lines, coloured tag, never cut by a redraw
		for _, want := range []string{
			fmt.Sprintf("\x1b[32m[INFO]\x1b[0m step %d of the script\r\n", i),
			fmt.Sprintf("\x1b[33m[WARN]\x1b[0m half and half %d\r\n", i),
		} {
			if !strings.Contains(raw, want) {
				t.Fatalf("log line %q torn or missing in:\n%q", want, raw)
			}
		}
	}
	if !strings.Contains(raw, "\x1b[1;31m[ERROR]\x1b[0m after the bars\r\n") {
		t.Fatalf("line written after Close missing")
	}
}

func TestViewHidesQuickTasksAndStopsUnfinishedOnes(t *testing.T) {
	term := testkit.OpenTerminal(t)
	v := NewView(term.TTY, ViewOptions{ShowAfter: 200 * time.Millisecond, Refresh: 15 * time.Millisecond})
	v.Observe(engineEvent(1, telemetry.EventTaskStart, map[string]any{"kind": "data", "method": "POST", "url": "http://127.0.0.1:1/api/quick"}))
	v.Observe(engineEvent(1, telemetry.EventComplete, map[string]any{"bytesReceived": 10}))
	v.Observe(engineEvent(2, telemetry.EventTaskStart, map[string]any{"kind": "data", "method": "GET", "url": "http://127.0.0.1:1/api/slow"}))
	time.Sleep(400 * time.Millisecond) // past ShowAfter without any new event: the tick shows it
	v.Close()
	lines := screenLines(term.CloseAndRead(t))
	all := strings.Join(lines, "\n")
	if strings.Contains(all, "quick") {
		t.Fatalf("a quick task got a bar:\n%s", all)
	}
	if !strings.Contains(all, "127.0.0.1:1/api/slow") || !strings.Contains(all, "stopped") {
		t.Fatalf("the running task must be shown, then stopped:\n%s", all)
	}
}

func TestTaskLabels(t *testing.T) {
	for _, c := range []struct{ kind, method, url, want string }{
		{"download", "GET", "https://example.com/a/b/file.zip?x=1", "file.zip"},
		{"upload", "PUT", "https://example.com/up/", "up"},
		{"data", "GET", "https://example.com/api/v1", "example.com/api/v1"},
		{"data", "POST", "https://example.com/api", "POST example.com/api"},
		{"download", "GET", "https://example.com/", "example.com/"},
		{"data", "GET", "https://example.com/" + strings.Repeat("x", 40) + "/end.json", "example.com/x…xxxxx/end.json"},
		{"", "", "not a url", "not a url"},
	} {
		if got := taskLabel(c.kind, c.method, c.url); got != c.want {
			t.Errorf("taskLabel(%q, %q, %q) = %q, want %q", c.kind, c.method, c.url, got, c.want)
		}
	}
}

func TestViewPrintsLinesWrittenJustBeforeClose(t *testing.T) {
	term := testkit.OpenTerminal(t)
	v := NewView(term.TTY, ViewOptions{Refresh: time.Hour}) // no redraw would come by itself
	w := v.Writer(term.TTY, false)
	io.WriteString(w, "first\nlast without newline")
	v.Close()
	raw := term.CloseAndRead(t)
	if !strings.Contains(raw, "first\r\nlast without newline\r\n") {
		t.Fatalf("pending lines lost at Close: %q", raw)
	}
}

func TestViewSurvivesALostTerminal(t *testing.T) {
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer ptmx.Close()
	go io.Copy(io.Discard, ptmx)
	v := NewView(tty, ViewOptions{ShowAfter: -1, Refresh: 5 * time.Millisecond})
	var fallback bytes.Buffer
	w := v.Writer(&fallback, false)
	v.Observe(engineEvent(1, telemetry.EventTaskStart, map[string]any{"kind": "download", "url": "http://127.0.0.1:1/x"}))
	time.Sleep(30 * time.Millisecond)
	tty.Close() // the terminal goes away: mpb's next redraw fails and it stops
	time.Sleep(50 * time.Millisecond)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 50; i++ {
			v.Observe(engineEvent(1, telemetry.EventDownloadProgress, map[string]any{"totalWritten": int64(i)}))
		}
		fmt.Fprintln(w, "still here")
		v.Close()
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the view hung after its terminal went away")
	}
	if !strings.Contains(fallback.String(), "still here") {
		t.Fatalf("line lost after the renderer stopped: %q", fallback.String())
	}
}

// TestObserveNeverWaitsForTheTerminal: a terminal that stops reading (scroll lock, a paused
// ssh session) stalls the drawing, never the producers of events.
func TestObserveNeverWaitsForTheTerminal(t *testing.T) {
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer ptmx.Close()
	// Nobody reads ptmx: once the kernel's buffer is full every redraw blocks.
	v := NewView(tty, ViewOptions{ShowAfter: -1, Refresh: time.Millisecond})
	const tasks, each = 64, 2000
	done := make(chan struct{})
	go func() {
		defer close(done)
		var wg sync.WaitGroup
		for task := 1; task <= tasks; task++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				v.Observe(engineEvent(uint64(task), telemetry.EventTaskStart, map[string]any{"kind": "download",
					"url": fmt.Sprintf("http://127.0.0.1:1/%s/%d.bin", strings.Repeat("long-name-", 20), task)}))
				for i := range each {
					v.Observe(engineEvent(uint64(task), telemetry.EventDownloadProgress, map[string]any{"totalWritten": int64(i)}))
				}
			}()
		}
		wg.Wait()
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("Observe blocked behind a stalled terminal")
	}
	// Unblock the terminal so the view can finish.
	go io.Copy(io.Discard, ptmx)
	closed := make(chan struct{})
	go func() { v.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(20 * time.Second):
		t.Fatal("Close did not finish once the terminal read again")
	}
	tty.Close()
}
