package testrunner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"

	"github.com/tirun/tirun/runtime"
)

// DefaultTimeout is mocha's default per-test timeout.
const DefaultTimeout = 2 * time.Second

// loadTimeout bounds how long a file may take to declare its tests.
var loadTimeout = 10 * time.Second

// Options configure Run.
type Options struct {
	Paths   []string      // files or directories; see Discover
	Grep    string        // only tests whose full title matches (Go regexp syntax)
	Invert  bool          // run the tests that do NOT match Grep
	Bail    bool          // stop after the first failure
	Timeout time.Duration // per test and hook; 0 means DefaultTimeout; <0 disables
	// Reporters receive the events; none means a spec reporter on Stdout.
	Reporters []Reporter
	Env       map[string]string // extra process.env entries, e.g. TIRUN_FIXTURE_URL
	Stdout    io.Writer         // the scripts' console output; default os.Stdout
	Stderr    io.Writer         // default os.Stderr
	// Runtime, when set, adjusts the options of each file's runtime (tests
	// use it for a custom logger or transport).
	Runtime func(*runtime.Options)
}

// Run runs the test files and reports to every reporter. It returns the
// totals; a failed test is not an error (look at Stats.Failures): errors
// are for runs that could not happen (bad paths, bad --grep, a reporter
// that could not write).
func Run(ctx context.Context, opts Options) (Stats, error) {
	stats := Stats{Start: time.Now()}
	files, err := Discover(opts.Paths)
	if err != nil {
		return stats, err
	}
	sel := &selection{invert: opts.Invert}
	if opts.Grep != "" {
		if sel.grep, err = regexp.Compile(opts.Grep); err != nil {
			return stats, fmt.Errorf("--grep: %w", err)
		}
	}
	def := opts.Timeout
	switch {
	case def == 0:
		def = DefaultTimeout
	case def < 0:
		def = 0
	}
	if opts.Stdout == nil {
		opts.Stdout = os.Stdout
	}
	if opts.Stderr == nil {
		opts.Stderr = os.Stderr
	}
	rep := multiReporter(opts.Reporters)
	if len(opts.Reporters) == 0 {
		rep = NewSpecReporter(opts.Stdout, false)
	}

	// Load every file first: .only anywhere restricts the whole run, as in mocha.
	loaded := make([]*testFile, 0, len(files))
	defer func() {
		for _, f := range loaded {
			f.close()
		}
	}()
	for _, path := range files {
		f := loadFile(ctx, path, &opts, def)
		loaded = append(loaded, f)
		if f.root != nil && f.root.hasOnly() {
			sel.anyOnly = true
		}
	}
	total := 0
	for _, f := range loaded {
		if f.root != nil {
			sel.resolve(f.root)
			total += f.root.reported
		}
	}
	rep.Begin(total)
	var stopped atomic.Bool
	for _, f := range loaded {
		if stopped.Load() || ctx.Err() != nil {
			break
		}
		sched := &scheduler{rep: rep, stats: &stats, file: f.path, def: def, bail: opts.Bail, stopped: &stopped}
		if f.loadErr != nil {
			sched.d = &driver{runCtx: ctx}
			sched.report(&Result{Title: "loading " + f.path, FullTitle: "loading " + f.path, State: Failed, Err: f.loadErr, Hook: true})
		} else {
			f.run(ctx, sched)
		}
		f.close()
	}
	stats.Duration = time.Since(stats.Start)
	if err := rep.End(stats); err != nil {
		return stats, err
	}
	if ctx.Err() != nil {
		return stats, ctx.Err()
	}
	return stats, nil
}

// testFile is one loaded test file and the runtime it lives in.
type testFile struct {
	path    string
	rt      *runtime.Runtime
	dataDir string
	cm      *contextMethods
	root    *Suite
	loadErr *TestError
}

// loadFile creates a fresh runtime with its own temporary data directory,
// installs the BDD globals and runs the file, which declares its suites.
func loadFile(ctx context.Context, path string, opts *Options, def time.Duration) *testFile {
	f := &testFile{path: path}
	fail := func(err error) *testFile {
		f.loadErr = &TestError{Name: "Error", Message: err.Error()}
		return f
	}
	dir, err := os.MkdirTemp("", "tirun-test-data-")
	if err != nil {
		return fail(err)
	}
	f.dataDir = dir
	ro := runtime.Options{DataDir: dir, Env: opts.Env, Stdout: opts.Stdout, Stderr: opts.Stderr}
	if opts.Runtime != nil {
		opts.Runtime(&ro)
	}
	if f.rt, err = runtime.New(ro); err != nil {
		return fail(err)
	}
	f.cm = newContextMethods(def)
	var col *collector
	err = f.rt.Loop().Run(ctx, func(vm *goja.Runtime) error {
		col = newCollector(vm, path, f.cm)
		return col.install()
	})
	if err != nil {
		return fail(err)
	}
	// RunFile returns once the file's event loop is idle, so a timer left
	// pending at the top level (say, a setInterval) would block the run
	// forever: bound the load and say why it failed.
	loadCtx, cancel := context.WithTimeout(ctx, loadTimeout)
	defer cancel()
	if err := f.rt.RunFile(loadCtx, path); err != nil {
		if ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
			f.loadErr = &TestError{Name: "Error", Message: fmt.Sprintf("loading the file took longer than %v: top-level code or a timer it started keeps the event loop busy (start long-running work in before() hooks)", loadTimeout)}
			return f
		}
		f.loadErr = errorFromLoad(f.rt.VM(), err)
		return f
	}
	col.loading = false
	f.root = col.root
	return f
}

// errorFromLoad describes a failed file load (syntax error, a throw at the
// top level or in a describe body). The VM is idle, so it may be read.
func errorFromLoad(vm *goja.Runtime, err error) *TestError {
	var se *goja.CompilerSyntaxError
	if errors.As(err, &se) {
		return &TestError{Name: "SyntaxError", Message: se.Error()}
	}
	return errorFromGo(vm, err)
}

func (f *testFile) run(ctx context.Context, sched *scheduler) {
	d := newDriver(f.rt.Loop(), f.rt.VM(), f.cm)
	sched.d = d
	d.drive(ctx, func() { sched.runSuite(f.root) })
	// Stray errors after the last runnable (the runner was done) still count.
	sched.flushOrphans(f.root)
}

func (f *testFile) close() {
	if f.rt != nil {
		_ = f.rt.Close()
		f.rt = nil
	}
	if f.dataDir != "" {
		_ = os.RemoveAll(f.dataDir)
		f.dataDir = ""
	}
}
