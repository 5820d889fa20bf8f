package urlsession

import (
	"bufio"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// freePort returns a loopback address nothing listens on.
func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestTransportErrorsMapToURLErrorCodes(t *testing.T) {
	shortBody := rawServer(t, func(c net.Conn) {
		readRequestHead(bufio.NewReader(c))
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten..")
	})
	dropped := rawServer(t, func(c net.Conn) {
		readRequestHead(bufio.NewReader(c))
		io.WriteString(c, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")
		time.Sleep(20 * time.Millisecond)
		c.(*net.TCPConn).SetLinger(0) // reset, as a crashed peer would
	})
	emptyReply := rawServer(t, func(c net.Conn) { readRequestHead(bufio.NewReader(c)) })
	garbage := rawServer(t, func(c net.Conn) {
		readRequestHead(bufio.NewReader(c))
		io.WriteString(c, "HTTP/1.1 2000 Way Too Long\r\n\r\n")
	})
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer tlsSrv.Close()
	missingFile := filepath.Join(t.TempDir(), "absent.bin")

	e := newTestEngine(t)
	s, rec := newTestSession(t, e, DefaultConfiguration())
	cases := []struct {
		name string
		kind TaskKind
		req  Request
		code int
	}{
		{"connection refused", KindDataTask, Request{URL: "http://" + freePort(t) + "/"}, CodeCannotConnectToHost},
		{"unknown host", KindDataTask, Request{URL: "http://no-such-host.invalid/"}, CodeCannotFindHost},
		{"short body", KindDataTask, Request{URL: shortBody}, CodeNetworkConnectionLost},
		{"short body download", KindDownloadTask, Request{URL: shortBody}, CodeNetworkConnectionLost},
		{"dropped connection", KindDownloadTask, Request{URL: dropped}, CodeNetworkConnectionLost},
		{"empty reply", KindDataTask, Request{URL: emptyReply}, CodeBadServerResponse},
		{"unparsable status", KindDataTask, Request{URL: garbage}, CodeCannotParseResponse},
		{"untrusted certificate", KindDataTask, Request{URL: tlsSrv.URL}, CodeServerCertificateUntrusted},
		{"bad port", KindDataTask, Request{URL: "http://127.0.0.0:999999/Nepal"}, CodeBadURL},
		{"no host", KindDataTask, Request{URL: "http:///path"}, CodeBadURL},
		{"bad escape", KindDataTask, Request{URL: "http://127.0.0.1/%zz"}, CodeBadURL},
		{"unsupported scheme", KindDataTask, Request{URL: "foobar://127.0.0.1/"}, CodeUnsupportedURL},
		{"GET with body", KindDataTask, Request{URL: "http://127.0.0.1/", Method: "GET", Body: []byte("x")}, CodeDataLengthExceedsMaximum},
		{"missing upload file", KindUploadTask, Request{URL: "http://127.0.0.1/", BodyFile: missingFile}, CodeFileDoesNotExist},
		{"header injection", KindDataTask, Request{URL: "http://127.0.0.1/", Header: []Header{{"X-A", "v\r\nX-Evil: 1"}}}, CodeBadURL},
		{"bad header name", KindDataTask, Request{URL: "http://127.0.0.1/", Header: []Header{{"Bad Name", "v"}}}, CodeBadURL},
	}
	for _, c := range cases {
		task := start(t, s, c.kind, c.req)
		err := rec.wait(t, task.ID())
		if err == nil || err.Code != c.code {
			t.Errorf("%s: got %v, want code %d", c.name, err, c.code)
			continue
		}
		if err.URL != c.req.URL || err.Message != MessageForCode(c.code) || !strings.Contains(err.Error(), fmt.Sprint(c.code)) {
			t.Errorf("%s: error fields %#v", c.name, err)
		}
	}
	rec.check(t)
	// Nothing half-written is left in the session directory.
	s.FinishTasksAndInvalidate()
	rec.waitInvalid(t)
	if entries, _ := os.ReadDir(s.dir); len(entries) != 0 {
		t.Errorf("files left after failed downloads: %v", entries)
	}
}

func TestTrustedCAsAndHosts(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.Proto)
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	e := newTestEngine(t)

	cfg := DefaultConfiguration()
	cfg.TrustedCAs = pool
	s, rec := newTestSession(t, e, cfg)
	task := start(t, s, KindDataTask, Request{URL: srv.URL})
	wantCode(t, rec.wait(t, task.ID()), 0)
	if got := string(task.Body()); got != "HTTP/2.0" || task.Response().Proto != "HTTP/2.0" {
		t.Errorf("expected HTTP/2 over TLS, server saw %q, response %q", got, task.Response().Proto)
	}

	cfg = DefaultConfiguration()
	cfg.TrustedHosts = []string{"127.0.0.1"}
	s2, rec2 := newTestSession(t, e, cfg)
	wantCode(t, rec2.wait(t, start(t, s2, KindDataTask, Request{URL: srv.URL}).ID()), 0)

	cfg.TrustedHosts = []string{"example.test"} // another host: still verified
	s3, rec3 := newTestSession(t, e, cfg)
	wantCode(t, rec3.wait(t, start(t, s3, KindDataTask, Request{URL: srv.URL}).ID()), CodeServerCertificateUntrusted)

	cfg = DefaultConfiguration()
	cfg.TLSMinimumVersion = 0x0999
	if _, err := e.NewSession(cfg, NopDelegate{}); err == nil {
		t.Error("bogus TLS version accepted")
	}
}

func TestDataBodyCap(t *testing.T) {
	big := strings.Repeat("x", 3<<20)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/chunked" {
			w.(http.Flusher).Flush() // no Content-Length: the cap must trip while reading
		}
		io.WriteString(w, big)
	}))
	defer srv.Close()
	e := newTestEngine(t)
	cfg := DefaultConfiguration()
	cfg.MaxDataBodyBytes = 1 << 20
	s, rec := newTestSession(t, e, cfg)
	for _, path := range []string{"/known", "/chunked"} {
		task := start(t, s, KindDataTask, Request{URL: srv.URL + path})
		wantCode(t, rec.wait(t, task.ID()), CodeDataLengthExceedsMaximum)
		if task.Body() != nil {
			t.Errorf("%s: body kept after failure", path)
		}
	}
	// A download has no such cap.
	dl := start(t, s, KindDownloadTask, Request{URL: srv.URL + "/known"})
	wantCode(t, rec.wait(t, dl.ID()), 0)
}

func TestPanickingDelegateDoesNotEscape(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	e := newTestEngine(t)
	d := &panicky{recorder: newRecorder()}
	s, err := e.NewSession(DefaultConfiguration(), d)
	if err != nil {
		t.Fatal(err)
	}
	task, _ := s.DataTask(Request{URL: srv.URL})
	task.Resume()
	wantCode(t, d.wait(t, 1), 0)
}

type panicky struct{ *recorder }

func (p *panicky) DidReceiveResponse(*Task, *Response) { panic("delegate bug") }
