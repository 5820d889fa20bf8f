package testrunner

import (
	"strings"
	"time"

	"github.com/dop251/goja"
)

// Suite is one describe() block; the root suite of a file has no title.
type Suite struct {
	Title  string
	File   string
	Parent *Suite
	Suites []*Suite
	Tests  []*Test

	before, after, beforeEach, afterEach []*Hook

	only, skip bool
	timeout    time.Duration // <0: inherit
	retries    int           // <0: inherit
	ctx        *goja.Object  // `this` of its hooks and tests; prototype = parent's ctx

	// Set once by selection.resolve after every file has loaded: tests of
	// the tree below that are reported (run or pending), and that will run.
	reported, runnable int
}

// Test is one it() / specify().
type Test struct {
	Title  string
	Parent *Suite
	fn     goja.Value // nil: pending (no callback)

	only, skip bool
	timeout    time.Duration // <0: inherit
	retries    int           // <0: inherit
	selected   bool          // reported at all; set by selection.resolve
}

// Hook is a before/after/beforeEach/afterEach callback.
type Hook struct {
	kind   string // "before all", "after all", "before each", "after each"
	title  string // optional name given to the hook
	Parent *Suite
	fn     goja.Value

	timeout time.Duration // <0: inherit
}

func newSuite(title, file string, parent *Suite) *Suite {
	return &Suite{Title: title, File: file, Parent: parent, timeout: -1, retries: -1}
}

// titlePath is the titles from the outermost suite down, without the root.
func (s *Suite) titlePath() []string {
	if s == nil || s.Parent == nil {
		return nil
	}
	return append(s.Parent.titlePath(), s.Title)
}

// FullTitle joins the suite titles with spaces, as mocha does.
func (s *Suite) FullTitle() string { return strings.Join(s.titlePath(), " ") }

// FullTitle is the suite titles and the test title, space separated.
func (t *Test) FullTitle() string {
	return strings.Join(append(t.Parent.titlePath(), t.Title), " ")
}

// effectiveTimeout resolves inheritance: own value, then the nearest suite's,
// then the run's default. Zero disables the timeout.
func effectiveTimeout(own time.Duration, s *Suite, def time.Duration) time.Duration {
	if own >= 0 {
		return own
	}
	for ; s != nil; s = s.Parent {
		if s.timeout >= 0 {
			return s.timeout
		}
	}
	return def
}

func effectiveRetries(own int, s *Suite) int {
	if own >= 0 {
		return own
	}
	for ; s != nil; s = s.Parent {
		if s.retries >= 0 {
			return s.retries
		}
	}
	return 0
}

// skipped reports whether the test or any enclosing suite was marked .skip.
func (t *Test) skipped() bool {
	if t.skip || t.fn == nil {
		return true
	}
	for s := t.Parent; s != nil; s = s.Parent {
		if s.skip {
			return true
		}
	}
	return false
}

// hasOnly reports whether any suite or test of the tree uses .only.
func (s *Suite) hasOnly() bool {
	if s.only {
		return true
	}
	for _, t := range s.Tests {
		if t.only {
			return true
		}
	}
	for _, c := range s.Suites {
		if c.hasOnly() {
			return true
		}
	}
	return false
}

// hasOnlyTest reports whether a test below s (itself or nested) is
// marked .only: mocha then runs only those tests, even inside a .only suite.
func (s *Suite) hasOnlyTest() bool {
	for _, t := range s.Tests {
		if t.only {
			return true
		}
	}
	for _, c := range s.Suites {
		if c.hasOnlyTest() {
			return true
		}
	}
	return false
}
