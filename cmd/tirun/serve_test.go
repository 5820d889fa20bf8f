package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tirun/tirun/internal/testkit"
)

// startServe runs `tirun serve` in-process and reads the URL line it prints.
func startServe(t *testing.T, args ...string) (url string, stop func() int) {
	t.Helper()
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	stderr := &testkit.SyncBuffer{} // the command's goroutines write it while the test runs
	done := make(chan int, 1)
	go func() {
		done <- runCLI(ctx, append([]string{"serve"}, args...), &cliIO{Stdout: pw, Stderr: stderr})
		pw.Close()
	}()
	lines := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(pr).ReadString('\n')
		lines <- strings.TrimSpace(line)
		_, _ = io.Copy(io.Discard, pr)
	}()
	select {
	case url = <-lines:
	case <-time.After(20 * time.Second):
		cancel()
		t.Fatalf("tirun serve printed no URL; stderr:\n%s", stderr)
	}
	stop = func() int {
		cancel()
		select {
		case code := <-done:
			return code
		case <-time.After(20 * time.Second):
			t.Fatal("tirun serve did not stop when its context was cancelled")
			return -1
		}
	}
	t.Cleanup(func() { cancel() })
	return url, stop
}

func TestServePrintsURLAndServesUntilInterrupted(t *testing.T) {
	url, stop := startServe(t)
	if !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("first line %q is not a loopback base URL", url)
	}
	c := &http.Client{Timeout: 10 * time.Second}
	defer c.CloseIdleConnections()
	resp, err := c.Get(url + "/bytes/1000")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || len(body) != 1000 {
		t.Fatalf("/bytes/1000: %d, %d bytes", resp.StatusCode, len(body))
	}
	if code := stop(); code != exitOK {
		t.Fatalf("exit code %d after interrupt", code)
	}
	if _, err := c.Get(url + "/json"); err == nil {
		t.Fatal("server still answers after serve returned")
	}
}

func TestServeTLSWritesTrustableCertificate(t *testing.T) {
	pemPath := filepath.Join(t.TempDir(), "fixture.pem")
	url, stop := startServe(t, "--tls", "--cert-out", pemPath)
	defer stop()
	pemBytes, err := os.ReadFile(pemPath)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemBytes) {
		t.Fatal("--cert-out did not write a PEM certificate")
	}
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}}
	defer c.CloseIdleConnections()
	resp, err := c.Get(url + "/json")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(url, "https://") {
		t.Fatalf("%s: %d", url, resp.StatusCode)
	}
}

func TestServeRefusesNonLoopbackAndBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"serve", "--addr", "0.0.0.0:0"},
		{"serve", "--addr", ":0"},
		{"serve", "--cert-out", "x.pem"},
		{"serve", "extra"},
	} {
		var out, errb strings.Builder
		if code := runCLI(context.Background(), args, &cliIO{Stdout: &out, Stderr: &errb}); code != exitUsage {
			t.Fatalf("%v: exit %d, want %d (%s)", args, code, exitUsage, errb.String())
		}
		if out.Len() != 0 {
			t.Fatalf("%v printed a URL: %q", args, out.String())
		}
	}
}

func TestRunServeGivesScriptsTheFixtureURL(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "fetch.js")
	src := `var u = process.env.TIRUN_FIXTURE_URL;
if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(u)) { throw new Error('bad fixture URL: ' + u); }
console.log('fixture at ' + u);`
	if err := os.WriteFile(script, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb strings.Builder
	code := runCLI(context.Background(), []string{"run", "--data-dir", filepath.Join(dir, "data"), "--serve", script}, &cliIO{Stdout: &out, Stderr: &errb})
	if code != exitOK || !strings.Contains(out.String()+errb.String(), "fixture at http://127.0.0.1:") {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out.String(), errb.String())
	}
}
