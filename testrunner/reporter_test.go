package testrunner

import (
	"bytes"
	"encoding/xml"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

const reporterSpec = `
var assert = require('assert');
describe('Reporter suite', function () {
  it('passes', function () {});
  it('fails with a diff', function () { assert.strictEqual(1, 2); });
  it.skip('is pending', function () {});
  describe('nested <xml> & "quotes"', function () {
    it('also passes # not a directive', function () {});
  });
});
describe('hook trouble', function () {
  before(function () { throw new Error('before broke'); });
  it('never runs', function () {});
});
`

func runWithReporter(t *testing.T, rep Reporter) Stats {
	t.Helper()
	_, stats, _ := runJS(t, reporterSpec, func(o *Options) { o.Reporters = append(o.Reporters, rep) })
	return stats
}

func TestTAPReporterOutputIsValidTAP13(t *testing.T) {
	var buf bytes.Buffer
	stats := runWithReporter(t, NewTAPReporter(&buf))
	out := buf.String()
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if lines[0] != "TAP version 13" {
		t.Fatalf("first line %q", lines[0])
	}
	testLine := regexp.MustCompile(`^(not )?ok (\d+) (.*)$`)
	n, plan, inYAML := 0, -1, false
	var failures, skips int
	for _, l := range lines[1:] {
		switch {
		case l == "  ---":
			inYAML = true
		case l == "  ...":
			inYAML = false
		case inYAML:
			if !strings.HasPrefix(l, "  ") {
				t.Fatalf("YAML line not indented: %q", l)
			}
		case strings.HasPrefix(l, "1.."):
			plan, _ = strconv.Atoi(strings.TrimPrefix(l, "1.."))
		case strings.HasPrefix(l, "#"):
		default:
			m := testLine.FindStringSubmatch(l)
			if m == nil {
				t.Fatalf("not a TAP line: %q\n%s", l, out)
			}
			n++
			if got, _ := strconv.Atoi(m[2]); got != n {
				t.Fatalf("test number %d, want %d", got, n)
			}
			if m[1] != "" {
				failures++
			}
			if strings.HasSuffix(l, "# SKIP -") {
				skips++
			}
		}
	}
	if plan != n || n != 5 || failures != 2 || skips != 1 || failures != stats.Failures {
		t.Fatalf("plan %d, %d lines, %d failures, %d skips\n%s", plan, n, failures, skips, out)
	}
	for _, want := range []string{
		"not ok 2 Reporter suite fails with a diff",
		"  message: |-\n    AssertionError: Expected values to be strictly equal:",
		"  expected: |-\n    2\n  actual: |-\n    1",
		`ok 4 Reporter suite nested <xml> & "quotes" also passes \# not a directive`,
		`not ok 5 hook trouble "before all" hook in "hook trouble"`,
		"# pass 2\n# fail 2\n",
	} {
		if !strings.Contains(out, want) {
			t.Fatalf("TAP output lacks %q:\n%s", want, out)
		}
	}
}

// junit mirrors the schema for reading the report back.
type junitDoc struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Skipped  int      `xml:"skipped,attr"`
	Suites   []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Skipped  int    `xml:"skipped,attr"`
		Cases    []struct {
			Name      string `xml:"name,attr"`
			Classname string `xml:"classname,attr"`
			Time      string `xml:"time,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
				Body    string `xml:",chardata"`
			} `xml:"failure"`
			Skipped *struct{} `xml:"skipped"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func TestJUnitReporterWritesParsableXMLFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "reports", "junit.xml")
	runWithReporter(t, NewJUnitFileReporter(path))
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc junitDoc
	if err := xml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("invalid XML: %v\n%s", err, raw)
	}
	if doc.Tests != 5 || doc.Failures != 2 || doc.Skipped != 1 || len(doc.Suites) != 1 {
		t.Fatalf("totals %+v\n%s", doc, raw)
	}
	s := doc.Suites[0]
	if !strings.HasSuffix(s.Name, "a.test.js") || s.Tests != 5 || s.Failures != 2 || s.Skipped != 1 {
		t.Fatalf("suite %+v", s)
	}
	byName := map[string]int{}
	for i, c := range s.Cases {
		byName[c.Name] = i
		if _, err := strconv.ParseFloat(c.Time, 64); err != nil {
			t.Fatalf("time %q", c.Time)
		}
	}
	fail := s.Cases[byName["Reporter suite fails with a diff"]]
	if fail.Failure == nil || fail.Failure.Type != "AssertionError" || !strings.Contains(fail.Failure.Body, "+ expected: 2") || fail.Classname != "Reporter suite" {
		t.Fatalf("failure case %+v", fail)
	}
	if c := s.Cases[byName["Reporter suite is pending"]]; c.Skipped == nil {
		t.Fatal("pending test not marked skipped")
	}
	if c := s.Cases[byName[`Reporter suite nested <xml> & "quotes" also passes # not a directive`]]; c.Failure != nil || c.Classname != `Reporter suite nested <xml> & "quotes"` {
		t.Fatalf("escaped names did not round-trip: %+v", c)
	}
	if matches, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*tmp*")); len(matches) != 0 {
		t.Fatalf("temporary files left: %v", matches)
	}
}

func TestSpecReporterPlainAndColoured(t *testing.T) {
	var plain bytes.Buffer
	runWithReporter(t, NewSpecReporter(&plain, false))
	out := plain.String()
	for _, want := range []string{
		"  Reporter suite\n    ✓ passes\n    1) fails with a diff\n    - is pending\n    nested <xml> & \"quotes\"\n      ✓ also passes",
		"  2 passing (", "  1 pending", "  2 failing",
		"  1) Reporter suite fails with a diff\n",
		"     AssertionError: Expected values to be strictly equal:",
		"     + expected - actual\n\n     +2\n     -1\n",
		"  2) hook trouble \"before all\" hook in \"hook trouble\"\n",
		"     Error: before broke",
	} {
		if !strings.Contains(out, want) {
			t.Fatalf("spec output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b[") {
		t.Fatal("plain spec output has ANSI escapes")
	}
	var col bytes.Buffer
	runWithReporter(t, NewSpecReporter(&col, true))
	if !strings.Contains(col.String(), "\x1b[32m✓\x1b[0m") || !strings.Contains(col.String(), "\x1b[31m") {
		t.Fatalf("coloured output lacks colours:\n%q", col.String())
	}
}

func TestLineDiffAlignsCommonLines(t *testing.T) {
	got := strings.Join(lineDiff("a\nb\nc\nd", "a\nx\nc\nd\ne"), "|")
	if got != " a|+b|-x| c| d|-e" {
		t.Fatalf("diff %q", got)
	}
}

func TestJUnitEscapesCharactersXMLCannotHold(t *testing.T) {
	var buf bytes.Buffer
	runJS(t, `it('odd \u0001 title', function () { throw new Error('bell \u0007 and ]]> and \u0000'); });`,
		func(o *Options) { o.Reporters = append(o.Reporters, NewJUnitReporter(&buf)) })
	var doc junitDoc
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("invalid XML: %v\n%q", err, buf.String())
	}
	if doc.Failures != 1 || !strings.Contains(doc.Suites[0].Cases[0].Failure.Body, "]]>") {
		t.Fatalf("%+v", doc)
	}
}
