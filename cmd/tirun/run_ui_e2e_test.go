package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
)

// transferScript downloads two slow files at once (long enough for bars), makes one quick
// request (too quick for a bar), logs while the bars run, and prints how many events of each
// name its listeners received, so the test can hold the trace against it.
const transferScript = `
const URLSession = require('com.appcelerator.urlSession');
const base = process.env.TIRUN_FIXTURE_URL;
const s = URLSession.createSession({ configuration: URLSession.createSessionConfiguration({ identifier: 'e2e' }) });
const counts = {};
let completed = 0;
['downloadprogress', 'downloadcompleted', 'sessioncompleted'].forEach(name => s.addEventListener(name, e => {
	counts[name] = (counts[name] || 0) + 1;
	if (name === 'sessioncompleted' && ++completed === 3) {
		Ti.API.info('counts ' + JSON.stringify(counts));
		s.finishTasksAndInvalidate();
		clearInterval(ticker);
	}
}));
s.downloadTask({ url: base + '/slow/393216?rate=262144' });
s.downloadTask({ url: base + '/slow/262144?rate=196608' });
s.dataTask({ url: base + '/json' });
let n = 0;
const ticker = setInterval(() => Ti.API.info('tick ' + (++n) + ' while downloading'), 200);
`

// runCLIProcess runs the test binary as `tirun ARGS...`, on a pseudo-terminal when onTTY,
// else with stdout and stderr on pipes, and returns the exit code and everything printed.
func runCLIProcess(t *testing.T, onTTY bool, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Env = append(os.Environ(), "TIRUN_TEST_AS_CLI=1", "TERM=xterm-256color", "NO_COLOR=")
	var out bytes.Buffer
	if onTTY {
		ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 120})
		if err != nil {
			t.Skipf("no pseudo-terminal: %v", err)
		}
		defer ptmx.Close()
		_, _ = io.Copy(&out, ptmx) // ends with EIO when the process exits
	} else {
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
	}
	_ = cmd.Wait()
	if ctx.Err() != nil {
		t.Fatalf("tirun %v did not finish in time; output so far:\n%s", args, out.String())
	}
	return cmd.ProcessState.ExitCode(), out.String()
}

var sgr = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]`)

func TestRunOnATerminalShowsBarsTraceAndHAR(t *testing.T) {
	dir := t.TempDir()
	script := writeScript(t, transferScript)
	trace, har := filepath.Join(dir, "trace.ndjson"), filepath.Join(dir, "run.har")
	code, raw := runCLIProcess(t, true, "run", "--serve", "--data-dir", filepath.Join(dir, "data"),
		"--trace", trace, "--har", har, script)
	if code != exitOK {
		t.Fatalf("exit %d:\n%s", code, raw)
	}

	// Bars were drawn live (cursor movement) and each reached 100% with its size.
	if !strings.Contains(raw, "\x1b[") {
		t.Fatalf("no control sequences on a terminal:\n%q", raw)
	}
	plain := strings.ReplaceAll(sgr.ReplaceAllString(raw, ""), "\r\n", "\n")
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^393216 .*384\.0 KiB / 384\.0 KiB 100% .* done`),
		regexp.MustCompile(`(?m)^262144 .*256\.0 KiB / 256\.0 KiB 100% .* done`),
		regexp.MustCompile(`(?m)^all 2 tasks `),
		regexp.MustCompile(`(?m)^Transfers: 3 tasks: 3 succeeded, 0 failed, 0 cancelled$`),
	} {
		if !want.MatchString(plain) {
			t.Errorf("screen lacks %v:\n%s", want, plain)
		}
	}
	if strings.Contains(plain, "127.0.0.1") && regexp.MustCompile(`(?m)^127\.0\.0\.1:\d+/json `).MatchString(plain) {
		t.Errorf("the quick request got a bar:\n%s", plain)
	}
	// Log lines print whole, above the bars, with a coloured tag.
	ticks := regexp.MustCompile("\x1b\\[32m\\[INFO\\]\x1b\\[0m tick (\\d+) while downloading\r\n").FindAllString(raw, -1)
	if len(ticks) < 3 {
		t.Errorf("expected several whole coloured log lines during the transfers, got %d:\n%q", len(ticks), raw)
	}

	// The trace: one JSON object per line; the JS events match what the script counted.
	m := regexp.MustCompile(`counts (\{[^}]*\})`).FindStringSubmatch(plain)
	if m == nil {
		t.Fatalf("script did not report its counts:\n%s", plain)
	}
	var counted map[string]int
	if err := json.Unmarshal([]byte(m[1]), &counted); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(trace)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	traced := map[string]int{}
	engineEvents := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var line struct {
			Time, Source, Session, Event string
			Task                         uint64
			Payload                      map[string]any
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("trace line is not JSON: %v: %s", err, sc.Text())
		}
		if _, err := time.Parse(time.RFC3339Nano, line.Time); err != nil || line.Event == "" {
			t.Fatalf("trace line lacks time or event: %s", sc.Text())
		}
		switch line.Source {
		case "js":
			traced[line.Event]++
			if line.Session != "e2e" || line.Task == 0 {
				t.Fatalf("JS event without its session and task: %s", sc.Text())
			}
			if line.Event == "downloadcompleted" {
				blob, _ := line.Payload["data"].(map[string]any)
				if blob["path"] == nil || blob["size"] == nil {
					t.Fatalf("a blob must be described by path and size: %s", sc.Text())
				}
			}
		case "engine":
			engineEvents++
		default:
			t.Fatalf("unknown source: %s", sc.Text())
		}
	}
	if len(counted) == 0 || engineEvents == 0 {
		t.Fatalf("counted %v, engine events %d", counted, engineEvents)
	}
	for name, n := range counted {
		if traced[name] != n {
			t.Errorf("%s: script counted %d, trace has %d", name, n, traced[name])
		}
	}
	for name, n := range traced {
		if counted[name] != n {
			t.Errorf("trace has %d %s events the script never saw (%d)", n, name, counted[name])
		}
	}

	// The HAR: version 1.2, one entry per request.
	rawHAR, err := os.ReadFile(har)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Log struct {
			Version string
			Creator struct{ Name string }
			Entries []struct {
				StartedDateTime string
				Request         struct{ Method, URL, HTTPVersion string }
				Response        struct {
					Status   int
					Content  struct{ Size int64 }
					BodySize int64
				}
				Timings struct{ Send, Wait, Receive float64 }
			}
		}
	}
	if err := json.Unmarshal(rawHAR, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Log.Version != "1.2" || doc.Log.Creator.Name != "tirun" || len(doc.Log.Entries) != 3 {
		t.Fatalf("HAR log: version %q creator %q, %d entries (want 3)", doc.Log.Version, doc.Log.Creator.Name, len(doc.Log.Entries))
	}
	sizes := map[string]int64{}
	for _, e := range doc.Log.Entries {
		if e.Response.Status != 200 || e.Request.Method != "GET" || e.Timings.Receive < 0 {
			t.Errorf("entry %+v", e)
		}
		sizes[e.Request.URL[strings.LastIndex(e.Request.URL, "/"):]] = e.Response.BodySize
	}
	if sizes["/393216?rate=262144"] != 393216 || sizes["/262144?rate=196608"] != 262144 {
		t.Errorf("body sizes %v", sizes)
	}
}

func TestRunOnAPipeHasNoControlSequences(t *testing.T) {
	dir := t.TempDir()
	script := writeScript(t, transferScript)
	code, out := runCLIProcess(t, false, "run", "--serve", "--data-dir", filepath.Join(dir, "data"), script)
	if code != exitOK {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	if strings.ContainsRune(out, '\x1b') || strings.ContainsRune(out, '\r') {
		t.Fatalf("control characters on a pipe:\n%q", out)
	}
	if !strings.Contains(out, "[INFO] tick 1 while downloading\n") || !strings.Contains(out, "Transfers: 3 tasks: 3 succeeded") {
		t.Fatalf("plain output incomplete:\n%s", out)
	}
	code, out = runCLIProcess(t, false, "run", "--serve", "--quiet", "--data-dir", filepath.Join(dir, "data"), script)
	if code != exitOK || strings.Contains(out, "Transfers:") {
		t.Fatalf("--quiet: exit %d:\n%s", code, out)
	}
}
