package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/tirun/tirun/runtime"
	"github.com/tirun/tirun/runtime/loop"
)

// startFixture is set by serve.go: it starts the loopback fixture server for `run --serve`.
var startFixture func() (baseURL string, stop func(), err error)

// serveFixture starts the fixture server for a command's --serve flag and puts its base URL in
// the script's environment as TIRUN_FIXTURE_URL. On failure it reports and returns an exit code.
func serveFixture(cio *cliIO, cmd string, env *map[string]string) (stop func(), code int) {
	if startFixture == nil {
		fmt.Fprintf(cio.Stderr, "tirun %s: --serve is not available in this build (no fixture server)\n", cmd)
		return nil, exitUsage
	}
	baseURL, stop, err := startFixture()
	if err != nil {
		fmt.Fprintf(cio.Stderr, "tirun %s: cannot start the fixture server: %v\n", cmd, err)
		return nil, exitFailure
	}
	if *env == nil {
		*env = map[string]string{}
	}
	(*env)["TIRUN_FIXTURE_URL"] = baseURL
	return stop, exitOK
}

var runCommand = &command{
	Name:    "run",
	Summary: "run a JavaScript file until it has nothing left to do",
	Usage:   "tirun run [flags] FILE.js [args...]",
	Help: `The script ends when no timer, pending request or event listener work remains.
Downloads of background sessions count as pending work unless --leave-background is
given; then they are left to the next run with the same --data-dir, which continues them.
Arguments after FILE.js are passed to the script as process.argv[2:].

Examples:
  tirun run scripts/hello.js
  tirun run --app-id com.example.app --data-dir ./data app.js
  tirun run --serve --log-level debug download.js
  tirun run --trace events.ndjson --har requests.har download.js

On a terminal, running transfers show progress bars (not with --quiet); a summary of the
transfers follows when the script ends. NO_COLOR turns colour off, TERM=dumb the bars too.`,
}

func init() {
	runCommand.Run = runScript
	register(runCommand)
}

func runScript(ctx context.Context, cio *cliIO, args []string) int {
	fs := newFlagSet(runCommand, cio.Stderr)
	rf := addRuntimeFlags(fs)
	serve := fs.Bool("serve", false, "start the built-in loopback test server first; its base URL is in process.env.TIRUN_FIXTURE_URL")
	leaveBackground := fs.Bool("leave-background", false, "end when the script is done even if background-session downloads are still running; the next run on the same data directory continues them (default: wait for them)")
	uf := addUIFlags(fs) // --quiet, --trace, --har (run_ui.go)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(cio.Stderr, "tirun run: missing FILE.js (see 'tirun help run')")
		return exitUsage
	}
	opts, err := rf.options(cio)
	if err != nil {
		fmt.Fprintf(cio.Stderr, "tirun run: %v\n", err)
		return exitUsage
	}
	script := fs.Arg(0)
	opts.Args = fs.Args()[1:]
	opts.ResourcesDir = filepath.Dir(script) // Titanium resolves app resources next to app.js
	opts.LeaveBackgroundTasks = *leaveBackground
	if *serve {
		stop, code := serveFixture(cio, "run", &opts.Env)
		if code != exitOK {
			return code
		}
		defer stop()
	}

	ui, err := uf.startUI(cio, &opts, os.Getenv)
	if err != nil {
		fmt.Fprintf(cio.Stderr, "tirun run: %v\n", err)
		return exitFailure
	}
	opts.Observer = ui.Observer()
	rt, err := runtime.New(opts)
	if err != nil {
		_ = ui.finish()
		fmt.Fprintf(cio.Stderr, "tirun run: %v\n", err)
		return exitFailure
	}
	runErr := rt.RunFile(ctx, script)
	closeErr := rt.Close()
	uiErr := ui.finish() // after Close: every transfer event is in; bars end before errors print
	if code := reportRunError(ctx, cio.Stderr, runErr); code != exitOK {
		return code
	}
	if closeErr != nil {
		fmt.Fprintf(cio.Stderr, "tirun run: cleanup: %v\n", closeErr)
		return exitFailure
	}
	if uiErr != nil {
		fmt.Fprintf(cio.Stderr, "tirun run: %v\n", uiErr)
		return exitFailure
	}
	return exitOK
}

// reportRunError prints why a run failed and picks the exit code. Shared with other commands.
func reportRunError(ctx context.Context, w io.Writer, err error) int {
	if err == nil {
		return exitOK
	}
	if ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		fmt.Fprintln(w, "tirun: interrupted")
		return exitInterrupted
	}
	var exit *runtime.ExitError
	if errors.As(err, &exit) {
		return exit.Code // the script chose its status; nothing to report
	}
	var ue *loop.UncaughtError
	var pe *loop.PanicError
	switch {
	case errors.As(err, &ue):
		fmt.Fprintln(w, ue.Error())
	case errors.As(err, &pe):
		fmt.Fprintf(w, "tirun: %v\n%s", pe, pe.Stack)
	default:
		fmt.Fprintf(w, "tirun: %v\n", err)
	}
	return exitFailure
}
