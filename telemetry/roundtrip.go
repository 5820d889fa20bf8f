package telemetry

import (
	"context"
	"crypto/tls"
	"io"
	"mime"
	"net"
	"net/http"
	"net/http/httptrace"
	"sync"
	"time"
)

type taskKey struct{}

type taskRef struct {
	session string
	task    uint64
}

// WithTask marks a request context with the session and task it belongs to, so the
// exchanges Transport records can be matched with the task's events.
func WithTask(ctx context.Context, session string, task uint64) context.Context {
	return context.WithValue(ctx, taskKey{}, taskRef{session, task})
}

// Transport wraps inner so that every request it performs is reported to obs as an
// Exchange, with timings from net/http/httptrace. When obs does not want exchanges, inner
// is returned as it is. The wrapper adds nothing to the request.
func Transport(inner http.RoundTripper, obs Observer) http.RoundTripper {
	xo, ok := obs.(ExchangeObserver)
	if !ok || inner == nil {
		return inner
	}
	return &recordingTransport{inner: inner, obs: xo}
}

type recordingTransport struct {
	inner http.RoundTripper
	obs   ExchangeObserver
}

// CloseIdleConnections forwards, so owners that close idle connections through an
// interface check keep working through the wrapper.
func (rt *recordingTransport) CloseIdleConnections() {
	if c, ok := rt.inner.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

func (rt *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	clock := &phaseClock{start: time.Now()}
	ref, _ := req.Context().Value(taskKey{}).(taskRef)
	x := Exchange{Session: ref.session, Task: ref.task, Started: clock.start,
		Method: req.Method, URL: req.URL.String(), RequestHeaders: HeaderList(req.Header),
		RequestBodySize: req.ContentLength, Proto: req.Proto, ResponseBodySize: -1}
	if req.Body == nil || req.Body == http.NoBody {
		x.RequestBodySize = 0
	}
	// WithClientTrace composes: hooks already in the context (the engine's) still run.
	traced := req.WithContext(httptrace.WithClientTrace(req.Context(), clock.trace()))
	resp, err := rt.inner.RoundTrip(traced)
	if err != nil {
		x.Error = err.Error()
		x.ServerIP = clock.serverIP()
		x.Timings = clock.timings(time.Now())
		rt.obs.RecordExchange(x)
		return nil, err
	}
	x.Proto, x.Status = resp.Proto, resp.StatusCode
	x.StatusText = http.StatusText(resp.StatusCode)
	x.ResponseHeaders = HeaderList(resp.Header)
	x.MIMEType, _, _ = mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if x.MIMEType == "" {
		x.MIMEType = resp.Header.Get("Content-Type")
	}
	x.RedirectURL = resp.Header.Get("Location")
	x.ServerIP = clock.serverIP()
	clock.responded(time.Now())
	resp.Body = &countingBody{rc: resp.Body, x: x, clock: clock, obs: rt.obs}
	return resp, nil
}

// countingBody counts what the reader takes and records the exchange once, when the body
// ends (EOF, error or Close), which is when HAR's "receive" phase ends.
type countingBody struct {
	rc    io.ReadCloser
	x     Exchange
	clock *phaseClock
	obs   ExchangeObserver
	n     int64
	once  sync.Once
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	b.n += int64(n)
	if err != nil {
		b.finish(err)
	}
	return n, err
}

func (b *countingBody) Close() error {
	err := b.rc.Close()
	b.finish(nil)
	return err
}

func (b *countingBody) finish(err error) {
	b.once.Do(func() {
		b.x.ResponseBodySize = b.n
		if err != nil && err != io.EOF {
			b.x.Error = err.Error()
		}
		b.x.Timings = b.clock.timings(time.Now())
		b.obs.RecordExchange(b.x)
	})
}

// phaseClock collects httptrace moments. Hooks can run on the transport's goroutines
// (dialing happens concurrently), hence the mutex.
type phaseClock struct {
	mu                    sync.Mutex
	start                 time.Time
	dnsStart, dnsDone     time.Time
	connStart, connDone   time.Time
	tlsStart, tlsDone     time.Time
	gotConn, wrote, first time.Time
	responseAt            time.Time
	remote                string
}

func (c *phaseClock) trace() *httptrace.ClientTrace {
	return &httptrace.ClientTrace{
		DNSStart:          func(httptrace.DNSStartInfo) { c.markFirst(&c.dnsStart) },
		DNSDone:           func(httptrace.DNSDoneInfo) { c.markFirst(&c.dnsDone) },
		ConnectStart:      func(string, string) { c.markFirst(&c.connStart) },
		ConnectDone:       func(string, string, error) { c.mark(&c.connDone) },
		TLSHandshakeStart: func() { c.markFirst(&c.tlsStart) },
		TLSHandshakeDone:  func(tls.ConnectionState, error) { c.mark(&c.tlsDone) },
		GotConn: func(i httptrace.GotConnInfo) {
			c.markFirst(&c.gotConn)
			if i.Conn != nil {
				addr := i.Conn.RemoteAddr().String()
				c.mu.Lock()
				c.remote = addr
				c.mu.Unlock()
			}
		},
		WroteRequest:         func(httptrace.WroteRequestInfo) { c.mark(&c.wrote) },
		GotFirstResponseByte: func() { c.markFirst(&c.first) },
	}
}

// markFirst records the first occurrence of a moment.
func (c *phaseClock) markFirst(dst *time.Time) {
	c.mu.Lock()
	if dst.IsZero() {
		*dst = time.Now()
	}
	c.mu.Unlock()
}

// mark records the last occurrence (several dials may race; the last one done counts).
func (c *phaseClock) mark(dst *time.Time) {
	c.mu.Lock()
	*dst = time.Now()
	c.mu.Unlock()
}

func (c *phaseClock) responded(t time.Time) {
	c.mu.Lock()
	c.responseAt = t
	c.mu.Unlock()
}

func (c *phaseClock) serverIP() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	host, _, err := net.SplitHostPort(c.remote)
	if err != nil {
		return c.remote // no port to strip (an empty or a Unix socket address)
	}
	return host
}

// span is b-a, or -1 when either moment is missing.
func span(a, b time.Time) time.Duration {
	if a.IsZero() || b.IsZero() || b.Before(a) {
		return -1
	}
	return b.Sub(a)
}

// timings splits start..end into HAR's phases. Connect includes SSL, as HAR defines it.
func (c *phaseClock) timings(end time.Time) Timings {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := Timings{DNS: span(c.dnsStart, c.dnsDone), Connect: span(c.connStart, c.connDone),
		SSL: span(c.tlsStart, c.tlsDone), Send: -1, Wait: -1, Receive: -1}
	if t.SSL > 0 && !c.tlsDone.IsZero() && t.Connect >= 0 && c.tlsDone.After(c.connDone) {
		t.Connect = span(c.connStart, c.tlsDone) // Go dials, then handshakes: HAR counts both
	}
	ready := c.gotConn
	if ready.IsZero() {
		ready = end // never got a connection: all the time was spent getting one
	}
	blocked := span(c.start, ready)
	for _, d := range []time.Duration{t.DNS, t.Connect} {
		if d > 0 {
			blocked -= d
		}
	}
	if blocked < 0 {
		blocked = 0
	}
	t.Blocked = blocked
	if !c.gotConn.IsZero() {
		t.Send = span(c.gotConn, c.wrote)
		first := c.first
		if first.IsZero() {
			first = c.responseAt
		}
		t.Wait = span(c.wrote, first)
		if !c.responseAt.IsZero() {
			t.Receive = span(first, end)
		}
	}
	return t
}
