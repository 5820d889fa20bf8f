package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tirun/tirun/fixture"
	"github.com/tirun/tirun/testrunner"
)

// scriptsTestsDir holds the project's JS fixtures. This test lives in
// cmd/tirun because this package links every native module (modules.go), so
// the fixtures see exactly what `tirun test` offers.
const scriptsTestsDir = "../../scripts/tests"

// TestScriptsFixtures runs each scripts/tests/*.test.js as a subtest,
// against a fresh fixture server. New files are picked up automatically.
func TestScriptsFixtures(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(scriptsTestsDir, "*.test.js"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Skip("no scripts/tests/*.test.js yet")
	}
	deps := npmDependencies(t)
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".test.js")
		t.Run(name, func(t *testing.T) {
			if missing := missingNodeModules(t, file, deps); missing != "" {
				t.Skipf("%s needs the npm package %q: run `npm install` in scripts/tests to include it", filepath.Base(file), missing)
			}
			runScriptFixture(t, file)
		})
	}
}

func runScriptFixture(t *testing.T, file string) {
	srv, err := fixture.Start("")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var console, spec bytes.Buffer
	rec := &resultCollector{}
	stats, err := testrunner.Run(ctx, testrunner.Options{
		Paths:     []string{file},
		Reporters: []testrunner.Reporter{rec, testrunner.NewSpecReporter(&spec, false)},
		Env:       map[string]string{"TIRUN_FIXTURE_URL": srv.URL()},
		Stdout:    &console,
		Stderr:    &console,
	})
	if err != nil {
		t.Fatalf("running %s: %v", file, err)
	}
	for _, r := range rec.failed {
		msg := r.Err.Error()
		if r.Err.Stack != "" {
			msg += "\n" + r.Err.Stack
		}
		t.Errorf("JS test %q failed: %s", r.FullTitle, msg)
	}
	if t.Failed() {
		t.Logf("report:\n%s\nconsole:\n%s", spec.String(), console.String())
	}
	if stats.Tests == 0 && stats.Failures == 0 {
		t.Errorf("%s declares no tests", file)
	}
}

// resultCollector keeps the failures to name them in the Go test output.
type resultCollector struct{ failed []*testrunner.Result }

func (c *resultCollector) Begin(int)           {}
func (c *resultCollector) SuiteBegin([]string) {}
func (c *resultCollector) SuiteEnd([]string)   {}
func (c *resultCollector) End(testrunner.Stats) error {
	return nil
}
func (c *resultCollector) Result(r *testrunner.Result) {
	if r.State == testrunner.Failed {
		c.failed = append(c.failed, r)
	}
}

// npmDependencies lists the packages scripts/tests/package.json declares.
func npmDependencies(t *testing.T) []string {
	raw, err := os.ReadFile(filepath.Join(scriptsTestsDir, "package.json"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var pkg struct {
		Dependencies    map[string]string `json:"dependencies"`
		DevDependencies map[string]string `json:"devDependencies"`
	}
	if err := json.Unmarshal(raw, &pkg); err != nil {
		t.Fatalf("scripts/tests/package.json: %v", err)
	}
	var names []string
	for n := range pkg.Dependencies {
		names = append(names, n)
	}
	for n := range pkg.DevDependencies {
		names = append(names, n)
	}
	return names
}

// missingNodeModules returns a declared npm package the file requires but
// that is not installed, or "".
func missingNodeModules(t *testing.T, file string, deps []string) string {
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, dep := range deps {
		re := regexp.MustCompile(`require\(\s*['"]` + regexp.QuoteMeta(dep) + `(/[^'"]*)?['"]\s*\)`)
		if !re.Match(src) {
			continue
		}
		if _, err := os.Stat(filepath.Join(scriptsTestsDir, "node_modules", dep, "package.json")); err != nil {
			return dep
		}
	}
	return ""
}
