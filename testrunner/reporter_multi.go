package testrunner

import "errors"

type multi []Reporter

// multiReporter fans events out to several reporters (e.g. spec on the
// console and junit to a file).
func multiReporter(rs []Reporter) Reporter { return multi(rs) }

func (m multi) Begin(total int) {
	for _, r := range m {
		r.Begin(total)
	}
}
func (m multi) SuiteBegin(t []string) {
	for _, r := range m {
		r.SuiteBegin(t)
	}
}
func (m multi) SuiteEnd(t []string) {
	for _, r := range m {
		r.SuiteEnd(t)
	}
}
func (m multi) Result(res *Result) {
	for _, r := range m {
		r.Result(res)
	}
}
func (m multi) End(s Stats) error {
	var errs []error
	for _, r := range m {
		errs = append(errs, r.End(s))
	}
	return errors.Join(errs...)
}
