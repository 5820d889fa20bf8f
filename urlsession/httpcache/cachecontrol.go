package httpcache

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// directives is a parsed Cache-Control field (RFC 9111 §5.2). Written here
// rather than taken from pquerna/cachecontrol because we need only a dozen
// lines of it and the request-side directives too.
type directives map[string]string

// parseCacheControl returns nil when there are no directives (most messages):
// lookups in a nil map work, and not allocating one matters because every
// request parses several headers.
func parseCacheControl(h http.Header) directives {
	var d directives
	for _, line := range h.Values("Cache-Control") {
		for _, part := range splitOutsideQuotes(line) {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			name, value, _ := strings.Cut(part, "=")
			name = strings.ToLower(strings.TrimSpace(name))
			value = strings.Trim(strings.TrimSpace(value), `"`)
			if _, dup := d[name]; !dup { // RFC 9111 §4.2.1: first one wins
				if d == nil {
					d = directives{}
				}
				d[name] = value
			}
		}
	}
	// Pragma: no-cache is the HTTP/1.0 spelling of request no-cache.
	if _, ok := d["no-cache"]; !ok {
		for _, p := range h.Values("Pragma") {
			if strings.Contains(strings.ToLower(p), "no-cache") {
				if d == nil {
					d = directives{}
				}
				d["no-cache"] = ""
			}
		}
	}
	return d
}

func splitOutsideQuotes(s string) []string {
	var parts []string
	inQuote, start := false, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			inQuote = !inQuote
		case ',':
			if !inQuote {
				parts = append(parts, s[start:i])
				start = i + 1
			}
		}
	}
	return append(parts, s[start:])
}

func (d directives) has(name string) bool { _, ok := d[name]; return ok }

// seconds returns a delta-seconds directive; ok is false when absent or
// malformed (a malformed max-age is treated as stale by the caller).
func (d directives) seconds(name string) (time.Duration, bool) {
	v, present := d[name]
	if !present {
		return 0, false
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, false
	}
	const maxSeconds = 1 << 31 // RFC 9111 §1.2.2
	return time.Duration(min(n, maxSeconds)) * time.Second, true
}

func parseHTTPDate(v string) (time.Time, bool) {
	if v == "" {
		return time.Time{}, false
	}
	t, err := http.ParseTime(v)
	return t, err == nil
}
