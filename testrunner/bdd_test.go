package testrunner

import (
	"strings"
	"testing"
)

func TestSyncAsyncDoneAndPromiseTests(t *testing.T) {
	rec, stats, _ := runJS(t, `
describe('styles', function () {
  it('sync passes', function () {});
  it('sync throws', function () { throw new Error('boom'); });
  it('done passes', function (done) { setTimeout(done, 5); });
  it('done(err) fails', function (done) { setTimeout(function () { done(new Error('via done')); }, 5); });
  it('promise resolves', function () { return new Promise(function (r) { setTimeout(r, 5); }); });
  it('promise rejects', function () { return Promise.reject(new TypeError('rejected')); });
  it('async function passes', async function () { await null; });
  it('async function throws', async function () { await null; throw new RangeError('async boom'); });
  it('done with non-error', function (done) { done('just a string'); });
  it('overspecified', function (done) { return Promise.resolve(); });
});
`, nil)
	rec.want(t, "sync passes", Passed)
	if e := rec.want(t, "sync throws", Failed).Err; e.Name != "Error" || e.Message != "boom" || !strings.Contains(e.Stack, "a.test.js") {
		t.Fatalf("sync throw reported as %+v", e)
	}
	rec.want(t, "done passes", Passed)
	if e := rec.want(t, "done(err) fails", Failed).Err; e.Message != "via done" {
		t.Fatalf("%+v", e)
	}
	rec.want(t, "promise resolves", Passed)
	if e := rec.want(t, "promise rejects", Failed).Err; e.Name != "TypeError" || e.Message != "rejected" {
		t.Fatalf("%+v", e)
	}
	rec.want(t, "async function passes", Passed)
	if e := rec.want(t, "async function throws", Failed).Err; e.Name != "RangeError" {
		t.Fatalf("%+v", e)
	}
	if e := rec.want(t, "done with non-error", Failed).Err; !strings.Contains(e.Message, "non-Error") {
		t.Fatalf("%+v", e)
	}
	if e := rec.want(t, "overspecified", Failed).Err; !strings.Contains(e.Message, "overspecified") {
		t.Fatalf("%+v", e)
	}
	if stats.Passes != 4 || stats.Failures != 6 || stats.Tests != 10 {
		t.Fatalf("stats %+v", stats)
	}
}

func TestTimeoutsDefaultPerTestAndFromThis(t *testing.T) {
	rec, _, _ := runJS(t, `
describe('timeouts', function () {
  this.timeout(300);
  it('never calls done', function (done) {});
  it('promise never settles', function () { return new Promise(function () {}); });
  it('raises its own timeout', function (done) { this.timeout(2000); setTimeout(done, 500); });
  it('chained timeout', function (done) { setTimeout(done, 450); }).timeout(1500);
  it('zero disables', function (done) { this.timeout(0); setTimeout(done, 400); });
  it('reads its timeout', function () { if (this.timeout() !== 300) throw new Error('got ' + this.timeout()); });
});
describe('blocked', function () {
  it('spins forever', function () { this.timeout(200); while (true) {} });
  it('next test still runs', function () {});
});
`, nil)
	for _, title := range []string{"never calls done", "promise never settles"} {
		if e := rec.want(t, title, Failed).Err; !strings.Contains(e.Message, "Timeout of 300ms exceeded") {
			t.Fatalf("%s: %+v", title, e)
		}
	}
	rec.want(t, "raises its own timeout", Passed)
	rec.want(t, "chained timeout", Passed)
	rec.want(t, "zero disables", Passed)
	rec.want(t, "reads its timeout", Passed)
	if e := rec.want(t, "spins forever", Failed).Err; !strings.Contains(e.Message, "interrupted") {
		t.Fatalf("%+v", e)
	}
	rec.want(t, "next test still runs", Passed)
}

func TestDefaultTimeoutOptionApplies(t *testing.T) {
	rec, _, _ := runJS(t, `it('slow', function (done) { setTimeout(done, 400); });`, func(o *Options) { o.Timeout = 100 * 1e6 })
	if e := rec.want(t, "slow", Failed).Err; !strings.Contains(e.Message, "Timeout of 100ms") {
		t.Fatalf("%+v", e)
	}
}

func TestUncaughtErrorsAreChargedToTheRunningTest(t *testing.T) {
	rec, stats, _ := runJS(t, `
describe('uncaught', function () {
  it('throws in a timer', function (done) {
    setTimeout(function () { throw new Error('timer boom'); }, 1);
    setTimeout(done, 200);
  });
  it('unhandled rejection', function (done) {
    Promise.reject(new Error('nobody listens'));
    setTimeout(done, 200);
  });
  it('after the storm', function () {});
  it('async with timer', function () {
    return new Promise(function (resolve) {
      setTimeout(function () { throw new TypeError('inner'); }, 1);
    });
  });
  it('last', function (done) { setTimeout(done, 1); });
});
`, nil)
	if e := rec.want(t, "throws in a timer", Failed).Err; !strings.Contains(e.Message, "timer boom") || !strings.Contains(e.Stack, "a.test.js") {
		t.Fatalf("%+v", e)
	}
	if e := rec.want(t, "unhandled rejection", Failed).Err; !strings.Contains(e.Message, "nobody listens") {
		t.Fatalf("%+v", e)
	}
	rec.want(t, "after the storm", Passed)
	if e := rec.want(t, "async with timer", Failed).Err; e.Name != "TypeError" {
		t.Fatalf("%+v", e)
	}
	rec.want(t, "last", Passed)
	if stats.Failures != 3 {
		t.Fatalf("stats %+v (%s)", stats, rec.titles())
	}
}

func TestHooksOrderAndSharedContext(t *testing.T) {
	rec, _, out := runJS(t, `
var log = [];
describe('outer', function () {
  before(function () { log.push('before'); this.shared = 'yes'; });
  beforeEach(function () { log.push('outer beforeEach'); });
  afterEach(function () { log.push('outer afterEach'); });
  after(function () { log.push('after'); console.log('LOG ' + log.join(',')); });
  it('first', function () { log.push('first'); if (this.shared !== 'yes') throw new Error('context not shared'); });
  describe('inner', function () {
    beforeEach('named', function (done) { log.push('inner beforeEach'); setTimeout(done, 1); });
    afterEach(async function () { log.push('inner afterEach'); });
    it('second', function () { log.push('second'); if (this.shared !== 'yes') throw new Error('not inherited'); });
  });
});
`, nil)
	rec.want(t, "first", Passed)
	rec.want(t, "second", Passed)
	want := "LOG before,outer beforeEach,first,outer afterEach,outer beforeEach,inner beforeEach,second,inner afterEach,outer afterEach,after"
	if !strings.Contains(out, want) {
		t.Fatalf("hook order:\n%s\nwant %s", out, want)
	}
}

func TestFailingHooks(t *testing.T) {
	rec, stats, out := runJS(t, `
describe('before all fails', function () {
  before(function () { throw new Error('setup broke'); });
  after(function () { console.log('after still runs'); });
  it('never runs', function () {});
});
describe('beforeEach fails', function () {
  beforeEach(function () { throw new Error('each broke'); });
  it('a', function () {});
  it('b', function () {});
});
describe('fine', function () { it('runs', function () {}); });
`, nil)
	rec.want(t, `before all fails "before all" hook in "before all fails"`, Failed)
	rec.want(t, `beforeEach fails "before each" hook for "a"`, Failed)
	rec.want(t, "runs", Passed)
	for _, r := range rec.results {
		if r.Title == "never runs" || r.Title == "b" || r.Title == "a" {
			t.Fatalf("%q was reported after its hook failed", r.Title)
		}
	}
	if stats.Failures != 2 || stats.Passes != 1 {
		t.Fatalf("%+v", stats)
	}
	if !strings.Contains(out, "after still runs") {
		t.Fatalf("after() must run when before() failed; console: %s", out)
	}
}

func TestOnlyAndSkip(t *testing.T) {
	dir := writeJS(t, map[string]string{
		"one.test.js": `
describe('suite', function () {
  it('not selected', function () {});
  it.only('selected test', function () {});
  it.skip('skipped test', function () {});
  xit('xit test', function () {});
  it('no callback');
});
describe.only('only suite', function () {
  it('runs in only suite', function () {});
});
describe.skip('skipped suite', function () { it('inside skipped', function () {}); });
`,
		"two.test.js": `it('other file not selected', function () {});`,
	})
	rec, stats, _ := runDir(t, dir, nil)
	rec.want(t, "selected test", Passed)
	rec.want(t, "runs in only suite", Passed)
	if stats.Tests != 2 || stats.Pending != 0 || rec.total != 2 {
		t.Fatalf("only selected %s (stats %+v, total %d)", rec.titles(), stats, rec.total)
	}

	rec, stats, _ = runJS(t, `
describe('suite', function () {
  it('runs', function () {});
  it.skip('skipped test', function () {});
  xit('xit test', function () {});
  it('no callback');
  it('skips itself', function () { this.skip(); throw new Error('unreachable'); });
  it('skips from a timer', function (done) { var self = this; setTimeout(function () { self.skip(); }, 1); });
});
describe.skip('skipped suite', function () { it('inside skipped', function () {}); });
xdescribe('x suite', function () { it('inside x', function () {}); });
describe('before skips', function () {
  before(function () { this.skip(); });
  it('skipped by before', function () {});
});
`, nil)
	rec.want(t, "runs", Passed)
	for _, title := range []string{"skipped test", "xit test", "no callback", "skips itself", "skips from a timer", "inside skipped", "inside x", "skipped by before"} {
		rec.want(t, title, Pending)
	}
	if stats.Pending != 8 || stats.Failures != 0 {
		t.Fatalf("%+v", stats)
	}
}

func TestGrepInvertAndBail(t *testing.T) {
	src := `
describe('math', function () {
  it('adds', function () {});
  it('fails first', function () { throw new Error('x'); });
  it('subtracts', function () {});
});
describe('strings', function () { it('concat', function () {}); });
`
	rec, _, _ := runJS(t, src, func(o *Options) { o.Grep = "^math (adds|subtracts)$" })
	if got := rec.titles(); got != "passed:math adds | passed:math subtracts" {
		t.Fatalf("grep selected %s", got)
	}
	rec, _, _ = runJS(t, src, func(o *Options) { o.Grep = "math"; o.Invert = true })
	if got := rec.titles(); got != "passed:strings concat" {
		t.Fatalf("inverted grep selected %s", got)
	}
	rec, stats, _ := runJS(t, src, func(o *Options) { o.Bail = true })
	if got := rec.titles(); got != "passed:math adds | failed:math fails first" || stats.Failures != 1 {
		t.Fatalf("bail ran %s", got)
	}
}

func TestRetries(t *testing.T) {
	rec, stats, _ := runJS(t, `
var n = 0, m = 0;
describe('flaky', function () {
  this.retries(2);
  it('passes on the third try', function () { n++; if (n < 3) throw new Error('try ' + n); });
  it('always fails', function () { m++; throw new Error('attempt ' + m); });
});
`, nil)
	rec.want(t, "passes on the third try", Passed)
	if e := rec.want(t, "always fails", Failed).Err; e.Message != "attempt 3" {
		t.Fatalf("%+v", e)
	}
	if stats.Tests != 2 {
		t.Fatalf("retries were reported as extra tests: %+v", stats)
	}
}

func TestLoadErrorsFailTheFile(t *testing.T) {
	dir := writeJS(t, map[string]string{
		"syntax.test.js":  "describe('x', function () { it('y', function () { ",
		"throws.test.js":  "describe('x', function () { throw new Error('in describe'); });",
		"ok.test.js":      "it('fine', function () {});",
		"bad-arg.test.js": "it(42, function () {});",
	})
	rec, stats, _ := runDir(t, dir, nil)
	rec.want(t, "fine", Passed)
	if stats.Failures != 3 {
		t.Fatalf("%+v %s", stats, rec.titles())
	}
	for _, r := range rec.results {
		if r.State == Failed && strings.HasSuffix(r.File, "bad-arg.test.js") && !strings.Contains(r.Err.Message, "argument 'title' must be a string") {
			t.Fatalf("bad argument error: %+v", r.Err)
		}
	}
}

func TestDefiningTestsWhileRunningIsAnError(t *testing.T) {
	rec, _, _ := runJS(t, `it('nests', function () { it('inner', function () {}); });`, nil)
	if e := rec.want(t, "nests", Failed).Err; !strings.Contains(e.Message, "while tests are running") {
		t.Fatalf("%+v", e)
	}
}

func TestFixtureEnvReachesScripts(t *testing.T) {
	rec, _, _ := runJS(t, `it('env', function () { if (process.env.TIRUN_FIXTURE_URL !== 'http://127.0.0.1:1') throw new Error(process.env.TIRUN_FIXTURE_URL); });`,
		func(o *Options) { o.Env = map[string]string{"TIRUN_FIXTURE_URL": "http://127.0.0.1:1"} })
	rec.want(t, "env", Passed)
}

func TestAliasesContextSpecifyAndXVariants(t *testing.T) {
	rec, stats, _ := runJS(t, `
context('ctx alias', function () {
  specify('specify alias', function () {});
  xspecify('xspecify alias', function () {});
});
xcontext('xcontext alias', function () { it('inside', function () {}); });
describe('hooks with titles', function () {
  var order = [];
  before('named before', function () { order.push('b'); });
  beforeEach('named each', function () { order.push('e'); });
  it('sees them', function () { if (order.join('') !== 'be') throw new Error(order.join('')); });
});
`, nil)
	rec.want(t, "ctx alias specify alias", Passed)
	rec.want(t, "xspecify alias", Pending)
	rec.want(t, "xcontext alias inside", Pending)
	rec.want(t, "sees them", Passed)
	if stats.Suites != 3 {
		t.Fatalf("%+v", stats)
	}
}

func TestThisTimeoutInHooks(t *testing.T) {
	rec, stats, _ := runJS(t, `
describe('hooks', function () {
  this.timeout(100);
  before(function (done) { this.timeout(1500); setTimeout(done, 300); });
  beforeEach(function (done) { setTimeout(done, 300); });
  it('behind a slow beforeEach', function () {});
});
`, nil)
	// before() raised its own timeout and passed; beforeEach kept 100 ms and failed.
	if e := rec.want(t, `hooks "before each" hook for "behind a slow beforeEach"`, Failed).Err; !strings.Contains(e.Message, "Timeout of 100ms") {
		t.Fatalf("%+v", e)
	}
	if stats.Failures != 1 {
		t.Fatalf("%s", rec.titles())
	}
}

// An unhandled rejection fails its test without ending the loop's run, so a timer started
// earlier (in a before hook) still fires for a later test.
func TestUncaughtRejectionKeepsPendingTimers(t *testing.T) {
	rec, stats, _ := runJS(t, `
describe('survivors', function () {
  var fired = false;
  before(function () { setTimeout(function () { fired = true; }, 300); });
  it('rejects', function (done) {
    Promise.reject(new Error('dropped on the floor'));
    setTimeout(done, 50);
  });
  it('sees the timer from before()', function (done) {
    (function wait() { if (fired) { done(); } else { setTimeout(wait, 10); } })();
  });
});
`, nil)
	if e := rec.want(t, "rejects", Failed).Err; !strings.Contains(e.Message, "dropped on the floor") {
		t.Fatalf("%+v", e)
	}
	rec.want(t, "sees the timer from before()", Passed)
	if stats.Failures != 1 {
		t.Fatalf("stats %+v (%s)", stats, rec.titles())
	}
}
