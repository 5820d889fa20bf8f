package telemetry

import (
	"net/http"
	"sort"
	"time"
)

// Header is one header line, as sent or received.
type Header struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Exchange is one completed HTTP request/response pair (one per network request: a
// redirect is its own exchange), the raw material of a HAR entry.
type Exchange struct {
	Session string
	Task    uint64
	Started time.Time

	Method          string
	URL             string
	RequestHeaders  []Header
	RequestBodySize int64 // -1 when unknown, 0 without a body

	Proto            string // "HTTP/1.1", "HTTP/2.0"
	Status           int    // 0 when no response arrived
	StatusText       string // "Not Found"
	ResponseHeaders  []Header
	ResponseBodySize int64 // bytes read from the transport; -1 when no response
	MIMEType         string
	RedirectURL      string // the Location header, if any

	ServerIP string
	Timings  Timings
	Error    string // why the exchange failed (no response, or the body broke off)
}

// Timings split an exchange's time like HAR does. A negative value means "did not apply"
// (no DNS lookup on a reused connection, no TLS on http://).
type Timings struct {
	Blocked, DNS, Connect, SSL, Send, Wait, Receive time.Duration
}

// Total is the exchange's elapsed time: the sum of the phases that applied (SSL is already
// part of Connect, as HAR defines it).
func (t Timings) Total() time.Duration {
	var sum time.Duration
	for _, d := range []time.Duration{t.Blocked, t.DNS, t.Connect, t.Send, t.Wait, t.Receive} {
		if d > 0 {
			sum += d
		}
	}
	return sum
}

// HeaderList flattens h in name order (http.Header is a map; HAR wants a stable list).
func HeaderList(h http.Header) []Header {
	names := make([]string, 0, len(h))
	for n := range h {
		names = append(names, n)
	}
	sort.Strings(names)
	var list []Header
	for _, n := range names {
		for _, v := range h[n] {
			list = append(list, Header{Name: n, Value: v})
		}
	}
	return list
}
