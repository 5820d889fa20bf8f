package urlsession

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dop251/goja"
	"go.uber.org/goleak"

	"github.com/tirun/tirun/runtime"
	"github.com/tirun/tirun/runtime/loop"
)

func TestMain(m *testing.M) {
	if os.Getenv(bgHelperEnv) != "" {
		os.Exit(runBackgroundHelper()) // a helper process of TestBackgroundSurvivesTheProcess
	}
	goleak.VerifyTestMain(m)
}

// newRuntime makes a runtime with the fixture URL in process.env and logs in buf.
func newRuntime(t *testing.T, buf *syncBuffer, opts runtime.Options) *runtime.Runtime {
	t.Helper()
	srv := startFixture(t)
	if opts.DataDir == "" {
		opts.DataDir = t.TempDir()
	}
	opts.Env = map[string]string{"TIRUN_FIXTURE_URL": srv.URL()}
	if buf != nil {
		opts.Logger = slog.New(runtime.NewLogger(buf, slog.LevelDebug).Handler())
		opts.Stdout, opts.Stderr = buf, buf
	}
	rt, err := runtime.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rt.Close() })
	return rt
}

func run(t *testing.T, rt *runtime.Runtime, src string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := rt.RunString(ctx, "test.js", src); err != nil {
		t.Fatalf("script failed: %v", err)
	}
}

// TestRunningTasksKeepTheLoopAlive: a script that only starts tasks (no timer, no promise) runs
// until the last sessioncompleted was delivered, and no longer.
func TestRunningTasksKeepTheLoopAlive(t *testing.T) {
	rt := newRuntime(t, nil, runtime.Options{})
	run(t, rt, `
		const U = require('com.appcelerator.urlSession');
		const base = process.env.TIRUN_FIXTURE_URL;
		const s = U.createSession({configuration: U.createSessionConfiguration({identifier: 'alive'})});
		globalThis.log = [];
		Ti.App.iOS.addEventListener('sessioncompleted', e => log.push(e.taskIdentifier + ':' + e.statusCode));
		s.dataTask({url: base + '/delay/300'});
		s.downloadTask({url: base + '/bytes/100000'});
		s.uploadTask({url: base + '/upload', data: Ti.Filesystem.getFile(Ti.Filesystem.tempDirectory, 'x')});
	`)
	got := rt.VM().Get("log").Export()
	list, _ := got.([]any)
	if len(list) != 3 {
		t.Fatalf("the loop ended with %d of 3 sessioncompleted events delivered: %v", len(list), got)
	}
}

// TestInvalidatedSessionReleasesTheLoop: after finishTasksAndInvalidate, the run ends once the
// last task is done (the invalidation reference is released with the engine's last call).
func TestInvalidatedSessionReleasesTheLoop(t *testing.T) {
	rt := newRuntime(t, nil, runtime.Options{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		run(t, rt, `
			const U = require('com.appcelerator.urlSession');
			const s = U.createSession({configuration: U.createSessionConfiguration({identifier: 'release'})});
			s.dataTask({url: process.env.TIRUN_FIXTURE_URL + '/json'});
			s.finishTasksAndInvalidate();
			U.createSession({configuration: U.createSessionConfiguration({identifier: 'idle'})}).invalidateAndCancel();
		`)
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the run did not end after the sessions were invalidated")
	}
}

// TestEngineLivesInTheDataDirectory: the engine is created lazily, once, under the runtime's
// data directory, and Close releases it (its session directories are removed).
func TestEngineLivesInTheDataDirectory(t *testing.T) {
	dataDir := t.TempDir()
	rt := newRuntime(t, nil, runtime.Options{DataDir: dataDir})
	run(t, rt, `require('com.appcelerator.urlSession')`)
	if _, err := os.Stat(filepath.Join(dataDir, "urlsession")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the engine was created before any session: %v", err)
	}
	run(t, rt, `
		const U = require('com.appcelerator.urlSession');
		globalThis.s1 = U.createSession({configuration: U.createSessionConfiguration({identifier: 'one'})});
		globalThis.s2 = U.createSession({configuration: U.createSessionConfiguration({type: U.SESSION_CONFIGURATION_TYPE_EPHEMERAL})});
	`)
	entries, err := os.ReadDir(filepath.Join(dataDir, "urlsession"))
	if err != nil || len(entries) != 2 {
		t.Fatalf("want two session directories under the data directory, got %v (%v)", entries, err)
	}
	if err := rt.Close(); err != nil {
		t.Fatal(err)
	}
	entries, _ = os.ReadDir(filepath.Join(dataDir, "urlsession"))
	if len(entries) != 0 {
		t.Errorf("Close left session directories: %v", entries)
	}
}

// TestCloseDuringTransfers: cancelling a run with transfers in flight, then closing the
// runtime, returns promptly and leaks nothing (goleak checks goroutines at the end).
func TestCloseDuringTransfers(t *testing.T) {
	rt := newRuntime(t, nil, runtime.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	err := rt.RunString(ctx, "slow.js", `
		const U = require('com.appcelerator.urlSession');
		const s = U.createSession({configuration: U.createSessionConfiguration({identifier: 'slow'})});
		Ti.App.iOS.addEventListener('downloadprogress', () => {});
		for (let i = 0; i < 4; i++) s.downloadTask({url: process.env.TIRUN_FIXTURE_URL + '/slow/10000000?rate=100000'});
		s.dataTask({url: process.env.TIRUN_FIXTURE_URL + '/delay/30000'});
	`)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want the run cut by its deadline, got %v", err)
	}
	closed := make(chan error, 1)
	go func() { closed <- rt.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Close did not return with transfers in flight")
	}
}

// TestDeprecatedCallsWarnOncePerProcess: each deprecated call logs one warning naming its
// replacement, however often and in however many runtimes it is used.
func TestDeprecatedCallsWarnOncePerProcess(t *testing.T) {
	warned.Clear()
	var logs syncBuffer
	script := `
		const U = require('com.appcelerator.urlSession');
		const base = process.env.TIRUN_FIXTURE_URL;
		for (let i = 0; i < 3; i++) {
			const cfg = U.createURLSessionBackgroundConfiguration('dep.' + i);
			const s = U.createURLSession({configuration: cfg});
			U.createSession(U.createSessionConfiguration({identifier: 'bare.' + i})).invalidateAndCancel();
			U.createURLSession(U.createSessionConfiguration({identifier: 'bare2.' + i})).invalidateAndCancel();
			U.backgroundDownloadTaskWithURL(s, base + '/bytes/10');
			U.finishTasksAndInvalidate(s);
			const s2 = U.createSession({configuration: U.createSessionConfiguration({identifier: 'dep2.' + i})});
			U.invalidateAndCancel(s2);
		}
	`
	for i := 0; i < 2; i++ {
		rt := newRuntime(t, &logs, runtime.Options{})
		run(t, rt, script)
	}
	out := logs.String()
	for api, replacement := range map[string]string{
		"createURLSessionBackgroundConfiguration(identifier)": "createSessionConfiguration({identifier: identifier})",
		"createURLSession":                            "createSession",
		"createSession(configuration)":                "createSession({configuration: configuration})",
		"createURLSession(configuration)":             "createSession({configuration: configuration})",
		"backgroundDownloadTaskWithURL(session, url)": "session.downloadTask({url: url})",
		"finishTasksAndInvalidate(session)":           "session.finishTasksAndInvalidate()",
		"invalidateAndCancel(session)":                "session.invalidateAndCancel()",
	} {
		line := "[WARN] Modules.URLSession: " + api + " is deprecated; use " + replacement + " instead\n"
		if n := strings.Count(out, line); n != 1 {
			t.Errorf("%q logged %d times, want once:\n%s", line, n, out)
		}
	}
}

// TestInterruptIsNotCaughtAsBadData: stopping a run while dataTask serialises its data (a
// toJSON that never returns) ends the run; the script cannot catch it as a bad-data TypeError.
func TestInterruptIsNotCaughtAsBadData(t *testing.T) {
	rt := newRuntime(t, nil, runtime.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	err := rt.RunString(ctx, "spin.js", `
		const U = require('com.appcelerator.urlSession');
		const s = U.createSession({configuration: U.createSessionConfiguration({identifier: 'spin'})});
		try {
			s.dataTask({url: process.env.TIRUN_FIXTURE_URL + '/echo', data: {toJSON() { for (;;) {} }}});
		} catch (e) {
			globalThis.caught = String(e);
		}
		globalThis.after = true;
	`)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want the run stopped by its deadline, got %v", err)
	}
	if v := rt.VM().Get("caught"); v != nil && !goja.IsUndefined(v) {
		t.Errorf("the interrupt was caught by the script as %v", v)
	}
}

// TestEngineFailureIsAnErrorAndRetried: when the engine cannot start (its directory is taken
// by a file), createSession throws a catchable Error; once the cause is gone, it works.
func TestEngineFailureIsAnErrorAndRetried(t *testing.T) {
	dataDir := t.TempDir()
	blocker := filepath.Join(dataDir, "urlsession")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	rt := newRuntime(t, nil, runtime.Options{DataDir: dataDir})
	run(t, rt, `
		const U = require('com.appcelerator.urlSession');
		const cfg = U.createSessionConfiguration({identifier: 'blocked'});
		try {
			U.createSession({configuration: cfg});
		} catch (e) {
			globalThis.failure = (e instanceof TypeError ? 'TypeError: ' : 'Error: ') + e.message;
		}
	`)
	if got := rt.VM().Get("failure").String(); !strings.HasPrefix(got, "Error: createSession: the transfer engine could not start") {
		t.Fatalf("want a catchable Error naming createSession, got %q", got)
	}
	if err := os.Remove(blocker); err != nil {
		t.Fatal(err)
	}
	run(t, rt, `globalThis.ok = require('com.appcelerator.urlSession').createSession({configuration: cfg}).apiName`)
	if got := rt.VM().Get("ok").String(); got != "Modules.URLSession.Session" {
		t.Fatalf("createSession after the cause was removed: %q", got)
	}
}

// TestThrowingListenerIsAnUncaughtError: an exception in an event listener ends the run as an
// uncaught error naming the script line, like any other async callback.
func TestThrowingListenerIsAnUncaughtError(t *testing.T) {
	rt := newRuntime(t, nil, runtime.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := rt.RunString(ctx, "throws.js", `
		const U = require('com.appcelerator.urlSession');
		const s = U.createSession({configuration: U.createSessionConfiguration({identifier: 'throws'})});
		Ti.App.iOS.addEventListener('sessioncompleted', e => {
			throw new Error('listener failed for task ' + e.taskIdentifier);
		});
		s.dataTask({url: process.env.TIRUN_FIXTURE_URL + '/json'});
	`)
	var ue *loop.UncaughtError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "listener failed for task 1") || !strings.Contains(err.Error(), "throws.js:5") {
		t.Fatalf("want an uncaught error from throws.js:5, got %v", err)
	}
}
