package main

import (
	"context"
	"encoding/pem"
	"fmt"
	"os"

	"github.com/tirun/tirun/fixture"
)

var serveCommand = &command{
	Name:    "serve",
	Summary: "run the built-in HTTP fixture server on loopback until interrupted",
	Usage:   "tirun serve [--addr 127.0.0.1:0] [--tls [--cert-out FILE]] [--allow-remote]",
	Help: `The first line on stdout is the server's base URL; open it for the list of endpoints
(/bytes/N, /slow/N, /drop/N, /redirect/K, /gzip, /echo, /digest-auth/U/P, /upload, ...).
Press Ctrl-C to stop. Scripts started with 'tirun run --serve' or 'tirun test --serve'
get an in-process server instead, at process.env.TIRUN_FIXTURE_URL.

Examples:
  tirun serve
  tirun serve --addr 127.0.0.1:8080
  tirun serve --tls --cert-out /tmp/fixture.pem`,
}

func init() {
	serveCommand.Run = runServe
	register(serveCommand)
	startFixture = func() (string, func(), error) {
		s, err := fixture.Start("")
		if err != nil {
			return "", nil, err
		}
		return s.URL(), s.Close, nil
	}
}

func runServe(ctx context.Context, cio *cliIO, args []string) int {
	fs := newFlagSet(serveCommand, cio.Stderr)
	addr := fs.String("addr", fixture.DefaultAddr, "listen address (host:port); port 0 picks a free port")
	useTLS := fs.Bool("tls", false, "serve HTTPS (HTTP/2 and HTTP/1.1) with a fresh self-signed certificate")
	certOut := fs.String("cert-out", "", "with --tls: write the certificate (PEM) to FILE so clients can trust it")
	allowRemote := fs.Bool("allow-remote", false, "allow a non-loopback --addr (the fixture is for tests: think twice)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(cio.Stderr, "tirun serve: unexpected argument %q (see 'tirun help serve')\n", fs.Arg(0))
		return exitUsage
	}
	if *certOut != "" && !*useTLS {
		fmt.Fprintln(cio.Stderr, "tirun serve: --cert-out needs --tls")
		return exitUsage
	}
	if err := fixture.CheckLoopback(*addr); err != nil && !*allowRemote {
		fmt.Fprintf(cio.Stderr, "tirun serve: refusing to listen on %s: not a loopback address (pass --allow-remote to insist)\n", *addr)
		return exitUsage
	}
	s, err := fixture.StartWith(fixture.Options{Addr: *addr, TLS: *useTLS})
	if err != nil {
		fmt.Fprintf(cio.Stderr, "tirun serve: %v\n", err)
		return exitFailure
	}
	defer s.Close()
	if *certOut != "" {
		block := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.Certificate().Raw})
		if err := os.WriteFile(*certOut, block, 0o644); err != nil {
			fmt.Fprintf(cio.Stderr, "tirun serve: writing the certificate: %v\n", err)
			return exitFailure
		}
	}
	fmt.Fprintln(cio.Stdout, s.URL())
	fmt.Fprintf(cio.Stderr, "tirun fixture server listening on %s (Ctrl-C to stop)\n", s.URL())
	<-ctx.Done()
	fmt.Fprintln(cio.Stderr, "tirun serve: stopped")
	return exitOK
}
