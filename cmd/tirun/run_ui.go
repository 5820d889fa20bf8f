package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/tirun/tirun/runtime"
	"github.com/tirun/tirun/telemetry"
	"github.com/tirun/tirun/termui"
)

// uiFlags are what `tirun run` shows and records besides the script's own output.
type uiFlags struct {
	quiet bool
	trace string
	har   string
}

func addUIFlags(fs *flag.FlagSet) *uiFlags {
	f := &uiFlags{}
	fs.BoolVar(&f.quiet, "quiet", false, "no progress bars and no transfer summary")
	fs.StringVar(&f.trace, "trace", "", "write every transfer event (engine and JS) to `FILE` as NDJSON")
	fs.StringVar(&f.har, "har", "", "write the completed HTTP requests to `FILE` as HAR 1.2 (browser devtools open it)")
	return f
}

// runUI owns the terminal view and the recorders of one run.
type runUI struct {
	observer  telemetry.Observer // nil when nothing observes
	view      *termui.View       // nil without bars
	flushers  []interface{ Flush() error }
	summary   *telemetry.Summary // nil with --quiet
	trace     *telemetry.TraceWriter
	traceFile *os.File
	har       *telemetry.HARRecorder
	harPath   string
	stderr    io.Writer // the real one, for the summary
}

// startUI decides how output looks and points opts.Stdout/Stderr at it: bars only when
// stdout is a terminal (and not --quiet, not TERM=dumb), coloured level tags only when stderr
// is a terminal (and NO_COLOR unset). Errors (a trace file that cannot be created) fail the run before it starts.
func (f *uiFlags) startUI(cio *cliIO, opts *runtime.Options, getenv func(string) string) (*runUI, error) {
	u := &runUI{stderr: cio.Stderr, harPath: f.har}
	opts.Stdout, opts.Stderr = cio.Stdout, cio.Stderr
	colourOK := termui.ColorAllowed(getenv)
	colourErr := colourOK && termui.IsTerminal(cio.Stderr)
	var observers []telemetry.Observer

	if f.trace != "" {
		file, err := os.Create(f.trace)
		if err != nil {
			return nil, fmt.Errorf("cannot create the trace file: %w", err)
		}
		u.traceFile, u.trace = file, telemetry.NewTraceWriter(file)
		observers = append(observers, u.trace)
	}
	if f.har != "" {
		// Fail now rather than after a long run: the HAR is written at exit.
		file, err := os.Create(f.har)
		if err != nil {
			u.closeTrace()
			return nil, fmt.Errorf("cannot create the HAR file: %w", err)
		}
		file.Close()
		u.har = telemetry.NewHARRecorder("tirun", runtime.Version)
		observers = append(observers, u.har)
	}
	if !f.quiet {
		u.summary = telemetry.NewSummary()
		observers = append(observers, u.summary)
	}
	if !f.quiet && termui.CursorAllowed(getenv) && termui.IsTerminal(cio.Stdout) {
		u.view = termui.NewView(cio.Stdout, termui.ViewOptions{})
		observers = append(observers, u.view)
		opts.Stdout = u.view.Writer(cio.Stdout, false)
		if termui.IsTerminal(cio.Stderr) {
			opts.Stderr = u.view.Writer(cio.Stderr, colourErr)
		}
	} else if colourErr {
		lw := termui.NewLineWriter(cio.Stderr, true)
		u.flushers = append(u.flushers, lw)
		opts.Stderr = lw
	}
	u.observer = telemetry.Fanout(observers...)
	return u, nil
}

// Observer is what the runtime hands to native modules (nil when nothing observes).
func (u *runUI) Observer() telemetry.Observer { return u.observer }

// finish stops the bars, prints the summary and writes the trace and the HAR. Call it after
// the runtime is closed, so every event is in. The first error is returned; all steps run.
func (u *runUI) finish() error {
	if u.view != nil {
		u.view.Close()
	}
	var errs []error
	for _, f := range u.flushers {
		errs = append(errs, f.Flush())
	}
	if u.summary != nil {
		if r := u.summary.Report(); !r.Empty() {
			_, err := r.WriteTo(u.stderr)
			errs = append(errs, err)
		}
	}
	errs = append(errs, u.closeTrace())
	if u.har != nil {
		errs = append(errs, writeHAR(u.har, u.harPath))
	}
	return errors.Join(errs...)
}

func (u *runUI) closeTrace() error {
	if u.trace == nil {
		return nil
	}
	err := u.trace.Close()
	if cerr := u.traceFile.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("closing the trace file: %w", cerr)
	}
	u.trace = nil
	return err
}

func writeHAR(h *telemetry.HARRecorder, path string) error {
	file, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("cannot write the HAR file: %w", err)
	}
	if _, err := h.WriteTo(file); err != nil {
		file.Close()
		return fmt.Errorf("writing the HAR file: %w", err)
	}
	if err := file.Close(); err != nil {
		return fmt.Errorf("writing the HAR file: %w", err)
	}
	return nil
}
