package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/tirun/tirun/runtime"
	"github.com/tirun/tirun/termui"
	"github.com/tirun/tirun/testrunner"
)

var testCommand = &command{
	Name:    "test",
	Summary: "run mocha-style JavaScript tests (*.test.js, *.spec.js)",
	Usage:   "tirun test [flags] [FILE.js|DIR ...]",
	Help: `Directories are searched for *.test.js and *.spec.js (node_modules is skipped);
without paths, ./test is used if it exists, else the current directory. Each file runs
in a fresh runtime with describe/it/before/after/beforeEach/afterEach (and .only/.skip),
done callbacks, promises and async functions; require('assert') is Node's assert API.
The exit code is 1 when any test, hook or file fails.

Examples:
  tirun test
  tirun test --grep "download" scripts/tests
  tirun test --reporter tap test/ > results.tap
  tirun test --reporter junit --reporter-output build/junit.xml --bail
  tirun test --serve --timeout 10000 scripts/tests/urlsession.test.js`,
}

func init() {
	testCommand.Run = runTests
	register(testCommand)
}

func runTests(ctx context.Context, cio *cliIO, args []string) int {
	fs := newFlagSet(testCommand, cio.Stderr)
	rf := addRuntimeFlags(fs)
	reporter := fs.String("reporter", "spec", "spec, tap or junit")
	output := fs.String("reporter-output", "", "write the tap or junit report to FILE (the console then shows spec)")
	grep := fs.String("grep", "", "only run tests whose full title matches this regular expression")
	invert := fs.Bool("invert", false, "with --grep: run the tests that do not match")
	bail := fs.Bool("bail", false, "stop after the first failure")
	timeoutMS := fs.Int("timeout", int(testrunner.DefaultTimeout/time.Millisecond), "per test and hook timeout in milliseconds (0 disables)")
	serve := fs.Bool("serve", false, "start the built-in loopback test server; its base URL is in process.env.TIRUN_FIXTURE_URL")
	color := fs.String("color", "auto", "colour the spec reporter: auto (on a terminal), always or never")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	usage := func(format string, a ...any) int {
		fmt.Fprintf(cio.Stderr, "tirun test: "+format+" (see 'tirun help test')\n", a...)
		return exitUsage
	}
	if *timeoutMS < 0 {
		return usage("--timeout must be >= 0")
	}
	useColor, ok := colorMode(*color, cio.Stdout)
	if !ok {
		return usage("--color must be auto, always or never, not %q", *color)
	}
	base, err := rf.options(cio)
	if err != nil {
		return usage("%v", err)
	}
	reporters, closeReps, err := buildReporters(*reporter, *output, cio.Stdout, useColor)
	if err != nil {
		return usage("%v", err)
	}
	defer closeReps()

	opts := testrunner.Options{
		Paths:     fs.Args(),
		Grep:      *grep,
		Invert:    *invert,
		Bail:      *bail,
		Timeout:   time.Duration(*timeoutMS) * time.Millisecond,
		Reporters: reporters,
		Stdout:    cio.Stdout,
		Stderr:    cio.Stderr,
		Runtime: func(o *runtime.Options) {
			o.AppID, o.LogLevel = base.AppID, base.LogLevel
			if base.DataDir != "" {
				o.DataDir = base.DataDir
			}
		},
	}
	if *timeoutMS == 0 {
		opts.Timeout = -1 // testrunner: negative disables, zero means the default
	}
	if *serve {
		stop, code := serveFixture(cio, "test", &opts.Env)
		if code != exitOK {
			return code
		}
		defer stop()
	}
	files, err := testrunner.Discover(opts.Paths)
	if err != nil {
		return usage("%v", err)
	}
	if len(files) == 0 {
		fmt.Fprintf(cio.Stderr, "tirun test: no test files found in %s (looking for *.test.js and *.spec.js)\n", describePaths(opts.Paths))
		return exitFailure
	}
	opts.Paths = files // Run takes files as given, so the directories are not walked twice
	stats, err := testrunner.Run(ctx, opts)
	if ctx.Err() != nil {
		fmt.Fprintln(cio.Stderr, "tirun test: interrupted")
		return exitInterrupted
	}
	if err != nil {
		fmt.Fprintf(cio.Stderr, "tirun test: %v\n", err)
		return exitFailure
	}
	if stats.Failures > 0 {
		return exitFailure
	}
	return exitOK
}

func describePaths(paths []string) string {
	if len(paths) == 0 {
		return "./test or the current directory"
	}
	return strings.Join(paths, ", ")
}

// colorMode resolves --color; "auto" colours only a terminal, and honours NO_COLOR and
// TERM=dumb, by the same rules `tirun run` uses (termui).
func colorMode(mode string, w io.Writer) (bool, bool) {
	switch mode {
	case "always":
		return true, true
	case "never":
		return false, true
	case "auto":
		return termui.ColorAllowed(os.Getenv) && termui.IsTerminal(w), true
	}
	return false, false
}

// buildReporters maps --reporter/--reporter-output to reporters. A report
// written to a file leaves the console with the spec reporter, so a CI log
// stays readable.
func buildReporters(name, output string, stdout io.Writer, color bool) ([]testrunner.Reporter, func(), error) {
	nothing := func() {}
	switch name {
	case "spec":
		if output != "" {
			return nil, nothing, fmt.Errorf("--reporter-output is for tap and junit")
		}
		return []testrunner.Reporter{testrunner.NewSpecReporter(stdout, color)}, nothing, nil
	case "junit":
		if output == "" {
			return []testrunner.Reporter{testrunner.NewJUnitReporter(stdout)}, nothing, nil
		}
		return []testrunner.Reporter{testrunner.NewSpecReporter(stdout, color), testrunner.NewJUnitFileReporter(output)}, nothing, nil
	case "tap":
		if output == "" {
			return []testrunner.Reporter{testrunner.NewTAPReporter(stdout)}, nothing, nil
		}
		f, err := os.Create(output)
		if err != nil {
			return nil, nothing, fmt.Errorf("--reporter-output: %w", err)
		}
		return []testrunner.Reporter{testrunner.NewSpecReporter(stdout, color), testrunner.NewTAPReporter(f)}, func() { f.Close() }, nil
	}
	return nil, nothing, fmt.Errorf("unknown --reporter %q (want spec, tap or junit)", name)
}
