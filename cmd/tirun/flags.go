package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/tirun/tirun/runtime"
)

// runtimeFlags are the flags every command that starts a runtime accepts (run, test, ...).
type runtimeFlags struct {
	dataDir  string
	appID    string
	logLevel string
}

func addRuntimeFlags(fs *flag.FlagSet) *runtimeFlags {
	f := &runtimeFlags{}
	fs.StringVar(&f.dataDir, "data-dir", "", "application data directory (default $XDG_DATA_HOME/tirun/APP-ID)")
	fs.StringVar(&f.appID, "app-id", runtime.DefaultAppID, "application id (Ti.App.id), also names the data directory")
	fs.StringVar(&f.logLevel, "log-level", "info", "minimum log level: debug, info, warn or error")
	return f
}

// options converts the flags; errors are usage errors.
func (f *runtimeFlags) options(cio *cliIO) (runtime.Options, error) {
	level, err := runtime.ParseLevel(f.logLevel)
	if err != nil {
		return runtime.Options{}, err
	}
	if strings.TrimSpace(f.appID) == "" {
		return runtime.Options{}, fmt.Errorf("--app-id must not be empty")
	}
	return runtime.Options{
		DataDir:  f.dataDir,
		AppID:    f.appID,
		LogLevel: level,
		Stdout:   cio.Stdout,
		Stderr:   cio.Stderr,
	}, nil
}

// newFlagSet makes a FlagSet that reports errors instead of exiting, with usage text built
// from the command.
func newFlagSet(c *command, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(c.Name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: %s\n\n%s\n\nFlags:\n", c.Usage, c.Summary)
		fs.PrintDefaults()
		if c.Help != "" {
			fmt.Fprintf(stderr, "\n%s\n", c.Help)
		}
	}
	return fs
}

// parseFlags parses args; when the command should stop there it returns false and the exit
// code: 0 after -h (the usage was printed), 2 after a bad flag (flag printed why).
func parseFlags(fs *flag.FlagSet, args []string) (code int, ok bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK, false
		}
		return exitUsage, false
	}
	return exitOK, true
}
