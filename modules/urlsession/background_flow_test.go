package urlsession

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tirun/tirun/runtime"
	"github.com/tirun/tirun/urlsession/journal"
)

// runBackgroundPhase runs src in a runtime on dataDir and returns the run's error.
func runBackgroundPhase(t *testing.T, opts runtime.Options, src string) error {
	t.Helper()
	rt, err := runtime.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	runErr := rt.RunString(ctx, "phase.js", src)
	if err := rt.Close(); err != nil {
		t.Fatal(err)
	}
	return runErr
}

func pendingIn(t *testing.T, dataDir string) []string {
	t.Helper()
	j, err := journal.Open(filepath.Join(dataDir, "urlsession-journal"))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	p, err := j.PendingSessions()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestJSBackgroundFlow prepares what an earlier process leaves (a download still running,
// a sessioncompleted whose listener threw), then runs scripts/tests/urlsession_background.test.js
// as the next process on the same data directory.
func TestJSBackgroundFlow(t *testing.T) {
	srv := startFixture(t)
	dataDir := t.TempDir()
	var logs syncBuffer
	err := runBackgroundPhase(t, runtime.Options{DataDir: dataDir, Stderr: &logs,
		Env: map[string]string{"TIRUN_FIXTURE_URL": srv.URL()}}, `
		const U = require('com.appcelerator.urlSession');
		const s = U.createSession({ configuration: U.createSessionConfiguration({
			identifier: 'flow.bg', type: U.SESSION_CONFIGURATION_TYPE_BACKGROUND }) });
		s.addEventListener('sessioncompleted', e => { throw new Error('phase one listener failure ' + e.taskIdentifier); });
		const base = process.env.TIRUN_FIXTURE_URL;
		s.downloadTask({ url: base + '/bytes/5000' });
		s.downloadTask({ url: base + '/slow/60000?rate=30000' });
	`)
	if err == nil || !strings.Contains(err.Error(), "phase one listener failure 1") {
		t.Fatalf("phase one: err = %v, want the listener's exception for task 1", err)
	}
	if p := pendingIn(t, dataDir); len(p) != 1 || p[0] != "flow.bg" {
		t.Fatalf("after phase one pending = %v", p)
	}

	stats, passed := runTestrunner(t, 2*time.Minute, map[string]string{"TIRUN_FIXTURE_URL": srv.URL(), "TIRUN_BG_FLOW": "1"},
		dataDir, &logs, filepath.Join(scriptsDir, "tests", "urlsession_background.test.js"))
	if stats.Failures != 0 || len(passed) < 7 {
		t.Fatalf("JS flow: %+v passed %v; logs:\n%s", stats, passed, logs.String())
	}
	if p := pendingIn(t, dataDir); len(p) != 0 {
		t.Fatalf("after endBackgroundHandler pending = %v", p)
	}
	dirs, _ := filepath.Glob(filepath.Join(dataDir, "urlsession-background", "*", "*"))
	if len(dirs) != 0 {
		t.Fatalf("files left after acknowledgement: %v", dirs)
	}
}

// TestLeaveBackgroundTasksEndsTheRun: with the option a run ends while a background
// download is still going, and the next runtime finishes it through backgroundtransfer.
func TestLeaveBackgroundTasksEndsTheRun(t *testing.T) {
	srv := startFixture(t)
	dataDir := t.TempDir()
	out := filepath.Join(t.TempDir(), "done.txt")
	env := map[string]string{"TIRUN_FIXTURE_URL": srv.URL(), "OUT": out}
	src := `
		const U = require('com.appcelerator.urlSession');
		function open() {
			const s = U.createSession({ configuration: U.createSessionConfiguration({
				identifier: 'leave.bg', type: U.SESSION_CONFIGURATION_TYPE_BACKGROUND }) });
			s.addEventListener('sessioncompleted', e => {
				Ti.Filesystem.getFile(process.env.OUT).write('completed ' + e.taskIdentifier + ' ' + e.success);
			});
			return s;
		}
		let handler;
		Ti.App.iOS.addEventListener('backgroundtransfer', e => { handler = e.handlerId; open(); });
		Ti.App.iOS.addEventListener('sessioneventscompleted', () => Ti.App.iOS.endBackgroundHandler(handler));
		if (!Ti.App.Properties.getBool('started', false)) {
			Ti.App.Properties.setBool('started', true);
			open().downloadTask({ url: process.env.TIRUN_FIXTURE_URL + '/slow/100000?rate=20000' });
		}
	`
	if err := runBackgroundPhase(t, runtime.Options{DataDir: dataDir, Env: env, LeaveBackgroundTasks: true}, src); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(out); err == nil {
		t.Fatal("the first run waited for the background download")
	}
	if p := pendingIn(t, dataDir); len(p) != 1 {
		t.Fatalf("the download was not left to the next run: pending %v", p)
	}
	if err := runBackgroundPhase(t, runtime.Options{DataDir: dataDir, Env: env}, src); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil || string(got) != "completed 1 true" {
		t.Fatalf("second run: %q, %v", got, err)
	}
	if p := pendingIn(t, dataDir); len(p) != 0 {
		t.Fatalf("pending after the second run: %v", p)
	}
}

// TestDamagedJournalIsReportedAndReplaced: a garbage journal in the data directory is
// reported in the log, set aside, and background sessions work with a fresh one.
func TestDamagedJournalIsReportedAndReplaced(t *testing.T) {
	srv := startFixture(t)
	dataDir := t.TempDir()
	dir := filepath.Join(dataDir, "urlsession-journal")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, journal.FileName), []byte(strings.Repeat("not a journal ", 5000)), 0o600); err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	err := runBackgroundPhase(t, runtime.Options{DataDir: dataDir, Stderr: &logs,
		Env: map[string]string{"TIRUN_FIXTURE_URL": srv.URL()}}, `
		const U = require('com.appcelerator.urlSession');
		let fired = false;
		Ti.App.iOS.addEventListener('backgroundtransfer', () => { fired = true; });
		setTimeout(() => {
			if (fired) throw new Error('backgroundtransfer from a damaged journal');
			const s = U.createSession({ configuration: U.createSessionConfiguration({ identifier: 'after.damage' }) });
			s.addEventListener('sessioncompleted', e => {
				if (!e.success || e.taskIdentifier !== 1) throw new Error('download failed: ' + JSON.stringify(e));
				s.finishTasksAndInvalidate();
			});
			s.downloadTask({ url: process.env.TIRUN_FIXTURE_URL + '/bytes/1000' });
		}, 0);
	`)
	if err != nil {
		t.Fatalf("run: %v; logs:\n%s", err, logs.String())
	}
	out := logs.String()
	if !strings.Contains(out, "was damaged") || !strings.Contains(out, "started a fresh journal") {
		t.Fatalf("no clear message about the damaged journal; logs:\n%s", out)
	}
	aside, _ := filepath.Glob(filepath.Join(dir, journal.FileName+".corrupt-*"))
	if len(aside) != 1 {
		t.Fatalf("damaged journal kept aside: %v", aside)
	}
	if p := pendingIn(t, dataDir); len(p) != 0 {
		t.Fatalf("pending after the run: %v", p)
	}
}

// TestBackgroundSessionInUseElsewhereThrowsAClearError: two runtimes on one data directory
// (as two processes would be) cannot both run background sessions; the second gets a
// catchable error saying the journal is in use, naming the pid.
func TestBackgroundSessionInUseElsewhereThrowsAClearError(t *testing.T) {
	dataDir := t.TempDir()
	open := `
		const U = require('com.appcelerator.urlSession');
		globalThis.s = U.createSession({ configuration: U.createSessionConfiguration({ identifier: 'shared' }) });
	`
	first, err := runtime.New(runtime.Options{DataDir: dataDir, Stderr: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := first.RunString(ctx, "first.js", open); err != nil {
		t.Fatal(err)
	}
	second, err := runtime.New(runtime.Options{DataDir: dataDir, Stderr: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	err = second.RunString(ctx, "second.js", `
		try {
			`+open+`
			throw new Error('no error from the second runtime');
		} catch (e) {
			if (!(e instanceof Error) || !/in use by another process \(pid \d+\)/.test(e.message)) throw e;
		}
	`)
	if err != nil {
		t.Fatal(err)
	}
}

// TestUnacknowledgedEventsAreForgottenWhenTheScriptTakesTheSessionOverItself: events
// delivered in a handler flow whose endBackgroundHandler never came stay pending; a later
// script that re-creates the session at its top level (no handler) ends that.
func TestUnacknowledgedEventsAreForgottenWhenTheScriptTakesTheSessionOverItself(t *testing.T) {
	srv := startFixture(t)
	dataDir := t.TempDir()
	env := map[string]string{"TIRUN_FIXTURE_URL": srv.URL()}
	const open = `
		const U = require('com.appcelerator.urlSession');
		const open = () => U.createSession({ configuration: U.createSessionConfiguration({ identifier: 'noack' }) });
	`
	if err := runBackgroundPhase(t, runtime.Options{DataDir: dataDir, Env: env, LeaveBackgroundTasks: true}, open+`
		open().downloadTask({ url: process.env.TIRUN_FIXTURE_URL + '/slow/40000?rate=20000' });
	`); err != nil {
		t.Fatal(err)
	}
	if err := runBackgroundPhase(t, runtime.Options{DataDir: dataDir, Env: env}, open+`
		let completed = 0;
		Ti.App.iOS.addEventListener('backgroundtransfer', () => open().addEventListener('sessioncompleted', () => completed++));
		Ti.App.iOS.addEventListener('sessioneventscompleted', () => {
			if (completed !== 1) throw new Error('sessioneventscompleted before the completion');
		}); // and no endBackgroundHandler
	`); err != nil {
		t.Fatal(err)
	}
	if p := pendingIn(t, dataDir); len(p) != 1 {
		t.Fatalf("unacknowledged events: pending = %v, want the session", p)
	}
	if err := runBackgroundPhase(t, runtime.Options{DataDir: dataDir, Env: env}, open+`
		Ti.App.iOS.addEventListener('backgroundtransfer', () => { throw new Error('announced a session the script already took over'); });
		open().addEventListener('sessioncompleted', () => { throw new Error('delivered again'); });
	`); err != nil {
		t.Fatal(err)
	}
	if p := pendingIn(t, dataDir); len(p) != 0 {
		t.Fatalf("pending after the take-over = %v", p)
	}
}
