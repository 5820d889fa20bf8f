package testrunner

import (
	"fmt"
	"regexp"
	"strings"
	"sync/atomic"
	"time"
)

// selection decides which tests of the whole run are reported and run.
type selection struct {
	anyOnly bool
	grep    *regexp.Regexp
	invert  bool
}

// selected: reported at all (run, or shown as pending).
func (sel *selection) selected(t *Test) bool {
	if sel.anyOnly && !onlySelects(t) {
		return false
	}
	if sel.grep != nil && sel.grep.MatchString(t.FullTitle()) == sel.invert {
		return false
	}
	return true
}

// onlySelects applies mocha's .only rule: a test marked .only runs; a suite
// marked .only runs its tests unless some test inside it is itself .only.
func onlySelects(t *Test) bool {
	if t.only {
		return true
	}
	for s := t.Parent; s != nil; s = s.Parent {
		if s.only {
			return !s.hasOnlyTest()
		}
	}
	return false
}

// resolve decides, once per test, whether it is selected, and totals each
// suite's reported and runnable tests, so the scheduler reads them instead
// of re-walking a suite's subtree (and re-matching --grep) at every level.
func (sel *selection) resolve(s *Suite) {
	s.reported, s.runnable = 0, 0
	for _, t := range s.Tests {
		t.selected = sel.selected(t)
		if t.selected {
			s.reported++
			if !t.skipped() {
				s.runnable++
			}
		}
	}
	for _, c := range s.Suites {
		sel.resolve(c)
		s.reported += c.reported
		s.runnable += c.runnable
	}
}

// scheduler walks one file's suites on the runner goroutine.
type scheduler struct {
	d       *driver
	rep     Reporter
	stats   *Stats
	file    string
	def     time.Duration
	bail    bool
	stopped *atomic.Bool // set on the first failure under --bail; shared by files
	lastRun string       // title of the last runnable, for stray errors
}

// halted: --bail saw a failure, or the run was cancelled.
func (s *scheduler) halted() bool {
	return s.stopped.Load() || s.d.runCtx.Err() != nil
}

func (s *scheduler) report(r *Result) {
	r.File = s.file
	switch r.State {
	case Passed:
		s.stats.Passes++
	case Failed:
		s.stats.Failures++
		if s.bail {
			s.stopped.Store(true)
		}
	case Pending:
		s.stats.Pending++
	}
	if !r.Hook {
		s.stats.Tests++
	}
	s.rep.Result(r)
}

// flushOrphans reports uncaught errors that came between runnables.
func (s *scheduler) flushOrphans(suite *Suite) {
	for _, e := range s.d.takeOrphans() {
		title := "uncaught error outside a running test"
		if s.lastRun != "" {
			title = fmt.Sprintf("uncaught error after %q finished", s.lastRun)
		}
		s.reportHookFailure(suite, title, e)
	}
}

// reportHookFailure reports a failed hook, or a stray uncaught error, as a
// failed line of suite su.
func (s *scheduler) reportHookFailure(su *Suite, title string, err *TestError) {
	path := su.titlePath()
	s.report(&Result{Title: title, FullTitle: joinTitle(path, title), Suites: path, State: Failed, Err: err, Hook: true})
}

func joinTitle(path []string, title string) string {
	return strings.TrimSpace(strings.Join(append(append([]string{}, path...), title), " "))
}

func hookTitle(h *Hook, forTest string, suite *Suite) string {
	name := `"` + h.kind + `" hook`
	if h.title != "" {
		name += ": " + h.title
	}
	switch {
	case forTest != "":
		return name + ` for "` + forTest + `"`
	case suite.Title != "":
		return name + ` in "` + suite.Title + `"`
	default:
		return name
	}
}

// runSuite runs a suite's tests, then its child suites, between its
// before-all and after-all hooks.
func (s *scheduler) runSuite(su *Suite) {
	runnable := su.runnable
	if su.reported == 0 || s.halted() {
		return
	}
	path := su.titlePath()
	if su.Parent != nil {
		s.stats.Suites++
		s.rep.SuiteBegin(path)
		defer s.rep.SuiteEnd(path)
	}
	aborted := false
	skipAll := runnable == 0
	if runnable > 0 {
		for _, h := range su.before {
			o := s.runHook(h, nil)
			if o.pending { // this.skip() in before(): every test here is pending
				skipAll = true
				break
			}
			if o.err != nil {
				aborted = true
				break
			}
		}
	}
	if !aborted {
		for _, t := range su.Tests {
			if s.halted() {
				break
			}
			if !t.selected {
				continue
			}
			if skipAll || t.skipped() {
				s.report(&Result{Title: t.Title, FullTitle: t.FullTitle(), Suites: path, State: Pending})
				continue
			}
			if !s.runTest(t) {
				aborted = true
				break
			}
		}
	}
	if !aborted && !skipAll {
		for _, c := range su.Suites {
			if s.halted() {
				break
			}
			s.runSuite(c)
		}
	} else if skipAll {
		s.reportPending(su.Suites)
	}
	if runnable > 0 {
		for _, h := range su.after {
			s.runHook(h, nil)
		}
	}
	s.flushOrphans(su)
}

func (s *scheduler) reportPending(suites []*Suite) {
	for _, c := range suites {
		for _, t := range c.Tests {
			if t.selected {
				s.report(&Result{Title: t.Title, FullTitle: t.FullTitle(), Suites: c.titlePath(), State: Pending})
			}
		}
		s.reportPending(c.Suites)
	}
}

// runHook runs h (for test t, nil for an all-hook) and reports it as a
// failed line of its suite when it fails; the caller decides what a failure
// or this.skip() means for the tests around it.
func (s *scheduler) runHook(h *Hook, t *Test) outcome {
	if s.d.runCtx.Err() != nil {
		return outcome{} // aborted run: no hook runs, and none is reported as failed
	}
	forTest := ""
	if t != nil {
		forTest = t.Title
	}
	title := hookTitle(h, forTest, h.Parent)
	s.lastRun = title
	s.flushOrphans(h.Parent)
	o := s.d.runStep(title, h.fn, h.Parent.ctx, t, effectiveTimeout(h.timeout, h.Parent, s.def))
	if o.err != nil {
		s.reportHookFailure(h.Parent, title, o.err)
	}
	return o
}

// suiteChain lists the suites from the root down to s.
func suiteChain(s *Suite) []*Suite {
	var chain []*Suite
	for ; s != nil; s = s.Parent {
		chain = append([]*Suite{s}, chain...)
	}
	return chain
}

// runTest runs the each-hooks and the test, retrying as configured. It
// returns false when a hook failed, which ends the suite as in mocha.
func (s *scheduler) runTest(t *Test) bool {
	chain := suiteChain(t.Parent)
	path := t.Parent.titlePath()
	retries := effectiveRetries(t.retries, t.Parent)
	for attempt := 0; ; attempt++ {
		hookFailed := false
		var o outcome
		ran := false
		for _, su := range chain {
			for _, h := range su.beforeEach {
				if hookFailed || o.pending {
					break
				}
				ho := s.runHook(h, t)
				if ho.pending {
					o.pending = true
				} else if ho.err != nil {
					hookFailed = true
				}
			}
		}
		var dur time.Duration
		if !hookFailed && !o.pending {
			s.lastRun = t.Title
			s.flushOrphans(t.Parent)
			start := time.Now()
			o = s.d.runStep(t.Title, t.fn, t.Parent.ctx, t, effectiveTimeout(t.timeout, t.Parent, s.def))
			dur = time.Since(start)
			ran = true
		}
		retry := ran && o.err != nil && attempt < retries
		if !hookFailed && !retry {
			r := &Result{Title: t.Title, FullTitle: t.FullTitle(), Suites: path, Duration: dur}
			switch {
			case o.pending:
				r.State = Pending
			case o.err != nil:
				r.State, r.Err = Failed, o.err
			default:
				r.State = Passed
			}
			s.report(r)
		}
		for i := len(chain) - 1; i >= 0; i-- {
			for _, h := range chain[i].afterEach {
				if ho := s.runHook(h, t); ho.err != nil {
					hookFailed = true
				}
			}
		}
		if hookFailed {
			return false
		}
		if !retry {
			return true
		}
	}
}
