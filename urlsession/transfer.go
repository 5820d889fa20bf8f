package urlsession

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"

	"github.com/tirun/tirun/telemetry"
	"golang.org/x/net/http/httpguts"
)

// run performs a task's transfer on a runner worker (whose timers it borrows) and
// reports the outcome once. A panic here would be an engine bug; it fails the task
// instead of the process.
func (s *Session) run(t *Task, tm *taskTimers) {
	defer func() {
		if r := recover(); r != nil {
			s.engine.logger.Error(fmt.Sprintf("urlsession: transfer panicked: %v", r), "url", t.req.URL)
			t.finish(transferResult{err: newURLError(CodeUnknown, t.CurrentURL(), fmt.Errorf("internal error: %v", r))})
		}
	}()
	t.finish(s.transfer(t, tm))
}

func (s *Session) transfer(t *Task, tm *taskTimers) (res transferResult) {
	var dl downloadState // download tasks: the file across requests
	if t.kind == KindDownloadTask {
		defer func() {
			if res.err != nil {
				res.partial = dl.partial()
			}
		}()
	}
	ctx, cancel := tm.taskContext()
	gen := tm.begin(t, s.cfg.TimeoutIntervalForRequest, s.cfg.TimeoutIntervalForResource, cancel)
	defer tm.end()
	t.mu.Lock()
	t.timers = tm
	cancelled := t.state == StateCanceling // Cancel ran between Resume and here
	t.mu.Unlock()
	if cancelled {
		tm.cancelTask(t, errCancelled)
	}

	if t.resumeErr != nil {
		return transferResult{err: newURLError(CodeUnsupportedURL, t.req.URL, t.resumeErr)}
	}
	if t.resumeFrom != nil {
		if uerr := s.claimPartial(t, &dl); uerr != nil {
			return transferResult{err: uerr}
		}
	}
	if t.bgJournaled {
		s.prepareBackgroundDownload(t, &dl)
	}
	cur, uerr := s.firstHop(t)
	if uerr != nil {
		return transferResult{err: uerr}
	}
	if dl.rangeFrom > 0 {
		cur.header = rangeHeaders(cur.header, dl.rangeFrom, dl.info.validator())
	}
	if s.observer != nil { // the recorded exchanges name their task (observe.go)
		ctx = telemetry.WithTask(ctx, s.name, t.id)
	}
	cur, resp, slot, uerr := s.finalResponse(ctx, t, cur, tm, gen, &dl)
	if uerr != nil {
		return transferResult{err: uerr}
	}
	// Outside the request loop, so this defer costs no allocation.
	defer s.hosts.release(cur.host, slot)
	return s.receive(ctx, t, cur, resp, tm, &dl)
}

// finalResponse sends the task's requests, answering authentication challenges and
// following redirects, until the response whose body the task receives. The caller
// owns the returned host slot.
func (s *Session) finalResponse(ctx context.Context, t *Task, cur *hop, tm *taskTimers, gen uint64,
	dl *downloadState) (*hop, *http.Response, *hostSlots, *URLError) {
	origin := cur.url
	var auth authState
	for redirects := 0; ; {
		t.setCurrentURL(cur.str)
		if err := t.waitRunning(ctx); err != nil { // suspended before this request went out
			return nil, nil, nil, mapError(ctx, err, cur.url.String())
		}
		resp, req, slot, uerr := s.send(ctx, t, cur, tm, gen)
		if uerr != nil {
			return nil, nil, nil, uerr
		}
		s.storeCookies(cur, origin, resp)
		if retry, ok := s.challenge(&auth, cur, origin, req, resp); ok {
			discardBody(resp)
			s.hosts.release(cur.host, slot)
			cur = retry // the same request with credentials: not a redirect
			continue
		}
		s.settle(&auth, resp)
		next, isRedirect, uerr := nextHop(cur, resp, origin)
		if uerr == nil && !isRedirect && rangeRefused(dl, resp) {
			// Not the rest of our body, nor a whole one: ask again for all of it.
			discardBody(resp)
			s.hosts.release(cur.host, slot)
			dl.rangeFrom = 0
			t.restartReceive()
			plain := *cur
			plain.header = removeHeaders(cur.header, "Range", "If-Range")
			cur = &plain
			continue
		}
		if uerr == nil && !isRedirect {
			return cur, resp, slot, nil
		}
		discardBody(resp)
		s.hosts.release(cur.host, slot)
		if uerr != nil {
			return nil, nil, nil, uerr
		}
		if redirects == MaxRedirects {
			return nil, nil, nil, newURLError(CodeHTTPTooManyRedirects, cur.url.String(), nil)
		}
		redirects++
		cur = next
	}
}

// send waits for a host slot and performs one request. A request that fails on a
// reused (possibly stale) pooled connection before any response is sent again once:
// bodies are always replayable here (bytes or a file reopened). On success the
// caller owns the slot and gives it back with s.hosts.release(h.host, slot).
func (s *Session) send(ctx context.Context, t *Task, h *hop, tm *taskTimers, gen uint64) (*http.Response, *http.Request, *hostSlots, *URLError) {
	if isSpecialInvalidName(h.url.Hostname()) {
		return nil, nil, nil, newURLError(CodeCannotFindHost, h.url.String(),
			&net.DNSError{Err: "no such host", Name: h.url.Hostname(), IsNotFound: true})
	}
	tm.setQueued(true)
	slot, err := s.hosts.acquire(ctx, h.host)
	tm.setQueued(false)
	if err != nil {
		return nil, nil, nil, mapError(ctx, err, h.url.String())
	}
	tm.startResource()
	for attempt := 0; ; attempt++ {
		tm.reused.Store(false)
		req, uerr := s.buildRequest(ctx, t, h, tm, gen)
		if uerr != nil {
			s.hosts.release(h.host, slot)
			return nil, nil, nil, uerr
		}
		resp, err := s.roundTrip(t, req)
		if err == nil {
			if resp.ProtoMajor == 2 {
				s.hosts.markMultiplexed(h.host)
			}
			return resp, req, slot, nil
		}
		if attempt == 0 && tm.reused.Load() && ctx.Err() == nil && isStaleConnError(err) {
			continue
		}
		s.hosts.release(h.host, slot)
		return nil, nil, nil, mapError(ctx, err, h.url.String())
	}
}

func (s *Session) buildRequest(ctx context.Context, t *Task, h *hop, tm *taskTimers, gen uint64) (*http.Request, *URLError) {
	// Built directly rather than with http.NewRequestWithContext, which would parse
	// a URL only to have it replaced: this saves allocations on every request.
	if !httpguts.ValidHeaderFieldName(h.method) { // a method is a token, as for a header name
		return nil, newURLError(CodeBadURL, h.url.String(), fmt.Errorf("invalid method %q", h.method))
	}
	u := h.url
	if u.User != nil { // credentials were turned into an Authorization header
		c := *u
		c.User = nil
		u = &c
	}
	var cookies []*http.Cookie
	if s.cfg.HTTPShouldSetCookies && s.jar != nil {
		cookies = s.jar.Cookies(h.url)
	}
	var hdr http.Header
	var host string
	if len(cookies) == 0 && s.plain.is(h.header) {
		hdr, host = s.plain.wire, s.plain.host // shared: the transport only reads it
	} else {
		hdr, host = wireHeader(h.header)
		addJarCookies(hdr, cookies)
	}
	if host == "" {
		host = u.Host
	}
	// The transport treats the request as read-only, so sharing h.url is safe.
	req := (&http.Request{Method: h.method, URL: u, Host: host, Header: hdr,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}).WithContext(ctx)
	if !h.body.empty() && h.body.size > 0 {
		open := func() (io.ReadCloser, error) {
			rc, err := h.body.open()
			if err != nil {
				return nil, err
			}
			t.sent.Store(0)
			return &sendReader{rc: rc, ctx: ctx, task: t, timers: tm, gen: gen,
				gate: progressGate{interval: s.cfg.ProgressInterval}}, nil
		}
		body, err := open()
		if err != nil {
			return nil, newURLError(CodeNoPermissionsToReadFile, h.url.String(), err)
		}
		req.Body, req.GetBody, req.ContentLength = body, open, h.body.size
	} else if !h.body.empty() {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	return req, nil
}

// addJarCookies appends stored cookies to a Cookie header the caller may have set
// (in any spelling), or adds one.
func addJarCookies(h http.Header, cookies []*http.Cookie) {
	if len(cookies) == 0 {
		return
	}
	var b strings.Builder
	for i, c := range cookies {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(c.Name)
		b.WriteByte('=')
		b.WriteString(c.Value)
	}
	for k, v := range h {
		if strings.EqualFold(k, "Cookie") && len(v) > 0 {
			v[len(v)-1] += "; " + b.String()
			return
		}
	}
	h["Cookie"] = []string{b.String()}
}

// storeCookies keeps the cookies of every response, redirects included. The main
// document for the accept policy is the task's original URL.
func (s *Session) storeCookies(h *hop, origin *url.URL, resp *http.Response) {
	if s.cfg.HTTPCookieAcceptPolicy == CookieAcceptNever || s.jar == nil {
		return
	}
	cs := resp.Cookies()
	if len(cs) == 0 {
		return
	}
	if ps, ok := s.jar.(policyStorage); ok {
		ps.SetCookiesWithPolicy(h.url, origin, acceptPolicy(s.cfg.HTTPCookieAcceptPolicy), cs)
		return
	}
	s.jar.SetCookies(h.url, cs)
}

// isSpecialInvalidName reports names under the special-use ".invalid" domain, which
// RFC 6761 §6.4 says resolvers should reject at once, without asking any server.
func isSpecialInvalidName(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	return host == "invalid" || strings.HasSuffix(host, ".invalid")
}

func isStaleConnError(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		strings.Contains(err.Error(), "server closed idle connection")
}

// discardBody drains a little of a body we do not need so the connection can be
// reused, then closes it.
func discardBody(resp *http.Response) {
	_, _ = io.CopyN(io.Discard, resp.Body, 64<<10)
	resp.Body.Close()
}

// receive handles the final response: it is announced to the delegate, then its
// (decoded) body goes to memory or to a file.
func (s *Session) receive(ctx context.Context, t *Task, h *hop, resp *http.Response, tm *taskTimers, dl *downloadState) transferResult {
	defer resp.Body.Close()
	encodings, known := contentEncodings(resp.Header.Get("Content-Encoding"))
	decode := known && len(encodings) > 0 && !resp.Uncompressed
	expected := resp.ContentLength
	if decode || expected < 0 {
		expected = SizeUnknown // the decoded length is not announced
	}
	var appendAt int64 // a resumed download's bytes already on disk
	if t.kind == KindDownloadTask {
		appendAt, expected = s.planDownload(t, dl, resp, expected)
	}
	t.expectedReceive.Store(expected)
	r := newResponse(resp, h.url, h.str, expected)
	t.mu.Lock()
	t.response = r
	t.mu.Unlock()
	s.enqueue(event{kind: evResponse, task: t, resp: r})

	// Both readers in one allocation.
	pipe := &struct {
		raw  rawReader
		recv receiveReader
	}{raw: rawReader{r: resp.Body, timers: tm}}
	var src io.Reader = &pipe.raw
	if decode {
		src = newDecoder(src, encodings)
	}
	rr := &pipe.recv
	*rr = receiveReader{r: src, ctx: ctx, task: t, progress: t.kind == KindDownloadTask,
		gate: progressGate{interval: s.cfg.ProgressInterval}}
	res := transferResult{response: r}
	var err error
	if t.kind == KindDownloadTask {
		res.download, err = s.writeDownload(rr, dl, appendAt)
	} else {
		announced := expected
		if h.method == http.MethodHead {
			announced = 0 // a HEAD response's length describes a body that is not sent
		}
		res.body, err = readCapped(rr, announced, s.cfg.MaxDataBodyBytes)
	}
	if err != nil {
		res.err = s.receiveError(ctx, t, h, err)
	} else if decode {
		// A decoder may stop at its trailer before the raw body reports EOF; reading
		// on to EOF lets the connection be reused and the cache commit its entry.
		_, _ = io.CopyN(io.Discard, resp.Body, 64<<10)
	}
	return res
}

func (s *Session) receiveError(ctx context.Context, t *Task, h *hop, err error) *URLError {
	var ue *URLError
	if errors.As(err, &ue) {
		if ue.URL == "" {
			ue.URL = h.url.String()
		}
		return ue
	}
	ue = mapError(ctx, err, h.url.String())
	var de *decodeError
	if ue.Code == CodeCannotDecodeRawData && errors.As(err, &de) && t.kind == KindDownloadTask {
		ue = newURLError(CodeDownloadDecodingFailedMidStream, h.url.String(), err)
	}
	return ue
}

// planDownload decides where a download's body goes: after the partial file's bytes
// for a 206 answering our range, else from zero. It returns that offset and the
// full expected length, and records what resume data would need.
func (s *Session) planDownload(t *Task, dl *downloadState, resp *http.Response, expected int64) (int64, int64) {
	if dl.rangeFrom > 0 && resp.StatusCode == http.StatusPartialContent { // checked by rangeRefused
		_, total, _ := parseContentRange(resp.Header.Get("Content-Range"))
		if total < 0 && expected >= 0 {
			total = dl.rangeFrom + expected
		}
		dl.info.ExpectedLength = total
		return dl.rangeFrom, total
	}
	t.restartReceive() // a resumed download the server sent in full
	dl.rangeFrom = 0
	dl.info = describeBody(t, resp, expected)
	return 0, expected
}
