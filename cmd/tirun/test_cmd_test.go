package main

import (
	"context"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeTestFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func tirunTest(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	return cli(t, ctx, append([]string{"test"}, args...)...)
}

const passingTests = `
var assert = require('assert');
describe('math', function () {
  it('adds', function () { assert.strictEqual(1 + 1, 2); });
  it('waits', function (done) { setTimeout(done, 5); });
});
`

const failingTests = `
describe('broken', function () {
  it('fails', function () { throw new Error('nope'); });
  it('passes after', function () {});
});
`

func TestTestCommandExitCodesAndSpecOutput(t *testing.T) {
	dir := writeTestFiles(t, map[string]string{
		"ok/a.test.js":                   passingTests,
		"ok/node_modules/x/skip.test.js": failingTests, // never collected
		"bad/b.spec.js":                  failingTests,
		"ok/helper.js":                   "throw new Error('not a test file');",
	})
	code, out, errOut := tirunTest(t, filepath.Join(dir, "ok"))
	if code != exitOK || !strings.Contains(out, "✓ adds") || !strings.Contains(out, "2 passing") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = tirunTest(t, filepath.Join(dir, "bad"))
	if code != exitFailure || !strings.Contains(out, "1 failing") || !strings.Contains(out, "Error: nope") {
		t.Fatalf("exit %d\n%s", code, out)
	}
	code, out, _ = tirunTest(t, "--bail", dir)
	if code != exitFailure || strings.Contains(out, "passes after") {
		t.Fatalf("--bail kept going: exit %d\n%s", code, out)
	}
	code, out, _ = tirunTest(t, "--grep", "adds", dir)
	if code != exitOK || !strings.Contains(out, "1 passing") || strings.Contains(out, "waits") {
		t.Fatalf("--grep: exit %d\n%s", code, out)
	}
}

func TestTestCommandTimeoutFlag(t *testing.T) {
	dir := writeTestFiles(t, map[string]string{"slow.test.js": `it('slow', function (done) { setTimeout(done, 500); });`})
	if code, out, _ := tirunTest(t, "--timeout", "100", dir); code != exitFailure || !strings.Contains(out, "Timeout of 100ms") {
		t.Fatalf("exit %d\n%s", code, out)
	}
	if code, out, _ := tirunTest(t, "--timeout", "0", dir); code != exitOK {
		t.Fatalf("--timeout 0 must disable timeouts: exit %d\n%s", code, out)
	}
}

func TestTestCommandReporters(t *testing.T) {
	dir := writeTestFiles(t, map[string]string{"a.test.js": passingTests, "b.test.js": failingTests})
	code, out, _ := tirunTest(t, "--reporter", "tap", dir)
	if code != exitFailure || !strings.HasPrefix(out, "TAP version 13\n") || !strings.Contains(out, "not ok 3 broken fails") || !strings.Contains(out, "1..4\n") {
		t.Fatalf("tap: exit %d\n%s", code, out)
	}
	report := filepath.Join(t.TempDir(), "junit.xml")
	code, out, _ = tirunTest(t, "--reporter", "junit", "--reporter-output", report, dir)
	if code != exitFailure || !strings.Contains(out, "1 failing") {
		t.Fatalf("junit to file should keep spec on the console: exit %d\n%s", code, out)
	}
	raw, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Name string `xml:"name,attr"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(raw, &doc); err != nil || doc.Tests != 4 || doc.Failures != 1 || len(doc.Suites) != 2 {
		t.Fatalf("junit %+v %v\n%s", doc, err, raw)
	}
	tapFile := filepath.Join(t.TempDir(), "out.tap")
	code, out, _ = tirunTest(t, "--reporter", "tap", "--reporter-output", tapFile, dir)
	tap, _ := os.ReadFile(tapFile)
	if code != exitFailure || !strings.Contains(out, "1 failing") || !strings.HasPrefix(string(tap), "TAP version 13\n") || !strings.Contains(string(tap), "# fail 1") {
		t.Fatalf("tap to file: exit %d\nconsole:\n%s\nfile:\n%s", code, out, tap)
	}
	code, out, _ = tirunTest(t, "--reporter", "junit", dir)
	if code != exitFailure || !strings.HasPrefix(out, "<?xml") {
		t.Fatalf("junit to stdout: %d\n%s", code, out)
	}
}

func TestTestCommandUsageErrors(t *testing.T) {
	dir := writeTestFiles(t, map[string]string{"a.test.js": passingTests})
	for _, args := range [][]string{
		{"--reporter", "nyan", dir},
		{"--reporter", "spec", "--reporter-output", "x", dir},
		{"--timeout", "-5", dir},
		{"--color", "sometimes", dir},
		{"--no-such-flag"},
		{filepath.Join(dir, "missing")},
		{"--grep", "(", dir},
	} {
		code, _, errOut := tirunTest(t, args...)
		want := exitUsage
		if args[0] == "--grep" {
			want = exitFailure // the pattern is checked by the runner
		}
		if code != want {
			t.Fatalf("%v: exit %d, want %d (%s)", args, code, want, errOut)
		}
	}
	empty := t.TempDir()
	if code, _, errOut := tirunTest(t, empty); code != exitFailure || !strings.Contains(errOut, "no test files") {
		t.Fatalf("empty dir: exit %d %s", code, errOut)
	}
}

func TestTestCommandServeSetsFixtureURL(t *testing.T) {
	dir := writeTestFiles(t, map[string]string{"env.test.js": `
it('has the fixture URL', function () {
  require('assert').match(process.env.TIRUN_FIXTURE_URL, /^http:\/\/127\.0\.0\.1:\d+$/);
});`})
	if code, out, errOut := tirunTest(t, "--serve", dir); code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if code, _, _ := tirunTest(t, dir); code != exitFailure {
		t.Fatal("without --serve the variable should be absent and the test fail")
	}
}

func TestColorMode(t *testing.T) {
	var buf strings.Builder
	if on, ok := colorMode("auto", &buf); !ok || on {
		t.Fatal("auto must not colour a non-terminal writer")
	}
	if on, _ := colorMode("always", &buf); !on {
		t.Fatal("always must colour")
	}
	if on, _ := colorMode("never", os.Stdout); on {
		t.Fatal("never must not colour")
	}
	t.Setenv("NO_COLOR", "1")
	if on, _ := colorMode("auto", os.Stdout); on {
		t.Fatal("NO_COLOR must disable auto colour")
	}
	if _, ok := colorMode("rainbow", &buf); ok {
		t.Fatal("unknown mode accepted")
	}
}
