package testrunner

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestDiscoverFindsTestFilesAndSkipsNodeModules(t *testing.T) {
	dir := writeJS(t, map[string]string{
		"a.test.js":                  "",
		"sub/b.spec.js":              "",
		"sub/c.test.cjs":             "",
		"sub/helper.js":              "",
		"node_modules/pkg/d.test.js": "",
		"sub/node_modules/e.test.js": "",
		".hidden/f.test.js":          "",
		"explicit.js":                "",
	})
	got, err := Discover([]string{dir, filepath.Join(dir, "explicit.js"), filepath.Join(dir, "a.test.js")})
	if err != nil {
		t.Fatal(err)
	}
	var rel []string
	for _, f := range got {
		r, _ := filepath.Rel(dir, f)
		rel = append(rel, filepath.ToSlash(r))
	}
	want := []string{"a.test.js", "explicit.js", "sub/b.spec.js", "sub/c.test.cjs"}
	if !reflect.DeepEqual(rel, want) {
		t.Fatalf("Discover = %v, want %v", rel, want)
	}
	if _, err := Discover([]string{filepath.Join(dir, "nope")}); err == nil {
		t.Fatal("a missing path must be an error")
	}
}

func TestCancellingTheContextEndsTheRunPromptly(t *testing.T) {
	dir := writeJS(t, map[string]string{"a.test.js": `
describe('s', function () {
  after(function () {});
  afterEach(function () {});
  it('waits forever', function (done) { this.timeout(0); });
  it('never reached', function () {});
});
`})
	ctx, cancel := context.WithCancel(context.Background())
	rec := &recorder{}
	done := make(chan error, 1)
	go func() {
		_, err := Run(ctx, Options{Paths: []string{dir}, Reporters: []Reporter{rec}, Stdout: os.Stderr})
		done <- err
	}()
	time.Sleep(200 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Run returned %v, want context.Canceled", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	for _, r := range rec.results {
		if r.Title == "never reached" {
			t.Fatal("a test ran after the run was cancelled")
		}
		if r.Hook {
			t.Fatalf("hook reported after cancel: %s", r.FullTitle)
		}
	}
}

func TestUncaughtErrorBetweenTestsIsReported(t *testing.T) {
	rec, stats, _ := runJS(t, `
describe('late', function () {
  it('leaves a bomb', function () { setTimeout(function () { throw new Error('late bomb'); }, 50); });
  it('waits for it', function (done) { setTimeout(done, 300); });
});
describe('last', function () {
  it('leaves one after the last test', function () { setTimeout(function () { throw new Error('very late'); }, 0); });
});
`, nil)
	rec.want(t, "leaves a bomb", Passed)
	// Like mocha, an error thrown while a test runs is charged to that test.
	if e := rec.want(t, "waits for it", Failed).Err; !strings.Contains(e.Message, "late bomb") {
		t.Fatalf("%+v", e)
	}
	rec.want(t, "leaves one after the last test", Passed)
	var stray *Result
	for _, r := range rec.results {
		if strings.Contains(r.Title, "uncaught error") {
			stray = r
		}
	}
	if stray == nil || !strings.Contains(stray.Err.Message, "very late") || stats.Failures != 2 {
		t.Fatalf("stray error not reported: %s (%+v)", rec.titles(), stats)
	}
}

func TestUncaughtErrorInHookFailsTheHook(t *testing.T) {
	rec, _, _ := runJS(t, `
describe('suite', function () {
  beforeEach(function (done) { setTimeout(function () { throw new Error('hook timer'); }, 1); });
  it('not run', function () {});
});
`, nil)
	if e := rec.want(t, `suite "before each" hook for "not run"`, Failed).Err; !strings.Contains(e.Message, "hook timer") {
		t.Fatalf("%+v", e)
	}
}

func TestCurrentTestInHooks(t *testing.T) {
	rec, _, out := runJS(t, `
describe('ctx', function () {
  afterEach(function () { console.log('AFTER ' + this.currentTest.fullTitle()); });
  it('named test', function () { if (this.test.title !== 'named test') throw new Error(this.test.title); });
});
`, nil)
	rec.want(t, "named test", Passed)
	if !strings.Contains(out, "AFTER ctx named test") {
		t.Fatalf("console: %s", out)
	}
}

func TestArgumentValidationThrowsTypeErrors(t *testing.T) {
	rec, _, _ := runJS(t, `
var assert = require('assert');
describe('validation', function () {
  it('it() with a bad callback', function () {});
});
var errs = [];
[function () { it('x', 42); }, function () { describe('y'); }, function () { before(); },
 function () { describe(1, function () {}); }, function () { it('z').timeout('abc'); }].forEach(function (f) {
  try { f(); errs.push('no error'); } catch (e) { errs.push(e instanceof TypeError ? e.message : 'not a TypeError: ' + e); }
});
describe('collected', function () {
  it('reports', function () {
    assert.deepStrictEqual(errs, [
      "it: argument 'fn' must be a function",
      "describe: suite \"y\" has no callback (argument 'fn' must be a function)",
      "before: argument 'fn' must be a function",
      "describe: argument 'title' must be a string",
      "timeout: argument 'ms' must be a non-negative number of milliseconds",
    ]);
  });
});
`, nil)
	rec.want(t, "reports", Passed)
}

func TestTimerErrorKeepsOtherPendingTimers(t *testing.T) {
	rec, _, _ := runJS(t, `
var fired = false;
describe('timers', function () {
  before(function () { setTimeout(function () { fired = true; }, 300); });
  it('throws in a timer', function (done) {
    setTimeout(function () { throw new Error('from timer'); }, 1);
  });
  it('interval throws', function (done) {
    var id = setInterval(function () { clearInterval(id); throw new Error('from interval'); }, 1);
  });
  it('the before() timer still fires', function (done) {
    setTimeout(function () { done(fired ? undefined : new Error('pending timer was dropped')); }, 400);
  });
});
`, nil)
	if e := rec.want(t, "throws in a timer", Failed).Err; e.Message != "Uncaught from timer" {
		t.Fatalf("%+v", e)
	}
	if e := rec.want(t, "interval throws", Failed).Err; e.Message != "Uncaught from interval" {
		t.Fatalf("%+v", e)
	}
	rec.want(t, "the before() timer still fires", Passed)
}

func TestTimerErrorWhileLoadingFailsTheFile(t *testing.T) {
	rec, stats, _ := runJS(t, `
setTimeout(function () { throw new Error('load-time timer'); }, 1);
it('declared', function () {});
`, nil)
	if stats.Failures != 1 || !strings.Contains(rec.results[0].Err.Message, "load-time timer") {
		t.Fatalf("%s %+v", rec.titles(), stats)
	}
}

func TestTopLevelIntervalFailsTheLoadInsteadOfHanging(t *testing.T) {
	saved := loadTimeout
	loadTimeout = 300 * time.Millisecond
	t.Cleanup(func() { loadTimeout = saved })
	rec, stats, _ := runJS(t, `setInterval(function () {}, 10); it('x', function () {});`, nil)
	if stats.Failures != 1 || !strings.Contains(rec.results[0].Err.Message, "keeps the event loop busy") {
		t.Fatalf("%s %+v", rec.titles(), stats)
	}
}
