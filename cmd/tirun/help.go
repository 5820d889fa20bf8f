package main

import (
	"context"
	"fmt"
	"io"
)

func init() {
	register(&command{
		Name:    "help",
		Summary: "show help for tirun or for one command",
		Usage:   "tirun help [COMMAND]",
		Run: func(_ context.Context, cio *cliIO, args []string) int {
			if len(args) == 0 {
				printHelp(cio.Stdout)
				return exitOK
			}
			c, ok := commands[args[0]]
			if !ok {
				fmt.Fprintf(cio.Stderr, "tirun help: unknown command %q\n", args[0])
				return exitUsage
			}
			printCommandHelp(cio.Stdout, c)
			return exitOK
		},
	})
}

func printHelp(w io.Writer) {
	fmt.Fprint(w, `tirun runs Titanium-style JavaScript (Ti.API, Ti.App, Ti.Filesystem,
require('com.appcelerator.urlSession'), timers, promises) on a Go runtime.

Usage:
  tirun COMMAND [flags] [arguments]
  tirun FILE.js [args...]          same as: tirun run FILE.js [args...]

Commands:
`)
	for _, c := range sortedCommands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.Name, c.Summary)
	}
	fmt.Fprint(w, `
Examples:
  tirun run scripts/hello.js                 run a script; exits when nothing is pending
  tirun run --log-level debug app.js a b     show Ti.API.debug output; process.argv gets a, b
  tirun run --serve download.js              start the local test server first
                                             (its URL is in process.env.TIRUN_FIXTURE_URL)
  tirun test scripts/tests                   run mocha-style tests
  tirun serve                                run the local test HTTP server
  tirun version

Exit status: 0 success, 1 uncaught error or failure, 2 usage error, 130 interrupted.
Run 'tirun help COMMAND' for the flags of a command.
`)
}

func printCommandHelp(w io.Writer, c *command) {
	fmt.Fprintf(w, "Usage: %s\n\n%s\n", c.Usage, c.Summary)
	if c.Help != "" {
		fmt.Fprintf(w, "\n%s\n", c.Help)
	}
}
