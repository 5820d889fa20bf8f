package urlsession

import (
	"net/http"
	"os"
	"strings"

	"golang.org/x/net/http/httpguts"
)

// mergeHeaders puts configuration headers under request headers: a configuration
// header is dropped when the request names the same header in any case. Spelling and
// order are kept.
func mergeHeaders(req, cfg []Header) []Header {
	out := make([]Header, 0, len(req)+len(cfg)+4)
	out = append(out, req...)
	for _, c := range cfg {
		if findHeader(req, c.Name) < 0 {
			out = append(out, c)
		}
	}
	return out
}

// findHeader returns the index of the last header named name (any case), or -1.
func findHeader(hs []Header, name string) int {
	for i := len(hs) - 1; i >= 0; i-- {
		if strings.EqualFold(hs[i].Name, name) {
			return i
		}
	}
	return -1
}

func removeHeaders(hs []Header, names ...string) []Header {
	out := hs[:0:0]
	for _, h := range hs {
		drop := false
		for _, n := range names {
			if strings.EqualFold(h.Name, n) {
				drop = true
				break
			}
		}
		if !drop {
			out = append(out, h)
		}
	}
	return out
}

var defaultUserAgent = "tirun/" + Version + " urlsession"

// acceptLanguage derives the preferred language from the POSIX locale, e.g.
// LANG=fr_CA.UTF-8 gives "fr-CA,fr;q=0.9"; "C"/"POSIX"/unset give "en".
var acceptLanguage = func() string {
	loc := ""
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := os.Getenv(k); v != "" {
			loc = v
			break
		}
	}
	if i := strings.IndexAny(loc, ".@"); i >= 0 {
		loc = loc[:i]
	}
	if loc == "" || loc == "C" || loc == "POSIX" {
		return "en"
	}
	tag := strings.ReplaceAll(loc, "_", "-")
	if lang, _, ok := strings.Cut(tag, "-"); ok {
		return tag + "," + lang + ";q=0.9"
	}
	return tag
}()

// addDefaultHeaders adds the identification and negotiation headers NSURLSession
// sends, only when absent.
func addDefaultHeaders(hs *[]Header) {
	defaults := [...]Header{
		{"User-Agent", defaultUserAgent},
		{"Accept-Language", acceptLanguage},
		{"Accept-Encoding", "gzip, deflate, br"},
	}
	for _, d := range defaults {
		if findHeader(*hs, d.Name) < 0 {
			*hs = append(*hs, d)
		}
	}
}

// wireHeader converts headers to an http.Header without canonicalising names:
// net/http's HTTP/1 writer emits map keys verbatim. A few names are handled by the
// transport itself and must not be written twice: Host becomes req.Host, framing
// headers are computed from the body, and a User-Agent spelled non-canonically is
// kept while its canonical key is left present-but-empty so net/http neither adds its
// own nor writes a second one.
func wireHeader(hs []Header) (http.Header, string) {
	h := make(http.Header, len(hs)+1)
	vals := make([]string, len(hs)) // one backing array for the usual one value per name
	host := ""
	for i, x := range hs {
		switch {
		case strings.EqualFold(x.Name, "Host"):
			host = x.Value
			continue
		case strings.EqualFold(x.Name, "Content-Length"), strings.EqualFold(x.Name, "Transfer-Encoding"),
			strings.EqualFold(x.Name, "Trailer"):
			continue
		case x.Name != "User-Agent" && strings.EqualFold(x.Name, "User-Agent"):
			if _, ok := h["User-Agent"]; !ok {
				h["User-Agent"] = nil
			}
		}
		if prev, ok := h[x.Name]; ok {
			h[x.Name] = append(prev[:len(prev):len(prev)], x.Value)
		} else {
			vals[i] = x.Value
			h[x.Name] = vals[i : i+1 : i+1]
		}
	}
	return h, host
}

// plainHeaders are the headers of a request that adds nothing of its own (no header,
// no credentials in its URL, no body): the configuration's headers and the defaults.
// Most requests are like that, so a session builds them and their wire form once
// instead of per request.
type plainHeaders struct {
	list []Header    // len == cap: a step that adds a header copies instead of writing here
	wire http.Header // shared by concurrent requests: read-only
	host string      // a configured Host header, else ""
}

// newPlainHeaders returns nil when a configured header is invalid: tasks then take
// the per-request path, which reports the error.
func newPlainHeaders(cfg []Header) *plainHeaders {
	list, bad := firstHeaders(nil, cfg, nil, http.MethodGet, 0)
	if bad != "" {
		return nil
	}
	list = list[:len(list):len(list)]
	wire, host := wireHeader(list)
	return &plainHeaders{list: list, wire: wire, host: host}
}

// is tells whether hs is the session's plain list itself (not an equal copy), so
// its prepared wire form applies.
func (p *plainHeaders) is(hs []Header) bool {
	return p != nil && len(hs) == len(p.list) && len(hs) > 0 && &hs[0] == &p.list[0]
}

func validHeader(x Header) bool {
	return httpguts.ValidHeaderFieldName(x.Name) && httpguts.ValidHeaderFieldValue(x.Value)
}
