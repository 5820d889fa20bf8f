// Package cookiestore is the engine's RFC 6265 cookie jar: scoped with the
// public suffix list, enumerable, clearable and (optionally) persistent.
//
// Why not net/http/cookiejar: it cannot enumerate, clear or persist its
// cookies. The persistent forks of it (juju/persistent-cookiejar and
// relatives) are unmaintained, unavailable from our module proxy, or pull in
// a filesystem abstraction we do not need, and none models Apple's accept
// policies. So the jar is written here, on top of
// golang.org/x/net/publicsuffix (domain scoping) and golang.org/x/net/idna
// (host canonicalisation).
//
// Persistence follows Apple's HTTPCookieStorage (nsurlsession.md §1.1): only
// cookies with a future expiry (Expires or Max-Age) are written; session
// cookies (no expiry) live in memory for the life of the jar and are gone in
// the next process. A jar opened with Options.Path == "" (ephemeral sessions)
// never touches the disk. The file is JSON, rewritten atomically through
// datadir.WriteFileFunc (temp + fsync + rename + fsync dir) so a crash leaves
// the previous or the new set, never a torn file; JSON beats an embedded
// database here because the set is small (at most MaxCookies) and is always
// rewritten whole. Writes happen on Flush, on Close, and automatically
// FlushDelay after a change. Exclusive use of the file across processes is
// the engine's job (datadir.Acquire on the data directory).
//
// SameSite is parsed and stored (and reported by All) but not enforced: the
// engine has no notion of a "site for cookies" beyond the request itself.
// HttpOnly is stored; every request of the engine is an HTTP API, so it does
// not filter. Secure cookies are only sent over https/wss. The __Secure- and
// __Host- name prefixes are enforced (RFC 6265bis §4.1.3).
//
// API (all methods are safe for concurrent use):
//
//	type AcceptPolicy int // AcceptAlways, AcceptNever, AcceptOnlyFromMainDocumentDomain
//	type Options struct{ Path string; FlushDelay time.Duration; MaxCookies, MaxCookiesPerDomain int; Now func() time.Time }
//	func Open(opts Options) (*Jar, error)         // loads Path if it exists; errors.Is(err, ErrCorrupt) for a bad file
//	func (j *Jar) SetCookies(u *url.URL, cookies []*http.Cookie)   // http.CookieJar, policy AcceptAlways
//	func (j *Jar) Cookies(u *url.URL) []*http.Cookie              // http.CookieJar
//	func (j *Jar) SetCookiesWithPolicy(u, mainDocument *url.URL, p AcceptPolicy, cookies []*http.Cookie) int
//	func (j *Jar) WithPolicy(p AcceptPolicy) http.CookieJar        // a view applying p (main document = request URL)
//	func (j *Jar) All() []Cookie
//	func (j *Jar) Clear() error      // forget everything and remove the file
//	func (j *Jar) Reset() error      // same as Clear (nsurlsession reset)
//	func (j *Jar) Flush() error      // write persistent cookies now
//	func (j *Jar) Close() error      // flush and stop the autosave timer
//
// The engine calls SetCookiesWithPolicy for every response, redirect hops
// included, passing the hop's URL as u and the task's original request URL
// as mainDocument; it calls Cookies(u) for every request it sends.
package cookiestore
