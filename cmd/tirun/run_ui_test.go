package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tirun/tirun/internal/testkit"
	tirun "github.com/tirun/tirun/runtime"
	"github.com/tirun/tirun/telemetry"
)

func noEnv(string) string { return "" }

func parseUIFlags(t *testing.T, args ...string) *uiFlags {
	t.Helper()
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	f := addUIFlags(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return f
}

// startTestUI starts the UI of `tirun run` with args as its flags; the options returned
// hold the writers the script would get.
func startTestUI(t *testing.T, cio *cliIO, getenv func(string) string, args ...string) (*runUI, *tirun.Options) {
	t.Helper()
	opts := &tirun.Options{}
	u, err := parseUIFlags(t, args...).startUI(cio, opts, getenv)
	if err != nil {
		t.Fatal(err)
	}
	return u, opts
}

// feedTransfer plays one finished download through obs, as the engine reports it.
func feedTransfer(obs telemetry.Observer, task uint64, size int64) {
	ev := func(name string, p map[string]any) {
		obs.Observe(telemetry.Event{Time: time.Now(), Source: telemetry.SourceEngine, Session: "s", Task: task, Name: name, Payload: p})
	}
	ev(telemetry.EventTaskStart, map[string]any{"kind": "download", "method": "GET", "url": "http://127.0.0.1:9/f.bin"})
	ev(telemetry.EventResponse, map[string]any{"status": 200, "expectedLength": size})
	ev(telemetry.EventDownloadProgress, map[string]any{"written": size, "totalWritten": size, "totalExpected": size})
	ev(telemetry.EventComplete, map[string]any{"bytesReceived": size, "bytesSent": int64(0), "status": 200})
}

var controlSequence = regexp.MustCompile("\x1b")

func TestUIOnAPipeIsPlainAndSummarises(t *testing.T) {
	var out, errOut bytes.Buffer
	u, opts := startTestUI(t, &cliIO{Stdout: &out, Stderr: &errOut}, noEnv)
	if u.view != nil || opts.Stdout != io.Writer(&out) || opts.Stderr != io.Writer(&errOut) {
		t.Fatal("a pipe must get the script's output untouched and no bars")
	}
	fmt.Fprintln(opts.Stderr, "[INFO] hello")
	feedTransfer(u.Observer(), 1, 2048)
	if err := u.finish(); err != nil {
		t.Fatal(err)
	}
	if controlSequence.MatchString(out.String() + errOut.String()) {
		t.Fatalf("control sequences on a pipe: %q %q", out.String(), errOut.String())
	}
	if !strings.Contains(errOut.String(), "[INFO] hello\nTransfers: 1 task: 1 succeeded") ||
		!strings.Contains(errOut.String(), "Moved 2.0 KiB (2.0 KiB received, 0 B sent)") {
		t.Fatalf("summary missing: %q", errOut.String())
	}
}

func TestUIQuietHasNoSummaryAndNoObserver(t *testing.T) {
	var errOut bytes.Buffer
	u, _ := startTestUI(t, &cliIO{Stdout: io.Discard, Stderr: &errOut}, noEnv, "--quiet")
	if u.Observer() != nil {
		t.Fatal("--quiet without --trace/--har needs no observer (the engine then records nothing)")
	}
	if err := u.finish(); err != nil || errOut.Len() != 0 {
		t.Fatalf("finish %v, stderr %q", err, errOut.String())
	}
}

func TestUIFileErrorsFailEarly(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no", "such", "dir", "x")
	for _, args := range [][]string{{"--trace", missing}, {"--har", missing}} {
		opts := tirun.Options{}
		if _, err := parseUIFlags(t, args...).startUI(&cliIO{Stdout: io.Discard, Stderr: io.Discard}, &opts, noEnv); err == nil {
			t.Errorf("%v: expected an error", args)
		}
	}
}

func TestUITraceAndHARFiles(t *testing.T) {
	dir := t.TempDir()
	trace, har := filepath.Join(dir, "t.ndjson"), filepath.Join(dir, "h.har")
	u, _ := startTestUI(t, &cliIO{Stdout: io.Discard, Stderr: io.Discard}, noEnv, "--quiet", "--trace", trace, "--har", har)
	feedTransfer(u.Observer(), 1, 10)
	telemetry.RecordExchange(u.Observer(), telemetry.Exchange{Started: time.Now(), Method: "GET", URL: "http://127.0.0.1:9/f.bin", Status: 200})
	if err := u.finish(); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(trace)
	if n := strings.Count(string(raw), "\n"); n != 4 {
		t.Fatalf("trace has %d lines, want 4:\n%s", n, raw)
	}
	var doc struct {
		Log struct {
			Version string
			Entries []any
		}
	}
	raw, _ = os.ReadFile(har)
	if err := json.Unmarshal(raw, &doc); err != nil || doc.Log.Version != "1.2" || len(doc.Log.Entries) != 1 {
		t.Fatalf("HAR %v: %s", err, raw)
	}
}

func TestUIOnATerminalDrawsColoursAndSummary(t *testing.T) {
	screen := testkit.OpenTerminal(t)
	u, opts := startTestUI(t, &cliIO{Stdout: screen.TTY, Stderr: screen.TTY}, noEnv)
	if u.view == nil {
		t.Fatal("a terminal must get the progress view")
	}
	fmt.Fprintln(opts.Stderr, "[WARN] careful")
	feedTransfer(u.Observer(), 1, 4096)
	if err := u.finish(); err != nil {
		t.Fatal(err)
	}
	raw := screen.CloseAndRead(t)
	if !strings.Contains(raw, "\x1b[33m[WARN]\x1b[0m careful\r\n") {
		t.Fatalf("coloured log line missing: %q", raw)
	}
	if i, j := strings.Index(raw, "careful"), strings.Index(raw, "Transfers: 1 task"); i < 0 || j < i {
		t.Fatalf("summary must follow the output: %q", raw)
	}
}

func TestUIColourOffWithNoColorBarsOffWithDumbTerm(t *testing.T) {
	screen := testkit.OpenTerminal(t)
	env := func(k string) string {
		if k == "NO_COLOR" {
			return "1"
		}
		return ""
	}
	u, opts := startTestUI(t, &cliIO{Stdout: screen.TTY, Stderr: screen.TTY}, env)
	if u.view == nil {
		t.Fatal("NO_COLOR is about colour: the bars stay")
	}
	fmt.Fprintln(opts.Stderr, "[ERROR] plain")
	feedTransfer(u.Observer(), 1, 1)
	u.finish()
	if raw := screen.CloseAndRead(t); !strings.Contains(raw, "\n[ERROR] plain\r\n") && !strings.HasPrefix(raw, "[ERROR] plain\r\n") {
		t.Fatalf("NO_COLOR output has a coloured tag: %q", raw)
	}

	screen = testkit.OpenTerminal(t)
	dumb := func(k string) string {
		if k == "TERM" {
			return "dumb"
		}
		return ""
	}
	u, opts = startTestUI(t, &cliIO{Stdout: screen.TTY, Stderr: screen.TTY}, dumb)
	fmt.Fprintln(opts.Stderr, "[ERROR] plain")
	feedTransfer(u.Observer(), 1, 1)
	u.finish()
	if raw := screen.CloseAndRead(t); controlSequence.MatchString(raw) || u.view != nil {
		t.Fatalf("TERM=dumb output has control sequences: %q", raw)
	}
}
