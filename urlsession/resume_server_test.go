package urlsession

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"
)

// rangeMode says how a rangeServer treats Range requests.
type rangeMode int

const (
	rangesHonoured    rangeMode = iota // RFC 9110: 206 / If-Range / 416 (http.ServeContent)
	rangesIgnored                      // says Accept-Ranges: bytes, yet always sends 200 in full
	rangesUnsupported                  // no Accept-Ranges, always 200
	rangesETagChanges                  // honoured, but every response carries a new ETag
	rangesRefused                      // every Range request gets 416
	rangesMisplaced                    // every Range request gets a 206 from byte 0
)

// rangeServer serves one payload at /file on a loopback server and can drop the
// connection part way through the body of its next few responses.
type rangeServer struct {
	*httptest.Server
	payload []byte
	mode    rangeMode

	mu       sync.Mutex
	rng      *rand.Rand
	drops    int           // responses still to cut short
	maxChunk int           // a cut response sends 1..maxChunk body bytes
	hold     chan struct{} // when set, responses stop after holdAfter bytes until it closes
	held     chan struct{} // closed when a response reached holdAfter
	heldOnce sync.Once
	holdAt   int
	requests []http.Header
	served   int
}

func newPayload(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func newRangeServer(t testing.TB, payload []byte, mode rangeMode) *rangeServer {
	rs := &rangeServer{payload: payload, mode: mode, rng: rand.New(rand.NewPCG(1, 2))}
	rs.Server = httptest.NewServer(http.HandlerFunc(rs.serve))
	t.Cleanup(rs.Close)
	return rs
}

// dropNext cuts the next n responses after a random 1..maxChunk body bytes.
func (rs *rangeServer) dropNext(n, maxChunk int) {
	rs.mu.Lock()
	rs.drops, rs.maxChunk = n, maxChunk
	rs.mu.Unlock()
}

// holdAfter makes responses pause after n body bytes until release is called.
func (rs *rangeServer) holdAfter(n int) (held <-chan struct{}, release func()) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.hold, rs.held, rs.holdAt = make(chan struct{}), make(chan struct{}), n
	rs.heldOnce = sync.Once{}
	hold := rs.hold
	var once sync.Once
	return rs.held, func() { once.Do(func() { close(hold) }) }
}

func (rs *rangeServer) log() []http.Header {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return append([]http.Header(nil), rs.requests...)
}

func (rs *rangeServer) serve(w http.ResponseWriter, r *http.Request) {
	rs.mu.Lock()
	rs.requests = append(rs.requests, r.Header.Clone())
	rs.served++
	cut := -1
	if rs.drops > 0 {
		rs.drops--
		cut = 1 + rs.rng.IntN(rs.maxChunk)
	}
	etag := `"v1"`
	if rs.mode == rangesETagChanges {
		etag = `"v` + strconv.Itoa(rs.served) + `"`
	}
	hold, held, holdAt := rs.hold, rs.held, rs.holdAt
	rs.mu.Unlock()

	cw := &cuttingWriter{ResponseWriter: w, left: cut, hold: hold, holdAt: holdAt,
		held: func() { rs.heldOnce.Do(func() { close(held) }) }}
	w.Header().Set("ETag", etag)
	w.Header().Set("Content-Type", "application/octet-stream")
	ranged := r.Header.Get("Range") != ""
	switch {
	case rs.mode == rangesHonoured || rs.mode == rangesETagChanges:
		http.ServeContent(cw, r, "", time.Time{}, bytes.NewReader(rs.payload))
		return
	case rs.mode == rangesRefused && ranged:
		w.Header().Set("Content-Range", fmt.Sprintf("bytes */%d", len(rs.payload)))
		w.WriteHeader(http.StatusRequestedRangeNotSatisfiable)
		return
	case rs.mode == rangesMisplaced && ranged:
		w.Header().Set("Content-Range", fmt.Sprintf("bytes 0-%d/%d", len(rs.payload)-1, len(rs.payload)))
		w.Header().Set("Content-Length", strconv.Itoa(len(rs.payload)))
		w.WriteHeader(http.StatusPartialContent)
		cw.Write(rs.payload)
		return
	}
	if rs.mode != rangesUnsupported {
		w.Header().Set("Accept-Ranges", "bytes")
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(rs.payload)))
	cw.Write(rs.payload)
}

// cuttingWriter passes the body through, pausing at holdAt while hold is open, and
// aborts the connection (no clean end) after left bytes when left >= 0.
type cuttingWriter struct {
	http.ResponseWriter
	left    int
	written int
	hold    chan struct{}
	holdAt  int
	held    func()
}

func (c *cuttingWriter) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		chunk := p
		if c.hold != nil && c.written < c.holdAt && c.written+len(chunk) > c.holdAt {
			chunk = chunk[:c.holdAt-c.written]
		}
		if c.left >= 0 && len(chunk) >= c.left {
			c.ResponseWriter.Write(chunk[:c.left])
			http.NewResponseController(c.ResponseWriter).Flush()
			panic(http.ErrAbortHandler) // net/http closes the connection mid-body
		}
		m, err := c.ResponseWriter.Write(chunk)
		n += m
		c.written += m
		if c.left >= 0 {
			c.left -= m
		}
		if err != nil {
			return n, err
		}
		p = p[len(chunk):]
		if c.hold != nil && c.written == c.holdAt {
			http.NewResponseController(c.ResponseWriter).Flush()
			c.held()
			<-c.hold
		}
	}
	return n, nil
}

func sum(b []byte) [32]byte { return sha256.Sum256(b) }
