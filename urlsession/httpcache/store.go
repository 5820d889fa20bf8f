package httpcache

import (
	"io"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/tirun/tirun/urlsession/datadir"
)

// storable is RFC 9111 §3 for a private cache, restricted to the status
// codes we cache, plus our own size bound.
func (c *Cache) storable(req *http.Request, resp *http.Response) bool {
	if !heuristicallyCacheable[resp.StatusCode] {
		return false
	}
	if parseCacheControl(req.Header).has("no-store") || parseCacheControl(resp.Header).has("no-store") {
		return false
	}
	if _, star := varyNames(resp.Header); star {
		return false
	}
	return resp.ContentLength <= c.opts.MaxEntryBytes
}

// storeFetched arranges for resp to be stored as the caller reads it and
// returns the response to hand to the caller.
func (c *Cache) storeFetched(req *http.Request, key string, resp *http.Response, requestTime time.Time) *http.Response {
	if !c.storable(req, resp) {
		return resp
	}
	names, _ := varyNames(resp.Header)
	now := c.opts.Now()
	m := meta{
		Version:      metaVersion,
		Key:          key,
		Status:       resp.StatusCode,
		Header:       storableHeader(resp.Header),
		Vary:         varyValues(req, names),
		RequestTime:  requestTime,
		ResponseTime: now,
		LastUse:      now,
	}
	m.ID = entryID(key, m.Vary)
	storingReq := &http.Request{Header: req.Header.Clone()}
	superseded := func(old *entry) bool { return old.matches(storingReq) }

	c.mu.Lock()
	gen, closed := c.gen, c.closed
	c.mu.Unlock()
	if closed {
		return resp
	}
	pb, err := c.newPendingBody()
	if err != nil {
		return resp // cannot cache (disk full?): the transfer is unaffected
	}
	t := &teeBody{c: c, src: resp.Body, pb: pb, m: m, gen: gen, expect: resp.ContentLength, superseded: superseded}
	if req.Method == http.MethodHead || resp.Body == nil || resp.Body == http.NoBody {
		t.mu.Lock()
		t.commitLocked()
		t.mu.Unlock()
		return resp
	}
	resp.Body = t
	return resp
}

// teeBody copies what the caller reads into a pending cache entry.
// Read and Close may run on different goroutines (Close cancels a
// transfer), so the pending state is guarded; src.Read runs unlocked.
type teeBody struct {
	c          *Cache
	src        io.ReadCloser
	m          meta
	gen        uint64
	expect     int64 // Content-Length, -1 if unknown
	superseded func(*entry) bool

	mu sync.Mutex
	pb pendingBody // nil once committed or abandoned
	n  int64
}

func (t *teeBody) Read(p []byte) (int, error) {
	n, err := t.src.Read(p)
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.pb == nil {
		return n, err
	}
	if n > 0 {
		if t.n+int64(n) > t.c.opts.MaxEntryBytes {
			t.abandonLocked()
			return n, err
		}
		if _, werr := t.pb.Write(p[:n]); werr != nil {
			t.abandonLocked()
			return n, err
		}
		t.n += int64(n)
	}
	switch {
	case err == io.EOF && (t.expect < 0 || t.n == t.expect):
		t.commitLocked()
	case err != nil:
		t.abandonLocked()
	}
	return n, err
}

// Close commits a body read to its full Content-Length even if the caller
// stopped before seeing EOF; anything shorter is abandoned.
func (t *teeBody) Close() error {
	t.mu.Lock()
	if t.pb != nil {
		if t.expect >= 0 && t.n == t.expect {
			t.commitLocked()
		} else {
			t.abandonLocked()
		}
	}
	t.mu.Unlock()
	return t.src.Close()
}

func (t *teeBody) abandonLocked() {
	t.pb.discard()
	t.pb = nil
}

func (t *teeBody) commitLocked() {
	pb := t.pb
	t.pb = nil
	data, tmpBody, err := pb.finish()
	if err != nil {
		return
	}
	c := t.c
	onDisk := c.opts.Dir != ""
	e := &entry{meta: t.m, body: data}
	e.BodySize = t.n
	e.LastUse = c.opts.Now()
	var tmpMeta string
	if onDisk {
		if tmpMeta, err = c.stageMeta(e); err != nil {
			os.Remove(tmpBody)
			return
		}
	}
	c.mu.Lock()
	if c.gen != t.gen || c.closed {
		c.mu.Unlock()
		if onDisk {
			os.Remove(tmpBody)
			os.Remove(tmpMeta)
		}
		return
	}
	if onDisk && c.placeLocked(e.ID, tmpBody, tmpMeta) != nil {
		c.mu.Unlock()
		return
	}
	for _, d := range c.insertLocked(e, t.superseded) {
		c.removeFilesLocked(d)
	}
	c.mu.Unlock()
	if !onDisk {
		return
	}
	// The renames become durable with the directory's fsync, also done
	// without the cache lock. If it fails the entry is dropped, as it always
	// was when its meta could not be written durably.
	if err := datadir.SyncDir(c.opts.Dir); err != nil {
		c.mu.Lock()
		if e.elem != nil { // still indexed: not replaced, evicted or reset since
			c.removeLocked(e)
			c.removeFilesLocked(e)
		}
		c.mu.Unlock()
	}
}
