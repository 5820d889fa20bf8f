package testrunner

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tirun/tirun/runtime/tifs/atomicfile"
)

// JUnit XML, the schema CI systems (Jenkins, GitLab, GitHub annotations)
// read: one <testsuite> per test file, one <testcase> per result.
type junitTestsuites struct {
	XMLName xml.Name `xml:"testsuites"`
	junitCounts
	Suites []*junitTestsuite `xml:"testsuite"`
}

type junitTestsuite struct {
	junitCounts
	Timestamp string           `xml:"timestamp,attr"`
	File      string           `xml:"file,attr,omitempty"`
	Cases     []*junitTestcase `xml:"testcase"`
	dur       time.Duration
}

// junitCounts are the attributes <testsuites> and <testsuite> share
// (encoding/xml writes an embedded struct's fields as the outer element's).
type junitCounts struct {
	Name     string `xml:"name,attr"`
	Tests    int    `xml:"tests,attr"`
	Failures int    `xml:"failures,attr"`
	Errors   int    `xml:"errors,attr"`
	Skipped  int    `xml:"skipped,attr"`
	Time     string `xml:"time,attr"`
}

type junitTestcase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *struct{}     `xml:"skipped,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",chardata"`
}

type junitReporter struct {
	write  func([]byte) error // the whole document, once, at End
	start  time.Time
	suites []*junitTestsuite
	byFile map[string]*junitTestsuite
}

// NewJUnitReporter writes the XML document to w when the run ends.
func NewJUnitReporter(w io.Writer) Reporter {
	write := func(b []byte) error { _, err := w.Write(b); return err }
	return &junitReporter{write: write, byFile: map[string]*junitTestsuite{}}
}

// NewJUnitFileReporter writes the XML document to path when the run ends,
// through a temporary file and a rename so a reader never sees half of it.
// Missing parent directories are created.
func NewJUnitFileReporter(path string) Reporter {
	write := func(b []byte) error {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		return atomicfile.WriteBytes(path, 0o644, b)
	}
	return &junitReporter{write: write, byFile: map[string]*junitTestsuite{}}
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

func (r *junitReporter) Begin(int)           { r.start = time.Now() }
func (r *junitReporter) SuiteBegin([]string) {}
func (r *junitReporter) SuiteEnd([]string)   {}

func (r *junitReporter) Result(res *Result) {
	ts := r.byFile[res.File]
	if ts == nil {
		ts = &junitTestsuite{junitCounts: junitCounts{Name: res.File}, File: res.File, Timestamp: time.Now().UTC().Format("2006-01-02T15:04:05")}
		r.byFile[res.File] = ts
		r.suites = append(r.suites, ts)
	}
	tc := &junitTestcase{Name: res.FullTitle, Classname: strings.Join(res.Suites, " "), Time: seconds(res.Duration), File: res.File}
	if tc.Classname == "" {
		tc.Classname = res.File
	}
	ts.Tests++
	ts.dur += res.Duration
	switch res.State {
	case Failed:
		ts.Failures++
		body := res.Err.Error()
		if res.Err.HasDiff {
			body += "\n+ expected: " + res.Err.Expected + "\n- actual: " + res.Err.Actual
		}
		if res.Err.Stack != "" {
			body += "\n" + res.Err.Stack
		}
		tc.Failure = &junitFailure{Message: res.Err.Message, Type: res.Err.Name, Body: body}
	case Pending:
		ts.Skipped++
		tc.Skipped = &struct{}{}
	}
	ts.Cases = append(ts.Cases, tc)
}

func (r *junitReporter) End(s Stats) error {
	doc := junitTestsuites{junitCounts: junitCounts{Name: "tirun test", Time: seconds(s.Duration)}, Suites: r.suites}
	for _, ts := range r.suites {
		ts.Time = seconds(ts.dur)
		doc.Tests += ts.Tests
		doc.Failures += ts.Failures
		doc.Skipped += ts.Skipped
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("junit reporter: %w", err)
	}
	buf.WriteString("\n")
	if err := r.write(buf.Bytes()); err != nil {
		return fmt.Errorf("junit reporter: %w", err)
	}
	return nil
}
