// Command tirun runs Titanium-style JavaScript apps and tests on a Go runtime.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C kills the process the default way
	}()
	code := runCLI(ctx, os.Args[1:], &cliIO{Stdout: os.Stdout, Stderr: os.Stderr})
	stop()
	os.Exit(code)
}
