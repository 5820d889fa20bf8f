package cookiestore

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
)

// AcceptPolicy mirrors NSHTTPCookieAcceptPolicy.
type AcceptPolicy int

const (
	AcceptAlways AcceptPolicy = iota
	AcceptNever
	// AcceptOnlyFromMainDocumentDomain stores a cookie only when the
	// responding host has the same registrable domain (eTLD+1) as the main
	// document. The engine passes the task's original request URL as the
	// main document, so a redirect hop to another site cannot set cookies.
	AcceptOnlyFromMainDocumentDomain
)

// Default limits, the minimums RFC 6265 §6.1 asks of a user agent.
const (
	DefaultMaxCookies          = 3000
	DefaultMaxCookiesPerDomain = 50
	DefaultFlushDelay          = 2 * time.Second
)

// Options configures a Jar. The zero value is an in-memory jar.
type Options struct {
	// Path of the JSON file holding persistent cookies; "" keeps the jar in
	// memory only (ephemeral sessions).
	Path string
	// FlushDelay is how long after a change the jar writes itself to Path
	// (coalescing bursts of Set-Cookie). 0 means DefaultFlushDelay; a
	// negative value disables autosave (Flush and Close still write).
	FlushDelay time.Duration
	// MaxCookies and MaxCookiesPerDomain bound the jar; the least recently
	// used cookies are evicted first. 0 means the defaults.
	MaxCookies, MaxCookiesPerDomain int
	// Now is the clock (tests); nil means time.Now.
	Now func() time.Time
}

// Jar is a concurrency-safe cookie store implementing http.CookieJar.
type Jar struct {
	opts Options

	// writeMu orders writes of the file and Clear's removal of it. It is
	// taken before mu and held across the write, which mu is not.
	writeMu sync.Mutex

	mu      sync.Mutex
	cookies map[string]*Cookie // by Cookie.key()
	order   uint64             // last Cookie.Order handed out
	dirty   bool
	timer   *time.Timer // pending autosave, nil when none
	saveErr error       // last autosave failure, reported by Flush/Close
	closed  bool
}

var _ http.CookieJar = (*Jar)(nil)

// Open creates a jar, loading opts.Path when it exists. A missing file is
// an empty jar; an unreadable or corrupt one is an error (the caller may
// choose to Clear and continue).
func Open(opts Options) (*Jar, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.FlushDelay == 0 {
		opts.FlushDelay = DefaultFlushDelay
	}
	if opts.MaxCookies <= 0 {
		opts.MaxCookies = DefaultMaxCookies
	}
	if opts.MaxCookiesPerDomain <= 0 {
		opts.MaxCookiesPerDomain = DefaultMaxCookiesPerDomain
	}
	j := &Jar{opts: opts, cookies: make(map[string]*Cookie)}
	if opts.Path != "" {
		loaded, err := load(opts.Path)
		if err != nil {
			return nil, err
		}
		now := opts.Now()
		for _, c := range loaded {
			if c.Persistent && !c.expired(now) && c.Name != "" && c.Domain != "" {
				j.cookies[c.key()] = c
				j.order = max(j.order, c.Order)
			}
		}
	}
	return j, nil
}

// NewMemory is an in-memory jar with default limits.
func NewMemory() *Jar {
	j, _ := Open(Options{}) // cannot fail without a path
	return j
}

// SetCookies implements http.CookieJar with AcceptAlways.
func (j *Jar) SetCookies(u *url.URL, cookies []*http.Cookie) {
	j.SetCookiesWithPolicy(u, nil, AcceptAlways, cookies)
}

// SetCookiesWithPolicy stores the cookies a response from u set, under the
// accept policy; mainDocument (nil means u) is the document the load belongs
// to. It returns how many cookies were stored or deleted; rejected ones are
// ignored silently, as browsers do.
func (j *Jar) SetCookiesWithPolicy(u, mainDocument *url.URL, policy AcceptPolicy, cookies []*http.Cookie) int {
	if u == nil || len(cookies) == 0 || policy == AcceptNever || !isWebScheme(u.Scheme) {
		return 0
	}
	host, err := canonicalHost(u)
	if err != nil {
		return 0
	}
	if policy == AcceptOnlyFromMainDocumentDomain && mainDocument != nil {
		mainHost, err := canonicalHost(mainDocument)
		if err != nil || registrable(mainHost) != registrable(host) {
			return 0
		}
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	now := j.opts.Now()
	changed := 0
	for _, hc := range cookies {
		if domain, ok := j.setLocked(u, host, hc, now); ok {
			changed++
			j.evictLocked(domain, now)
		}
	}
	if changed > 0 {
		j.changedLocked()
	}
	return changed
}

// setLocked applies RFC 6265 §5.3 to one cookie; it reports a change and
// the cookie's domain.
func (j *Jar) setLocked(u *url.URL, host string, hc *http.Cookie, now time.Time) (string, bool) {
	if hc == nil || hc.Name == "" {
		return "", false
	}
	domain, hostOnly, err := cookieDomain(host, hc.Domain)
	if err != nil {
		return "", false
	}
	path := hc.Path
	if path == "" || path[0] != '/' {
		path = defaultPath(u)
	}
	c := &Cookie{
		Name: hc.Name, Value: hc.Value, Domain: domain, Path: path,
		HostOnly: hostOnly, Secure: hc.Secure, HttpOnly: hc.HttpOnly,
		SameSite: sameSiteString(hc.SameSite), Created: now, LastAccess: now,
	}
	// RFC 6265bis §4.1.3 name prefixes.
	if strings.HasPrefix(hc.Name, "__Secure-") && !hc.Secure {
		return "", false
	}
	if strings.HasPrefix(hc.Name, "__Host-") && (!hc.Secure || !hostOnly || path != "/") {
		return "", false
	}
	// Max-Age wins over Expires (§5.3 step 3). net/http reports a
	// "Max-Age=0" or negative attribute as MaxAge < 0.
	deleteNow := false
	switch {
	case hc.MaxAge < 0:
		deleteNow = true
	case hc.MaxAge > 0:
		c.Persistent, c.Expires = true, now.Add(time.Duration(hc.MaxAge)*time.Second)
	case !hc.Expires.IsZero():
		if !hc.Expires.After(now) {
			deleteNow = true
		}
		c.Persistent, c.Expires = true, hc.Expires.UTC()
	}
	key := c.key()
	old, exists := j.cookies[key]
	if deleteNow {
		if exists {
			delete(j.cookies, key)
			return domain, true
		}
		return "", false
	}
	if exists {
		// Keeps the send order stable (§5.3 step 11.3).
		c.Created, c.Order = old.Created, old.Order
	} else {
		j.order++
		c.Order = j.order
	}
	j.cookies[key] = c
	return domain, true
}

// evictLocked keeps the jar within its bounds after cookies for domain
// were set: the least recently used cookies of that domain over its quota
// go first, then, if the jar is over its total, expired cookies and then
// the least recently used of all. Only the touched domain is counted, so a
// Set-Cookie costs one pass over the jar and no allocation in the common
// case.
func (j *Jar) evictLocked(domain string, now time.Time) {
	n := 0
	for _, c := range j.cookies {
		if c.Domain == domain {
			n++
		}
	}
	if n > j.opts.MaxCookiesPerDomain {
		list := make([]*Cookie, 0, n)
		for _, c := range j.cookies {
			if c.Domain == domain {
				list = append(list, c)
			}
		}
		sortLRU(list)
		for _, c := range list[:n-j.opts.MaxCookiesPerDomain] {
			delete(j.cookies, c.key())
		}
	}
	if len(j.cookies) <= j.opts.MaxCookies {
		return
	}
	all := make([]*Cookie, 0, len(j.cookies))
	for k, c := range j.cookies {
		if c.expired(now) {
			delete(j.cookies, k)
			continue
		}
		all = append(all, c)
	}
	if len(all) > j.opts.MaxCookies {
		sortLRU(all)
		for _, c := range all[:len(all)-j.opts.MaxCookies] {
			delete(j.cookies, c.key())
		}
	}
}

func sortLRU(list []*Cookie) {
	sort.Slice(list, func(a, b int) bool {
		if !list[a].LastAccess.Equal(list[b].LastAccess) {
			return list[a].LastAccess.Before(list[b].LastAccess)
		}
		return list[a].Order < list[b].Order
	})
}

// Cookies implements http.CookieJar: the cookies to send to u, longest path
// first, then oldest first (RFC 6265 §5.4).
func (j *Jar) Cookies(u *url.URL) []*http.Cookie {
	if u == nil || !isWebScheme(u.Scheme) {
		return nil
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if len(j.cookies) == 0 { // the engine asks for every request: an empty jar costs nothing
		return nil
	}
	host, err := canonicalHost(u)
	if err != nil {
		return nil
	}
	secure := isSecureScheme(u.Scheme)
	path := requestPath(u)
	now := j.opts.Now()
	var matched []*Cookie
	expired := false
	for k, c := range j.cookies {
		if c.expired(now) {
			delete(j.cookies, k)
			expired = true
			continue
		}
		if c.HostOnly && host != c.Domain || !c.HostOnly && !domainMatch(host, c.Domain) {
			continue
		}
		if c.Secure && !secure || !pathMatch(path, c.Path) {
			continue
		}
		matched = append(matched, c)
	}
	if expired {
		j.changedLocked()
	}
	if len(matched) == 0 {
		return nil
	}
	sort.Slice(matched, func(a, b int) bool {
		if len(matched[a].Path) != len(matched[b].Path) {
			return len(matched[a].Path) > len(matched[b].Path)
		}
		if !matched[a].Created.Equal(matched[b].Created) {
			return matched[a].Created.Before(matched[b].Created)
		}
		return matched[a].Order < matched[b].Order
	})
	out := make([]*http.Cookie, len(matched))
	for i, c := range matched {
		c.LastAccess = now // in memory only: not worth a disk write
		out[i] = &http.Cookie{Name: c.Name, Value: c.Value}
	}
	return out
}

// All returns a copy of every unexpired cookie, sorted by domain, path, name.
func (j *Jar) All() []Cookie {
	j.mu.Lock()
	defer j.mu.Unlock()
	now := j.opts.Now()
	out := make([]Cookie, 0, len(j.cookies))
	for _, c := range j.cookies {
		if !c.expired(now) {
			out = append(out, *c)
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].key() < out[b].key() })
	return out
}

// policyJar is the http.CookieJar view returned by WithPolicy.
type policyJar struct {
	j      *Jar
	policy AcceptPolicy
}

func (p policyJar) SetCookies(u *url.URL, cookies []*http.Cookie) {
	p.j.SetCookiesWithPolicy(u, u, p.policy, cookies)
}

func (p policyJar) Cookies(u *url.URL) []*http.Cookie { return p.j.Cookies(u) }

// WithPolicy is an http.CookieJar over j that applies policy on SetCookies,
// taking each request's own URL as the main document.
func (j *Jar) WithPolicy(policy AcceptPolicy) http.CookieJar {
	return policyJar{j: j, policy: policy}
}
