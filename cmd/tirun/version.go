package main

import (
	"context"
	"fmt"
	goruntime "runtime"

	"github.com/tirun/tirun/runtime"
)

func init() {
	register(&command{
		Name:    "version",
		Summary: "print the tirun version",
		Usage:   "tirun version",
		Run: func(_ context.Context, cio *cliIO, args []string) int {
			if len(args) > 0 {
				fmt.Fprintln(cio.Stderr, "tirun version: takes no arguments")
				return exitUsage
			}
			fmt.Fprintf(cio.Stdout, "tirun %s (%s %s/%s)\n", runtime.Version, goruntime.Version(), goruntime.GOOS, goruntime.GOARCH)
			return exitOK
		},
	})
}
