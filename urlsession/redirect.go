package urlsession

import (
	"net/http"
	"net/url"
	"strings"
)

// nextHop decides whether resp redirects cur, and builds the next request:
//   - 301/302 turn POST into GET (body dropped); other methods are kept
//   - 303 turns every method into GET (body dropped)
//   - 305, 306, 307, 308 keep the method and re-send the body
//   - 300, 304, any other status, or no Location: final response
//
// A relative Location is resolved against the current URL. Authorization and Cookie
// headers the caller set are dropped once the chain leaves the original origin
// (scheme, host and port), and stay dropped.
func nextHop(cur *hop, resp *http.Response, origin *url.URL) (*hop, bool, *URLError) {
	switch resp.StatusCode {
	case 301, 302, 303, 305, 306, 307, 308:
	default:
		return nil, false, nil
	}
	loc := resp.Header.Get("Location")
	if loc == "" {
		return nil, false, nil
	}
	ref, err := url.Parse(loc)
	if err != nil {
		return nil, false, newURLError(CodeBadServerResponse, cur.url.String(), err)
	}
	tu, uerr := lookupTaskURL(cur.url.ResolveReference(ref).String())
	if uerr != nil {
		return nil, false, uerr
	}
	target := tu.u
	next := &hop{url: target, str: tu.str, host: tu.host, method: cur.method, body: cur.body, header: cur.header}
	toGET := resp.StatusCode == 303 ||
		(resp.StatusCode == 301 || resp.StatusCode == 302) && cur.method == http.MethodPost
	if toGET {
		next.method = http.MethodGet
		next.body = bodySource{}
		next.header = removeHeaders(next.header, "Content-Type", "Content-Length", "Content-Encoding")
	}
	if !sameOrigin(origin, target) {
		next.header = removeHeaders(next.header, "Authorization", "Cookie", "Cookie2", "WWW-Authenticate")
	}
	return next, true, nil
}

func sameOrigin(a, b *url.URL) bool {
	return a.Scheme == b.Scheme && strings.EqualFold(a.Hostname(), b.Hostname()) && portOf(a) == portOf(b)
}

func portOf(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if u.Scheme == "https" {
		return "443"
	}
	return "80"
}

// hostKey identifies a host for the per-host connection limit.
func hostKey(u *url.URL) string {
	return u.Scheme + "://" + strings.ToLower(u.Hostname()) + ":" + portOf(u)
}
