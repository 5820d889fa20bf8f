package testrunner

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// tapReporter writes TAP version 13: one line per result, a YAML block
// under failures, then the plan and totals. The plan goes last (TAP allows
// it) because failed hooks and file loads add lines nobody could count
// in advance.
type tapReporter struct {
	w *bufio.Writer
	n int
}

// NewTAPReporter writes TAP version 13 to w.
func NewTAPReporter(w io.Writer) Reporter { return &tapReporter{w: bufio.NewWriter(w)} }

func (r *tapReporter) Begin(int) {
	fmt.Fprintln(r.w, "TAP version 13")
	r.w.Flush()
}

func (r *tapReporter) SuiteBegin([]string) {}
func (r *tapReporter) SuiteEnd([]string)   {}

// tapTitle keeps a description on one line and away from the "#"
// directive syntax.
func tapTitle(s string) string {
	s = strings.NewReplacer("\n", " ", "\r", " ", "#", `\#`).Replace(s)
	return s
}

func (r *tapReporter) Result(res *Result) {
	r.n++
	title := tapTitle(res.FullTitle)
	switch res.State {
	case Passed:
		fmt.Fprintf(r.w, "ok %d %s\n", r.n, title)
	case Pending:
		fmt.Fprintf(r.w, "ok %d %s # SKIP -\n", r.n, title)
	case Failed:
		fmt.Fprintf(r.w, "not ok %d %s\n", r.n, title)
		fmt.Fprintln(r.w, "  ---")
		yamlBlock(r.w, "message", res.Err.Error())
		fmt.Fprintln(r.w, "  severity: fail")
		if res.Err.HasDiff {
			yamlBlock(r.w, "expected", res.Err.Expected)
			yamlBlock(r.w, "actual", res.Err.Actual)
			if res.Err.Operator != "" {
				yamlBlock(r.w, "operator", res.Err.Operator)
			}
		}
		if res.Err.Stack != "" {
			yamlBlock(r.w, "stack", res.Err.Stack)
		}
		fmt.Fprintln(r.w, "  ...")
	}
	r.w.Flush()
}

// yamlBlock writes a key with a literal block scalar, safe for any text.
func yamlBlock(w io.Writer, key, value string) {
	fmt.Fprintf(w, "  %s: |-\n", key)
	for _, l := range strings.Split(value, "\n") {
		fmt.Fprintf(w, "    %s\n", strings.TrimRight(l, " \t\r"))
	}
}

func (r *tapReporter) End(s Stats) error {
	fmt.Fprintf(r.w, "1..%d\n", r.n)
	fmt.Fprintf(r.w, "# tests %d\n# pass %d\n# fail %d\n", r.n, s.Passes, s.Failures)
	if s.Pending > 0 {
		fmt.Fprintf(r.w, "# skip %d\n", s.Pending)
	}
	return r.w.Flush()
}
