package cookiestore

import (
	"errors"
	"net"
	"net/url"
	"strings"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

var errBadDomain = errors.New("cookie domain not allowed for this host")

// canonicalHost is u's host, lower case, without port or trailing dot, in
// ASCII (punycode) form, so that stored domains compare byte-wise.
func canonicalHost(u *url.URL) (string, error) {
	host := u.Hostname()
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "" {
		return "", errors.New("URL has no host")
	}
	if net.ParseIP(host) != nil {
		return host, nil
	}
	ascii, err := idna.Lookup.ToASCII(host)
	if err != nil {
		return "", err
	}
	return ascii, nil
}

func isIP(host string) bool { return net.ParseIP(host) != nil }

// cookieDomain applies RFC 6265 §5.3 steps 4-6 to a Domain attribute: it
// returns the domain to store and whether the cookie is host-only. A Domain
// naming a public suffix (e.g. "co.uk") is rejected unless it is exactly the
// request host, in which case the cookie becomes host-only.
func cookieDomain(host, attr string) (domain string, hostOnly bool, err error) {
	if attr == "" {
		return host, true, nil
	}
	d := strings.TrimSuffix(strings.ToLower(strings.TrimPrefix(attr, ".")), ".")
	if d == "" {
		return host, true, nil
	}
	if isIP(host) {
		if d == host {
			return host, true, nil
		}
		return "", false, errBadDomain
	}
	if ascii, e := idna.Lookup.ToASCII(d); e == nil {
		d = ascii
	} else {
		return "", false, errBadDomain
	}
	if ps, _ := publicsuffix.PublicSuffix(d); ps == d {
		if d == host {
			return host, true, nil
		}
		return "", false, errBadDomain
	}
	if !domainMatch(host, d) {
		return "", false, errBadDomain
	}
	return d, false, nil
}

// domainMatch is RFC 6265 §5.1.3 for a canonical host and domain.
func domainMatch(host, domain string) bool {
	if host == domain {
		return true
	}
	return !isIP(host) && strings.HasSuffix(host, domain) &&
		host[len(host)-len(domain)-1] == '.'
}

// registrable is the eTLD+1 of host (the host itself for IPs and names that
// have no registrable part, such as "localhost").
func registrable(host string) string {
	if isIP(host) {
		return host
	}
	if r, err := publicsuffix.EffectiveTLDPlusOne(host); err == nil {
		return r
	}
	return host
}

// defaultPath is RFC 6265 §5.1.4.
func defaultPath(u *url.URL) string {
	p := u.EscapedPath()
	if p == "" || p[0] != '/' {
		return "/"
	}
	i := strings.LastIndexByte(p, '/')
	if i == 0 {
		return "/"
	}
	return p[:i]
}

// pathMatch is RFC 6265 §5.1.4.
func pathMatch(reqPath, cookiePath string) bool {
	if reqPath == cookiePath {
		return true
	}
	if !strings.HasPrefix(reqPath, cookiePath) {
		return false
	}
	return cookiePath[len(cookiePath)-1] == '/' || reqPath[len(cookiePath)] == '/'
}

func requestPath(u *url.URL) string {
	p := u.EscapedPath()
	if p == "" {
		return "/"
	}
	return p
}

func isSecureScheme(s string) bool { return s == "https" || s == "wss" }

func isWebScheme(s string) bool {
	switch s {
	case "http", "https", "ws", "wss":
		return true
	}
	return false
}
