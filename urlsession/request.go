package urlsession

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
)

// hop is one request of a task's redirect chain.
type hop struct {
	url    *url.URL
	str    string // url.String(), computed once
	host   string // hostKey(url), computed once
	method string
	header []Header // merged, exact spelling, without cookies
	body   bodySource
}

// bodySource produces a fresh request body for every attempt (retries, 307/308).
type bodySource struct {
	data []byte
	file string
	size int64
}

func (b bodySource) empty() bool { return b.data == nil && b.file == "" }

// open returns the body as the transport wants it; a file is streamed.
func (b bodySource) open() (io.ReadCloser, error) {
	if b.file != "" {
		return os.Open(b.file)
	}
	return io.NopCloser(bytes.NewReader(b.data)), nil
}

// parseTaskURL accepts absolute http(s) URLs with a host and a valid port.
func parseTaskURL(raw string) (*url.URL, *URLError) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, newURLError(CodeBadURL, raw, err)
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
	case "":
		return nil, newURLError(CodeBadURL, raw, errors.New("the URL has no scheme"))
	default:
		return nil, newURLError(CodeUnsupportedURL, raw, errors.New("only http and https are supported"))
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Hostname() == "" {
		return nil, newURLError(CodeBadURL, raw, errors.New("the URL has no host"))
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, newURLError(CodeBadURL, raw, errors.New("the URL's port is out of range"))
		}
	}
	return u, nil
}

// requestMethod is the method a task's first request uses: Request.Method, or by
// default POST when there is a body (even an empty one) or for upload tasks, else GET.
func requestMethod(kind TaskKind, r Request) string {
	if r.Method != "" {
		return strings.ToUpper(r.Method)
	}
	if kind == KindUploadTask || r.Body != nil || r.BodyFile != "" {
		return http.MethodPost
	}
	return http.MethodGet
}

// firstHop validates the task's request and builds the first request of the chain.
func (s *Session) firstHop(t *Task) (*hop, *URLError) {
	r := t.req
	tu, uerr := lookupTaskURL(r.URL)
	if uerr != nil {
		return nil, uerr
	}
	u := tu.u
	h := &hop{url: u, str: tu.str, host: tu.host}
	switch {
	case r.BodyFile != "":
		info, err := os.Stat(r.BodyFile)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, newURLError(CodeFileDoesNotExist, r.URL, err)
		case errors.Is(err, fs.ErrPermission):
			return nil, newURLError(CodeNoPermissionsToReadFile, r.URL, err)
		case err != nil:
			return nil, newURLError(CodeFileDoesNotExist, r.URL, err)
		case info.IsDir():
			return nil, newURLError(CodeFileIsDirectory, r.URL, errors.New("the body file is a directory"))
		}
		f, err := os.Open(r.BodyFile) // fail now, not halfway through the request
		if err != nil {
			return nil, newURLError(CodeNoPermissionsToReadFile, r.URL, err)
		}
		f.Close()
		h.body = bodySource{file: r.BodyFile, size: info.Size()}
	case r.Body != nil:
		h.body = bodySource{data: r.Body, size: int64(len(r.Body))}
	}
	h.method = requestMethod(t.kind, r)
	if h.method == http.MethodGet && h.body.size > 0 {
		return nil, newURLError(CodeDataLengthExceedsMaximum, r.URL, errors.New("a GET request cannot carry a body"))
	}
	t.expectedSend.Store(h.body.size)
	if len(r.Header) == 0 && u.User == nil && h.body.size == 0 && s.plain != nil {
		h.header = s.plain.list
		return h, nil
	}
	hs, bad := firstHeaders(r.Header, s.cfg.HTTPAdditionalHeaders, u.User, h.method, h.body.size)
	if bad != "" {
		return nil, newURLError(CodeBadURL, r.URL, fmt.Errorf("header %q has an invalid name or value", bad))
	}
	h.header = hs
	return h, nil
}

// firstHeaders builds a task's first request headers: its own over the
// configuration's, credentials from the URL, a form Content-Type for a POST body,
// then the defaults. bad names an invalid header (the result is then unusable).
// Sessions build their plain headers with it too (newPlainHeaders), so both paths
// send the same thing.
func firstHeaders(own, cfg []Header, user *url.Userinfo, method string, bodySize int64) (hs []Header, bad string) {
	hs = mergeHeaders(own, cfg)
	for _, x := range hs {
		if !validHeader(x) {
			return nil, x.Name
		}
	}
	if user != nil && findHeader(hs, "Authorization") < 0 {
		pass, _ := user.Password()
		cred := base64.StdEncoding.EncodeToString([]byte(user.Username() + ":" + pass))
		hs = append(hs, Header{"Authorization", "Basic " + cred})
	}
	if method == http.MethodPost && bodySize > 0 && findHeader(hs, "Content-Type") < 0 {
		hs = append(hs, Header{"Content-Type", "application/x-www-form-urlencoded"})
	}
	addDefaultHeaders(&hs)
	return hs, ""
}
