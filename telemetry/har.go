package telemetry

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
)

// harEntryLimit bounds memory: a script making more requests than this gets the first ones
// in its HAR, and the log's comment says how many were left out.
const harEntryLimit = 100_000

// HARRecorder keeps completed exchanges and writes them as a HAR 1.2 log
// (http://www.softwareishard.com/blog/har-12-spec/), the format browser devtools import.
// It is an Observer only to receive exchanges; it ignores events.
type HARRecorder struct {
	creator, version string
	mu               sync.Mutex
	exchanges        []Exchange
	dropped          int
}

// NewHARRecorder names the creating program in the log.
func NewHARRecorder(creator, version string) *HARRecorder {
	return &HARRecorder{creator: creator, version: version}
}

// Observe ignores events: a HAR holds exchanges only.
func (h *HARRecorder) Observe(Event) {}

// RecordExchange keeps x; it only appends under a mutex.
func (h *HARRecorder) RecordExchange(x Exchange) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.exchanges) >= harEntryLimit {
		h.dropped++
		return
	}
	h.exchanges = append(h.exchanges, x)
}

// Len is the number of exchanges recorded so far.
func (h *HARRecorder) Len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.exchanges)
}

// The HAR 1.2 document, field names as the specification spells them.
type (
	harDoc struct {
		Log harLog `json:"log"`
	}
	harLog struct {
		Version string     `json:"version"`
		Creator harCreator `json:"creator"`
		Entries []harEntry `json:"entries"`
		Comment string     `json:"comment,omitempty"`
	}
	harCreator struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	}
	harEntry struct {
		StartedDateTime string      `json:"startedDateTime"`
		Time            float64     `json:"time"`
		Request         harRequest  `json:"request"`
		Response        harResponse `json:"response"`
		Cache           struct{}    `json:"cache"`
		Timings         harTimings  `json:"timings"`
		ServerIPAddress string      `json:"serverIPAddress,omitempty"`
		Comment         string      `json:"comment,omitempty"`
		// Custom fields start with an underscore, as the specification asks.
		Session string `json:"_session,omitempty"`
		Task    uint64 `json:"_task,omitempty"`
		Error   string `json:"_error,omitempty"`
	}
	harRequest struct {
		Method      string      `json:"method"`
		URL         string      `json:"url"`
		HTTPVersion string      `json:"httpVersion"`
		Cookies     []harCookie `json:"cookies"`
		Headers     []Header    `json:"headers"`
		QueryString []harQuery  `json:"queryString"`
		PostData    *harPost    `json:"postData,omitempty"`
		HeadersSize int64       `json:"headersSize"`
		BodySize    int64       `json:"bodySize"`
	}
	harResponse struct {
		Status      int         `json:"status"`
		StatusText  string      `json:"statusText"`
		HTTPVersion string      `json:"httpVersion"`
		Cookies     []harCookie `json:"cookies"`
		Headers     []Header    `json:"headers"`
		Content     harContent  `json:"content"`
		RedirectURL string      `json:"redirectURL"`
		HeadersSize int64       `json:"headersSize"`
		BodySize    int64       `json:"bodySize"`
	}
	harCookie struct {
		Name     string `json:"name"`
		Value    string `json:"value"`
		Path     string `json:"path,omitempty"`
		Domain   string `json:"domain,omitempty"`
		Expires  string `json:"expires,omitempty"`
		HTTPOnly bool   `json:"httpOnly,omitempty"`
		Secure   bool   `json:"secure,omitempty"`
	}
	harQuery struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	}
	harPost struct { // bodies are not kept: only the type is known
		MimeType string `json:"mimeType"`
		Text     string `json:"text"`
	}
	harContent struct {
		Size     int64  `json:"size"`
		MimeType string `json:"mimeType"`
	}
	harTimings struct {
		Blocked float64 `json:"blocked"`
		DNS     float64 `json:"dns"`
		Connect float64 `json:"connect"`
		Send    float64 `json:"send"`
		Wait    float64 `json:"wait"`
		Receive float64 `json:"receive"`
		SSL     float64 `json:"ssl"`
	}
)

// WriteTo writes the HAR document (indented JSON) with entries in start order.
func (h *HARRecorder) WriteTo(w io.Writer) (int64, error) {
	h.mu.Lock()
	list := append([]Exchange(nil), h.exchanges...)
	dropped := h.dropped
	h.mu.Unlock()
	sort.SliceStable(list, func(i, j int) bool { return list[i].Started.Before(list[j].Started) })

	doc := harDoc{Log: harLog{Version: "1.2", Creator: harCreator{Name: h.creator, Version: h.version},
		Entries: make([]harEntry, 0, len(list))}}
	if dropped > 0 {
		doc.Log.Comment = fmt.Sprintf("%d later requests were not recorded (limit %d)", dropped, harEntryLimit)
	}
	for _, x := range list {
		doc.Log.Entries = append(doc.Log.Entries, harEntryOf(x))
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return 0, fmt.Errorf("telemetry: encoding the HAR: %w", err)
	}
	n, err := w.Write(append(b, '\n'))
	return int64(n), err
}

func harEntryOf(x Exchange) harEntry {
	e := harEntry{
		StartedDateTime: x.Started.Format(time.RFC3339Nano),
		Time:            millis(x.Timings.Total()),
		Request: harRequest{Method: x.Method, URL: x.URL, HTTPVersion: x.Proto,
			Cookies: requestCookies(x.RequestHeaders), Headers: nonNil(x.RequestHeaders),
			QueryString: queryOf(x.URL), HeadersSize: -1, BodySize: x.RequestBodySize},
		Response: harResponse{Status: x.Status, StatusText: x.StatusText, HTTPVersion: x.Proto,
			Cookies: responseCookies(x.ResponseHeaders), Headers: nonNil(x.ResponseHeaders),
			Content:     harContent{Size: max(x.ResponseBodySize, 0), MimeType: x.MIMEType},
			RedirectURL: x.RedirectURL, HeadersSize: -1, BodySize: x.ResponseBodySize},
		Timings: harTimings{Blocked: optMillis(x.Timings.Blocked), DNS: optMillis(x.Timings.DNS),
			Connect: optMillis(x.Timings.Connect), SSL: optMillis(x.Timings.SSL),
			// send, wait and receive are required to be non-negative.
			Send: max(optMillis(x.Timings.Send), 0), Wait: max(optMillis(x.Timings.Wait), 0),
			Receive: max(optMillis(x.Timings.Receive), 0)},
		ServerIPAddress: x.ServerIP, Session: x.Session, Task: x.Task, Error: x.Error,
	}
	if e.Request.HTTPVersion == "" {
		e.Request.HTTPVersion = "HTTP/1.1"
	}
	if x.RequestBodySize > 0 {
		e.Request.PostData = &harPost{MimeType: headerValue(x.RequestHeaders, "Content-Type")}
	}
	return e
}

func millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// optMillis maps "did not apply" (negative) to HAR's -1.
func optMillis(d time.Duration) float64 {
	if d < 0 {
		return -1
	}
	return millis(d)
}

func nonNil(h []Header) []Header {
	if h == nil {
		return []Header{}
	}
	return h
}

func headerValue(h []Header, name string) string {
	for _, kv := range h {
		if http.CanonicalHeaderKey(kv.Name) == http.CanonicalHeaderKey(name) {
			return kv.Value
		}
	}
	return ""
}

func headersOf(list []Header) http.Header {
	h := http.Header{}
	for _, kv := range list {
		h.Add(kv.Name, kv.Value)
	}
	return h
}

func requestCookies(list []Header) []harCookie {
	out := []harCookie{}
	for _, c := range (&http.Request{Header: headersOf(list)}).Cookies() {
		out = append(out, harCookie{Name: c.Name, Value: c.Value})
	}
	return out
}

func responseCookies(list []Header) []harCookie {
	out := []harCookie{}
	for _, c := range (&http.Response{Header: headersOf(list)}).Cookies() {
		hc := harCookie{Name: c.Name, Value: c.Value, Path: c.Path, Domain: c.Domain,
			HTTPOnly: c.HttpOnly, Secure: c.Secure}
		if !c.Expires.IsZero() {
			hc.Expires = c.Expires.UTC().Format(time.RFC3339)
		}
		out = append(out, hc)
	}
	return out
}

func queryOf(raw string) []harQuery {
	out := []harQuery{}
	u, err := url.Parse(raw)
	if err != nil {
		return out
	}
	return append(out, splitQuery(u.RawQuery)...)
}

// splitQuery keeps the order and repetitions of the query (url.Values is a map).
func splitQuery(raw string) []harQuery {
	var out []harQuery
	for raw != "" {
		var part string
		part, raw, _ = strings.Cut(raw, "&")
		if part == "" {
			continue
		}
		name, value, _ := strings.Cut(part, "=")
		if n, err := url.QueryUnescape(name); err == nil {
			name = n
		}
		if v, err := url.QueryUnescape(value); err == nil {
			value = v
		}
		out = append(out, harQuery{Name: name, Value: value})
	}
	return out
}
