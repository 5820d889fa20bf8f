package urlsession

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// DownloadTaskWithResumeData creates a suspended download task that continues the
// download data describes (from CancelByProducingResumeData or URLError.ResumeData).
// It asks for the missing bytes with Range and If-Range: a 206 appends to the partial
// file; a 200 (range ignored, or the resource changed) starts over from zero; a 416 or
// a 206 starting elsewhere starts over with a plain GET. Invalid data gives a task
// that fails with CodeUnsupportedURL when resumed, as on Darwin. If the partial file
// is gone the task downloads from zero: the data still names a valid request. Use
// each resume data once: the task takes its partial file.
func (s *Session) DownloadTaskWithResumeData(data []byte) (*Task, error) {
	ri, err := decodeResumeData(data)
	r := Request{Method: http.MethodGet}
	if ri != nil {
		r.URL, r.Header = ri.URL, ri.Header
	}
	raw := append([]byte(nil), data...)
	return s.newTask(KindDownloadTask, r, func(t *Task) {
		t.resumeRaw = raw
		if err != nil {
			t.resumeErr = err
			return
		}
		t.resumeFrom = ri
		// Progress continues from the bytes already on disk.
		t.received.Store(ri.BytesReceived)
		t.deliveredReceived = ri.BytesReceived
		t.expectedReceive.Store(ri.ExpectedLength)
	})
}

// CancelByProducingResumeData cancels the task and calls fn, once, with data for
// DownloadTaskWithResumeData, or nil when the download cannot be resumed: not a GET
// download, no strong ETag or Last-Modified, no byte-range support, encoded, or
// nothing received yet. fn runs on the delegate goroutine before DidComplete.
func (t *Task) CancelByProducingResumeData(fn func(data []byte)) {
	if fn == nil {
		t.Cancel()
		return
	}
	t.mu.Lock()
	if t.state != StateRunning && t.state != StateSuspended {
		t.mu.Unlock() // already over (or being cancelled by someone else)
		t.session.enqueue(event{kind: evCall, fn: func() { fn(nil) }})
		return
	}
	t.resumeCB = fn
	t.mu.Unlock()
	t.Cancel()
}

// partialFile is part of a download's body on disk, left by a transfer that did not
// complete. info is nil when the body cannot be resumed.
type partialFile struct {
	path string
	info *resumeInfo
}

func (p *partialFile) discard() {
	if p != nil {
		removeQuietly(p.path)
	}
}

// resumableCodes are the failures after which a partial body is worth keeping:
// transient network trouble, where trying again later makes sense.
func resumableCode(code int) bool {
	switch code {
	case CodeNetworkConnectionLost, CodeTimedOut, CodeCannotConnectToHost,
		CodeCannotFindHost, CodeNotConnectedToInternet:
		return true
	}
	return false
}

// settleResumeData decides the fate of a failed download's partial file: it becomes
// resume data (for the cancel callback, or on URLError.ResumeData for a transient
// failure) or is deleted. It returns the data for the callback.
func (t *Task) settleResumeData(r transferResult, wanted, started bool) []byte {
	if r.err == nil {
		r.partial.discard() // not expected: a completed download has no partial
		return nil
	}
	if !started && wanted && t.resumeFrom != nil {
		return t.resumeRaw // never ran: the data and its file are as they were
	}
	p := r.partial
	if p == nil {
		return nil
	}
	keep := p.info != nil && (wanted && r.err.Code == CodeCancelled || !wanted && resumableCode(r.err.Code))
	if !keep {
		p.discard()
		return nil
	}
	data, err := t.session.engine.keepPartial(p)
	if err != nil {
		t.session.engine.logger.Warn("urlsession: keeping a partial download for resume data failed",
			"url", t.req.URL, "err", err)
		p.discard()
		return nil
	}
	if wanted {
		return data
	}
	r.err.ResumeData = data
	return nil
}

// keepPartial moves p's file into the resume directory (same file system: the session
// directories live in the engine directory) and encodes its resume data.
func (e *Engine) keepPartial(p *partialFile) ([]byte, error) {
	st, err := os.Stat(p.path)
	if err != nil {
		return nil, err
	}
	if st.Size() != p.info.BytesReceived {
		return nil, fmt.Errorf("partial file holds %d bytes, %d were counted", st.Size(), p.info.BytesReceived)
	}
	dir := e.resumeDir()
	if filepath.Dir(p.path) != dir {
		name, err := reservePartialName(dir)
		if err != nil {
			return nil, err
		}
		if err := os.Rename(p.path, name); err != nil {
			removeQuietly(name)
			return nil, err
		}
		p.path = name
	}
	p.info.PartialFile = filepath.Base(p.path)
	return p.info.encode(), nil
}

// reservePartialName creates an empty owner-only file with a fresh partial name.
func reservePartialName(dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	f, err := os.CreateTemp(dir, partialPattern) // mode 0600
	if err != nil {
		return "", err
	}
	name := f.Name()
	f.Close()
	return name, nil
}

// downloadState is a download's file across the requests of one transfer. Owned by
// the transfer goroutine.
type downloadState struct {
	path      string        // the file being written; "" until a fresh body starts
	info      *resumeInfo   // what the file holds when resumable, else nil
	rangeFrom int64         // > 0: the request asks for the bytes from here on
	create    string        // background downloads: the durable file a fresh body goes to
	ckpt      *checkpointer // background downloads: progress checkpoints
}

// partial is what a failed transfer leaves for settleResumeData.
func (d *downloadState) partial() *partialFile {
	if d.path == "" {
		return nil
	}
	if d.info != nil && d.info.BytesReceived <= 0 {
		return &partialFile{path: d.path} // nothing received: not resumable
	}
	return &partialFile{path: d.path, info: d.info}
}

// claimPartial takes the resume data's file for t. Renaming it to a fresh name is
// atomic, so two tasks made from the same data cannot write one file: the loser finds
// it gone and downloads from zero. A missing file means starting over; a file of the
// wrong size (or not a plain file) makes the data invalid.
func (s *Session) claimPartial(t *Task, d *downloadState) *URLError {
	ri := t.resumeFrom
	dir := s.engine.resumeDir()
	old := filepath.Join(dir, ri.PartialFile)
	name, err := reservePartialName(dir)
	if err != nil {
		return newURLError(CodeCannotCreateFile, t.req.URL, err)
	}
	st, err := os.Lstat(old)
	if err == nil && (!st.Mode().IsRegular() || st.Size() != ri.BytesReceived) {
		removeQuietly(name)
		if st.Mode().IsRegular() {
			removeQuietly(old) // its content no longer matches the data: useless
		}
		return newURLError(CodeUnsupportedURL, t.req.URL,
			fmt.Errorf("%w: the partial file does not hold the %d bytes recorded", errInvalidResumeData, ri.BytesReceived))
	}
	if err == nil {
		err = os.Rename(old, name)
	}
	if err != nil { // gone (used by another task, cleaned up): start from zero
		removeQuietly(name)
		t.restartReceive()
		return nil
	}
	now := time.Now()
	_ = os.Chtimes(name, now, now) // not stale while in use
	info := *ri
	d.path, d.info, d.rangeFrom = name, &info, ri.BytesReceived
	return nil
}

// restartReceive sets the progress counters back to zero: the body comes in full.
// Nothing counted yet means nothing to restart.
func (t *Task) restartReceive() {
	if t.received.Load() == 0 {
		return
	}
	t.received.Store(0)
	t.receiveEpoch.Add(1)
}

// rangeHeaders asks for the rest of the body, only if it is still the same
// (If-Range), and unencoded: ranges of an encoded body are not ranges of the file.
func rangeHeaders(header []Header, from int64, validator string) []Header {
	out := removeHeaders(header, "Range", "If-Range", "Accept-Encoding")
	return append(out, Header{"Range", "bytes=" + strconv.FormatInt(from, 10) + "-"},
		Header{"If-Range", validator}, Header{"Accept-Encoding", "identity"})
}

// rangeRefused tells whether the server answered a range request in a way that
// cannot be appended and is no full body either: then a plain GET starts over.
func rangeRefused(d *downloadState, resp *http.Response) bool {
	if d.rangeFrom <= 0 {
		return false
	}
	switch resp.StatusCode {
	case http.StatusRequestedRangeNotSatisfiable:
		return true
	case http.StatusPartialContent:
		start, _, ok := parseContentRange(resp.Header.Get("Content-Range"))
		return !ok || start != d.rangeFrom || resp.Header.Get("Content-Encoding") != ""
	}
	return false
}

// parseContentRange reads "bytes START-END/TOTAL"; total is -1 for "*".
func parseContentRange(v string) (start, total int64, ok bool) {
	rest, found := strings.CutPrefix(strings.TrimSpace(v), "bytes ")
	if !found {
		return 0, 0, false
	}
	span, size, found := strings.Cut(rest, "/")
	if !found {
		return 0, 0, false
	}
	first, last, found := strings.Cut(span, "-")
	if !found {
		return 0, 0, false
	}
	start, err1 := strconv.ParseInt(strings.TrimSpace(first), 10, 64)
	end, err2 := strconv.ParseInt(strings.TrimSpace(last), 10, 64)
	if err1 != nil || err2 != nil || start < 0 || end < start {
		return 0, 0, false
	}
	total = -1
	if size = strings.TrimSpace(size); size != "*" {
		n, err := strconv.ParseInt(size, 10, 64)
		if err != nil || n <= end {
			return 0, 0, false
		}
		total = n
	}
	return start, total, true
}

// describeBody records what a fresh (200) download body is, for resume data; nil
// when it could not be resumed: Apple's conditions (GET, a validator, byte ranges)
// plus an unencoded body, since ranges count encoded bytes.
func describeBody(t *Task, resp *http.Response, expected int64) *resumeInfo {
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != "" {
		return nil
	}
	if m := strings.ToUpper(t.req.Method); m != "" && m != http.MethodGet || t.req.Body != nil || t.req.BodyFile != "" {
		return nil
	}
	if findHeader(t.req.Header, "Range") >= 0 {
		return nil // the caller asked for a part: its "rest" is not ours to guess
	}
	if !acceptsByteRanges(resp.Header.Values("Accept-Ranges")) {
		return nil
	}
	etag := resp.Header.Get("ETag")
	if strings.HasPrefix(etag, "W/") {
		etag = "" // If-Range needs a strong validator
	}
	lastModified := resp.Header.Get("Last-Modified")
	if etag == "" && lastModified == "" {
		return nil
	}
	return &resumeInfo{URL: t.req.URL, Method: http.MethodGet, Header: t.req.Header,
		ExpectedLength: expected, ETag: etag, LastModified: lastModified}
}

func acceptsByteRanges(values []string) bool {
	for _, v := range values {
		for _, unit := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(unit), "bytes") {
				return true
			}
		}
	}
	return false
}

// errNoDownloadFile marks a resumed download whose partial file could not be opened.
var errNoDownloadFile = errors.New("the partial download file cannot be opened")
