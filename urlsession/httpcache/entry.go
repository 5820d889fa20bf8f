package httpcache

import (
	"container/list"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/textproto"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// meta is what the cache knows about one stored response; on disk it is the
// JSON "<id>.meta" file next to "<id>.body".
type meta struct {
	Version int    `json:"version"`
	ID      string `json:"id"`
	Key     string `json:"key"` // method + " " + URL without fragment
	Status  int    `json:"status"`
	// Header is the stored response header, hop-by-hop fields removed.
	Header http.Header `json:"header"`
	// Vary holds, for every field the response's Vary names, the request's
	// value when the response was stored (canonical names).
	Vary         map[string]string `json:"vary,omitempty"`
	RequestTime  time.Time         `json:"requestTime"`
	ResponseTime time.Time         `json:"responseTime"`
	BodySize     int64             `json:"bodySize"`
	LastUse      time.Time         `json:"lastUse"`
}

const metaVersion = 1

// entry is an indexed stored response.
type entry struct {
	meta
	body     []byte        // memory mode only
	elem     *list.Element // position in the LRU list
	useDirty bool          // LastUse changed since the meta file was written
}

// size is what the entry counts against the byte bound: body plus a rough
// header cost, so that many empty responses cannot grow the index unbounded.
func (e *entry) size() int64 {
	n := e.BodySize + 256
	for k, vs := range e.Header {
		for _, v := range vs {
			n += int64(len(k) + len(v) + 4)
		}
	}
	return n
}

func primaryKey(method string, u *url.URL) string {
	c := *u
	c.Fragment, c.RawFragment = "", ""
	return method + " " + c.String()
}

// varyNames lists the canonical field names of a response's Vary header;
// star reports "Vary: *" (never matchable, so never stored).
func varyNames(h http.Header) (names []string, star bool) {
	for _, line := range h.Values("Vary") {
		for _, n := range strings.Split(line, ",") {
			n = strings.TrimSpace(n)
			switch n {
			case "":
			case "*":
				return nil, true
			default:
				names = append(names, textproto.CanonicalMIMEHeaderKey(n))
			}
		}
	}
	return names, false
}

// normalizedValue joins a request field's values so that "a, b" and two
// lines "a" / "b" compare equal (RFC 9111 §4.1 allows this normalisation).
func normalizedValue(h http.Header, name string) string {
	var parts []string
	for _, v := range h.Values(name) {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				parts = append(parts, p)
			}
		}
	}
	return strings.Join(parts, ", ")
}

func varyValues(req *http.Request, names []string) map[string]string {
	if len(names) == 0 {
		return nil
	}
	m := make(map[string]string, len(names))
	for _, n := range names {
		m[n] = normalizedValue(req.Header, n)
	}
	return m
}

// matches reports whether req selects this stored variant.
func (e *entry) matches(req *http.Request) bool {
	for name, stored := range e.Vary {
		if normalizedValue(req.Header, name) != stored {
			return false
		}
	}
	return true
}

func entryID(key string, vary map[string]string) string {
	// The bytes hashed are the key, then "\n<name>: <value>" per Vary field in name
	// order; IDs name files on disk, so this must never change. One buffer and fixed
	// arrays: computed for every stored response, so its garbage counts.
	b := make([]byte, 0, 256)
	b = append(b, key...)
	names := make([]string, 0, len(vary))
	for n := range vary {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		b = append(append(append(append(b, "\n"...), n...), ": "...), vary[n]...)
	}
	sum := sha256.Sum256(b)
	var id [40]byte
	hex.Encode(id[:], sum[:20])
	return string(id[:])
}

// currentAge is RFC 9111 §4.2.3.
func (e *entry) currentAge(now time.Time) time.Duration {
	apparent := time.Duration(0)
	if date, ok := parseHTTPDate(e.Header.Get("Date")); ok {
		apparent = max(0, e.ResponseTime.Sub(date))
	}
	ageValue := time.Duration(0)
	if v := strings.TrimSpace(e.Header.Get("Age")); v != "" { // usually absent: skip the failing parse's error allocation
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 0 {
			ageValue = time.Duration(n) * time.Second
		}
	}
	delay := max(0, e.ResponseTime.Sub(e.RequestTime))
	initial := max(apparent, ageValue+delay)
	return initial + max(0, now.Sub(e.ResponseTime))
}

// maxHeuristicLifetime caps the Last-Modified heuristic (RFC 9111 §4.2.2
// leaves the bound to the cache).
const maxHeuristicLifetime = 24 * time.Hour

// freshnessLifetime is RFC 9111 §4.2.1 for a private cache (s-maxage is
// ignored), with the 10%-of-Last-Modified heuristic of §4.2.2.
func (e *entry) freshnessLifetime() time.Duration {
	cc := parseCacheControl(e.Header)
	if cc.has("max-age") {
		d, _ := cc.seconds("max-age") // malformed ⇒ 0 ⇒ stale
		return d
	}
	date, hasDate := parseHTTPDate(e.Header.Get("Date"))
	if !hasDate {
		date = e.ResponseTime
	}
	if exp := e.Header.Get("Expires"); exp != "" {
		t, ok := parseHTTPDate(exp)
		if !ok {
			return 0 // invalid Expires (e.g. "0") means already expired
		}
		return max(0, t.Sub(date))
	}
	if lm, ok := parseHTTPDate(e.Header.Get("Last-Modified")); ok && heuristicallyCacheable[e.Status] {
		return min(max(0, date.Sub(lm))/10, maxHeuristicLifetime)
	}
	return 0
}

// usableWithoutRevalidation decides UseProtocolCachePolicy's "serve it"
// case: fresh enough for the response and for the request's own directives.
func (e *entry) usableWithoutRevalidation(reqCC directives, now time.Time) bool {
	respCC := parseCacheControl(e.Header)
	if respCC.has("no-cache") || reqCC.has("no-cache") {
		return false
	}
	lifetime, age := e.freshnessLifetime(), e.currentAge(now)
	if d, ok := reqCC.seconds("max-age"); reqCC.has("max-age") && (!ok || age > d) {
		return false
	}
	if d, ok := reqCC.seconds("min-fresh"); ok {
		age += d
	}
	if age < lifetime {
		return true
	}
	// Stale: only a request's max-stale allows it, and never past
	// must-revalidate (RFC 9111 §5.2.2.2).
	if !reqCC.has("max-stale") || respCC.has("must-revalidate") {
		return false
	}
	if d, ok := reqCC.seconds("max-stale"); ok {
		return age-lifetime <= d
	}
	return true // max-stale without a value: any staleness
}

func (e *entry) hasValidators() bool {
	return e.Header.Get("ETag") != "" || e.Header.Get("Last-Modified") != ""
}

// heuristicallyCacheable are the status codes this cache stores (RFC 9110
// §15.1 minus 206 and 308, which we do not handle).
var heuristicallyCacheable = map[int]bool{
	200: true, 203: true, 204: true, 300: true, 301: true,
	404: true, 405: true, 410: true, 414: true, 501: true,
}

// isHopByHop reports the fields that describe one connection, not the stored
// response (canonical spelling, as the transport delivers them).
func isHopByHop(name string) bool {
	switch name {
	case "Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization",
		"Proxy-Connection", "Te", "Trailer", "Transfer-Encoding", "Upgrade":
		return true
	}
	return false
}

// storableHeader copies h without its hop-by-hop fields and the fields its
// Connection header names. It is built in one pass (one backing array for the
// values, as Header.Clone does) rather than cloned and then pruned, because it
// runs for every stored response.
func storableHeader(h http.Header) http.Header {
	var named map[string]bool // fields listed in Connection: rare
	for _, f := range h.Values("Connection") {
		for _, n := range strings.Split(f, ",") {
			if named == nil {
				named = make(map[string]bool)
			}
			named[textproto.CanonicalMIMEHeaderKey(strings.TrimSpace(n))] = true
		}
	}
	total := 0
	for _, vs := range h {
		total += len(vs)
	}
	vals := make([]string, total)
	c := make(http.Header, len(h))
	for k, vs := range h {
		if isHopByHop(k) || named[k] {
			continue
		}
		if vs == nil { // Clone keeps a nil value nil
			c[k] = nil
			continue
		}
		n := copy(vals, vs)
		c[k] = vals[:n:n]
		vals = vals[n:]
	}
	return c
}

// updateFrom merges a 304's fields into the stored header (RFC 9111 §3.2):
// every field the 304 carries replaces the stored one, except those that
// describe the body the 304 does not have.
func (e *entry) updateFrom(h http.Header) {
	for name, values := range storableHeader(h) {
		switch name {
		case "Content-Length", "Content-Encoding", "Content-Range", "Content-Type":
			continue
		}
		e.Header[name] = append([]string(nil), values...)
	}
}
