package testrunner

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"
)

// specReporter prints mocha's default "spec" layout: an indented tree with
// a mark per test, then a summary and the numbered failures.
type specReporter struct {
	w        *bufio.Writer
	color    bool
	failures []*Result
}

// NewSpecReporter writes to w; color adds ANSI colours (use it on a TTY).
func NewSpecReporter(w io.Writer, color bool) Reporter {
	return &specReporter{w: bufio.NewWriter(w), color: color}
}

const slowThreshold = 75 * time.Millisecond

const (
	ansiGreen  = "32"
	ansiRed    = "31"
	ansiCyan   = "36"
	ansiGray   = "90"
	ansiYellow = "33"
)

func (r *specReporter) paint(code, s string) string {
	if !r.color {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

func (r *specReporter) Begin(int) { fmt.Fprintln(r.w) }

func (r *specReporter) SuiteBegin(titles []string) {
	fmt.Fprintf(r.w, "%s%s\n", strings.Repeat("  ", len(titles)), titles[len(titles)-1])
	r.w.Flush() // console output of the tests comes next, keep order
}

func (r *specReporter) SuiteEnd(titles []string) {
	if len(titles) == 1 { // a top-level suite ended
		fmt.Fprintln(r.w)
	}
}

func (r *specReporter) Result(res *Result) {
	ind := strings.Repeat("  ", len(res.Suites)+1)
	switch res.State {
	case Passed:
		line := ind + r.paint(ansiGreen, "✓") + " " + r.paint(ansiGray, res.Title)
		// Like mocha, show the time of tests slower than half its default
		// "slow" threshold of 75 ms.
		if res.Duration > slowThreshold/2 {
			line += r.paint(ansiYellow, fmt.Sprintf(" (%dms)", res.Duration.Milliseconds()))
		}
		fmt.Fprintln(r.w, line)
	case Pending:
		fmt.Fprintln(r.w, ind+r.paint(ansiCyan, "- "+res.Title))
	case Failed:
		r.failures = append(r.failures, res)
		fmt.Fprintln(r.w, ind+r.paint(ansiRed, fmt.Sprintf("%d) %s", len(r.failures), res.Title)))
	}
	r.w.Flush()
}

func (r *specReporter) End(s Stats) error {
	fmt.Fprintln(r.w)
	fmt.Fprintln(r.w, r.paint(ansiGreen, fmt.Sprintf("  %d passing", s.Passes))+r.paint(ansiGray, fmt.Sprintf(" (%s)", roundDuration(s.Duration))))
	if s.Pending > 0 {
		fmt.Fprintln(r.w, r.paint(ansiCyan, fmt.Sprintf("  %d pending", s.Pending)))
	}
	if s.Failures > 0 {
		fmt.Fprintln(r.w, r.paint(ansiRed, fmt.Sprintf("  %d failing", s.Failures)))
	}
	for i, f := range r.failures {
		fmt.Fprintln(r.w)
		fmt.Fprintf(r.w, "  %d) %s\n", i+1, f.FullTitle)
		if f.File != "" {
			fmt.Fprintf(r.w, "     %s\n", r.paint(ansiGray, f.File))
		}
		writeFailure(r.w, f.Err, "     ", r.paint)
	}
	fmt.Fprintln(r.w)
	return r.w.Flush()
}

// writeFailure prints the error, an expected/actual block when known, and
// the stack.
func writeFailure(w io.Writer, e *TestError, ind string, paint func(string, string) string) {
	if e == nil {
		return
	}
	for _, l := range strings.Split(strings.TrimRight(e.Error(), "\n "), "\n") {
		fmt.Fprintf(w, "%s%s\n", ind, paint(ansiRed, l))
	}
	if e.HasDiff {
		fmt.Fprintf(w, "\n%s%s %s\n\n", ind, paint(ansiGreen, "+ expected"), paint(ansiRed, "- actual"))
		for _, l := range lineDiff(e.Expected, e.Actual) {
			switch l[0] {
			case '+':
				l = paint(ansiGreen, l)
			case '-':
				l = paint(ansiRed, l)
			}
			fmt.Fprintf(w, "%s%s\n", ind, l)
		}
		fmt.Fprintln(w)
	}
	if e.Stack != "" {
		for _, l := range strings.Split(e.Stack, "\n") {
			fmt.Fprintf(w, "%s%s\n", ind, paint(ansiGray, strings.TrimSpace(l)))
		}
	}
}

func roundDuration(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%dms", d.Milliseconds())
	}
	return fmt.Sprintf("%.1fs", d.Seconds())
}
