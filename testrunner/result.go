package testrunner

import "time"

// State is how a test ended.
type State int

const (
	Passed State = iota
	Failed
	Pending
)

func (s State) String() string {
	switch s {
	case Passed:
		return "passed"
	case Failed:
		return "failed"
	default:
		return "pending"
	}
}

// Result is one reported line: a test, or a failed hook or file load.
type Result struct {
	Title     string   // test title, or `"before each" hook for "x"`
	FullTitle string   // suite titles and Title, space separated
	Suites    []string // enclosing suite titles, outermost first
	File      string   // the test file, as given or found
	State     State
	Duration  time.Duration
	Err       *TestError // set when Failed
	Hook      bool       // a hook, a file load or an uncaught error, not a test
}

// Stats totals a run.
type Stats struct {
	Suites   int
	Tests    int // tests that ran or were pending (hooks excluded)
	Passes   int
	Failures int // failed tests, hooks, file loads and stray uncaught errors
	Pending  int
	Start    time.Time
	Duration time.Duration
}

// Reporter receives a run's events, all from one goroutine, in order.
type Reporter interface {
	Begin(total int)
	SuiteBegin(titles []string) // titles of the suite, outermost first
	SuiteEnd(titles []string)
	Result(r *Result)
	End(stats Stats) error
}
