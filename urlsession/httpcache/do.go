package httpcache

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"time"
)

// Fetch performs one HTTP exchange on the network (the engine's transport
// round trip for one hop).
type Fetch func(*http.Request) (*http.Response, error)

// Do answers req under policy, from the cache or through fetch. fromCache is
// true when the body comes from the cache, including after a 304
// revalidation (the response then carries the stored status and body with
// the 304's updated headers). A fetched, storable response is returned with
// its Body wrapped so that the bytes the caller reads are also written to
// the cache; the entry is committed when the caller reads to EOF (or the
// full Content-Length) and discarded if reading fails or stops early. The
// caller must Close the body as usual.
//
// Requests other than GET and HEAD, and requests that are already
// conditional or ranged, go straight to fetch; a successful unsafe request
// invalidates what is stored for its URL.
func (c *Cache) Do(req *http.Request, policy Policy, fetch Fetch) (resp *http.Response, fromCache bool, err error) {
	if req == nil || req.URL == nil {
		return nil, false, errors.New("httpcache.Do: argument 'req' must be a request with a URL")
	}
	if fetch == nil && policy != ReturnCacheDataDontLoad {
		return nil, false, errors.New("httpcache.Do: argument 'fetch' must not be nil")
	}
	if req.Method != http.MethodGet && req.Method != http.MethodHead && req.Method != "" {
		return c.doUnsafe(req, fetch)
	}
	if isConditionalOrRanged(req) {
		resp, err := fetch(req)
		return resp, false, err
	}
	key := primaryKey(methodOf(req), req.URL)
	reqCC := parseCacheControl(req.Header)
	if reqCC.has("only-if-cached") {
		policy = ReturnCacheDataDontLoad
	}

	switch policy {
	case ReloadIgnoringLocalCacheData:
		return c.fetchAndStore(req, key, fetch)
	case ReturnCacheDataElseLoad, ReturnCacheDataDontLoad:
		if resp := c.serveStored(req, key, nil); resp != nil {
			return resp, true, nil
		}
		if policy == ReturnCacheDataDontLoad {
			return nil, false, ErrNotCached
		}
		return c.fetchAndStore(req, key, fetch)
	}

	// UseProtocolCachePolicy.
	if reqCC.has("no-store") {
		resp, err := fetch(req)
		return resp, false, err
	}
	now := c.opts.Now()
	var validators http.Header
	fresh := c.serveStored(req, key, func(e *entry) bool {
		if e.usableWithoutRevalidation(reqCC, now) {
			return true
		}
		if e.hasValidators() {
			validators = http.Header{}
			if v := e.Header.Get("ETag"); v != "" {
				validators.Set("If-None-Match", v)
			}
			if v := e.Header.Get("Last-Modified"); v != "" {
				validators.Set("If-Modified-Since", v)
			}
		}
		return false
	})
	if fresh != nil {
		return fresh, true, nil
	}
	if validators == nil {
		return c.fetchAndStore(req, key, fetch)
	}
	return c.revalidate(req, key, validators, fetch)
}

func methodOf(req *http.Request) string {
	if req.Method == "" {
		return http.MethodGet
	}
	return req.Method
}

func isConditionalOrRanged(req *http.Request) bool {
	for _, h := range []string{"If-None-Match", "If-Modified-Since", "If-Match", "If-Unmodified-Since", "If-Range", "Range"} {
		if req.Header.Get(h) != "" {
			return true
		}
	}
	return false
}

func (c *Cache) doUnsafe(req *http.Request, fetch Fetch) (*http.Response, bool, error) {
	resp, err := fetch(req)
	if err == nil && resp.StatusCode < 400 {
		c.mu.Lock()
		c.invalidateLocked(primaryKey(http.MethodGet, req.URL), primaryKey(http.MethodHead, req.URL))
		c.mu.Unlock()
	}
	return resp, false, err
}

// serveStored returns a response built from the variant req selects when
// accept (nil: always) agrees, or nil.
func (c *Cache) serveStored(req *http.Request, key string, accept func(*entry) bool) *http.Response {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.lookupLocked(key, req)
	if e == nil || accept != nil && !accept(e) {
		return nil
	}
	resp, err := c.responseLocked(e, req)
	if err != nil {
		// Its files vanished (removed by hand?): forget it, fetch instead.
		c.removeLocked(e)
		c.removeFilesLocked(e)
		return nil
	}
	c.touchLocked(e)
	return resp
}

// responseLocked builds an *http.Response from a stored entry.
func (c *Cache) responseLocked(e *entry, req *http.Request) (*http.Response, error) {
	var body io.ReadCloser = http.NoBody
	switch {
	case c.opts.Dir == "":
		body = io.NopCloser(bytes.NewReader(e.body))
	case e.BodySize > 0:
		f, err := os.Open(c.bodyPath(e.ID))
		if err != nil {
			return nil, err
		}
		body = f
	}
	h := e.Header.Clone()
	h.Set("Age", strconv.FormatInt(int64(e.currentAge(c.opts.Now())/time.Second), 10))
	length := e.BodySize
	if req.Method == http.MethodHead {
		// A HEAD entry has no body; its Content-Length describes the GET
		// representation and is served as stored.
		body = http.NoBody
		length = -1
		if n, err := strconv.ParseInt(h.Get("Content-Length"), 10, 64); err == nil {
			length = n
		}
	} else {
		h.Set("Content-Length", strconv.FormatInt(e.BodySize, 10))
	}
	return &http.Response{
		Status:        fmt.Sprintf("%d %s", e.Status, http.StatusText(e.Status)),
		StatusCode:    e.Status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          body,
		ContentLength: length,
		Request:       req,
	}, nil
}

// revalidate sends req with the stored validators. A 304 refreshes the
// stored entry and serves it; anything else is a new response.
func (c *Cache) revalidate(req *http.Request, key string, validators http.Header, fetch Fetch) (*http.Response, bool, error) {
	cond := req.Clone(req.Context())
	for k, v := range validators {
		cond.Header[k] = v
	}
	requestTime := c.opts.Now()
	resp, err := fetch(cond)
	if err != nil {
		return nil, false, err
	}
	if resp.StatusCode != http.StatusNotModified {
		return c.storeFetched(req, key, resp, requestTime), false, nil
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()

	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.lookupLocked(key, req)
	if e == nil {
		// Evicted or reset meanwhile: the 304 is all we have.
		return notModified(req, resp), false, nil
	}
	e.updateFrom(resp.Header)
	e.RequestTime, e.ResponseTime = requestTime, c.opts.Now()
	if c.opts.Dir != "" {
		if err := c.writeMeta(e); err != nil {
			c.metaErr = err
		}
	}
	served, err := c.responseLocked(e, req)
	if err != nil {
		c.removeLocked(e)
		c.removeFilesLocked(e)
		return notModified(req, resp), false, nil
	}
	c.touchLocked(e)
	return served, true, nil
}

func notModified(req *http.Request, resp *http.Response) *http.Response {
	resp.Body = http.NoBody
	resp.Request = req
	return resp
}

func (c *Cache) fetchAndStore(req *http.Request, key string, fetch Fetch) (*http.Response, bool, error) {
	requestTime := c.opts.Now()
	resp, err := fetch(req)
	if err != nil {
		return nil, false, err
	}
	return c.storeFetched(req, key, resp, requestTime), false, nil
}
