package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// Exit codes shared by every subcommand.
const (
	exitOK          = 0
	exitFailure     = 1   // uncaught JS error, failed tests, runtime error
	exitUsage       = 2   // bad flags or arguments
	exitInterrupted = 130 // SIGINT/SIGTERM (128 + SIGINT, as shells report it)
)

// cliIO is where commands write; tests pass buffers.
type cliIO struct {
	Stdout, Stderr io.Writer
}

// command is one subcommand. Each file adds its own from init() with register(&command{...}).
// Helpers for commands that start a runtime: addRuntimeFlags (--data-dir, --app-id,
// --log-level), newFlagSet (usage text from the command) and reportRunError (prints an
// uncaught JS error with its stack and picks exit code 1 or 130).
type command struct {
	Name    string
	Summary string // one line for `tirun help`
	Usage   string // e.g. "tirun run [flags] FILE.js [args...]"
	Help    string // extra paragraphs for `tirun help NAME` (examples welcome)
	// Run receives the arguments after the command name and returns an exit code.
	Run func(ctx context.Context, io *cliIO, args []string) int
}

var commands = map[string]*command{}

func register(c *command) {
	if _, dup := commands[c.Name]; dup {
		panic("tirun: command registered twice: " + c.Name)
	}
	commands[c.Name] = c
}

// runCLI dispatches os.Args[1:]; it never calls os.Exit so tests can run it in-process.
func runCLI(ctx context.Context, args []string, cio *cliIO) int {
	if len(args) == 0 {
		printHelp(cio.Stderr)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help":
		printHelp(cio.Stdout)
		return exitOK
	case "-v", "-version", "--version":
		name = "version"
	}
	if c, ok := commands[name]; ok {
		return c.Run(ctx, cio, args[1:])
	}
	// `tirun FILE.js [args...]` is short for `tirun run FILE.js [args...]`.
	if looksLikeScript(name) {
		return commands["run"].Run(ctx, cio, args)
	}
	fmt.Fprintf(cio.Stderr, "tirun: unknown command %q\nRun 'tirun help' for the list of commands.\n", name)
	return exitUsage
}

func looksLikeScript(arg string) bool {
	if strings.HasPrefix(arg, "-") {
		return false
	}
	if strings.HasSuffix(arg, ".js") || strings.HasSuffix(arg, ".cjs") {
		return true
	}
	st, err := os.Stat(arg)
	return err == nil && !st.IsDir()
}

func sortedCommands() []*command {
	list := make([]*command, 0, len(commands))
	for _, c := range commands {
		list = append(list, c)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	return list
}
