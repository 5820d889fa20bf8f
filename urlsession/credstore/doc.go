// Package credstore keeps credentials per protection space (scheme, host,
// port, realm, auth method) and answers HTTP Basic (RFC 7617) and Digest
// (RFC 7616) challenges.
//
// Digest support: algorithms MD5, SHA-256 and SHA-512-256, each also in
// its "-sess" form; qop=auth with nonce counting (nc, per server, realm
// and nonce) and a random 128-bit cnonce; the RFC 2069 form when the
// server offers no qop; userhash; opaque echoed back; non-ASCII user names
// sent as username*. qop=auth-int is not offered (a streamed body cannot
// be hashed up front), so an auth-int-only challenge gets no answer.
// Challenges are ranked Digest SHA-512-256 > SHA-256 > MD5 > Basic.
//
// Persistence: with Options.Path the store is a JSON file, mode 0600,
// rewritten atomically (datadir.WriteFileFunc) on every Set/Remove —
// credentials change rarely and must not be lost, and JSON written whole
// is simpler and as crash-safe as an embedded database for a handful of
// records. Passwords are stored in clear inside that 0600 file (there is no
// keychain to defer to on Linux); ephemeral sessions use Path "" and never
// touch the disk (Apple: ephemeral credential storage is in memory).
//
// API (safe for concurrent use):
//
//	type ProtectionSpace struct{ Scheme, Host string; Port int; Realm, AuthMethod string }
//	type Credential struct{ User, Password string }
//	type Options struct{ Path string; Rand io.Reader }
//	func Open(opts Options) (*Store, error)   // errors.Is(err, ErrCorrupt) for a bad file
//	func NewMemory() *Store
//	func SpaceFor(u *url.URL, realm, authMethod string) ProtectionSpace
//	func (s *Store) Set(space ProtectionSpace, c Credential) error
//	func (s *Store) Get(space ProtectionSpace) (Credential, bool) // exact, then realm/method wildcards
//	func (s *Store) Remove(space ProtectionSpace) error
//	func (s *Store) All() []Entry
//	func (s *Store) Reset() error  // forget all, remove the file
//	func (s *Store) Flush() error  // retry a failed write (Set writes through)
//	func (s *Store) Close() error
//	func ParseChallenges(values []string) []Challenge
//	type Answer struct{ Header, Value string; Space ProtectionSpace; Credential Credential }
//	func (s *Store) Respond(req *http.Request, resp *http.Response, userinfo *Credential) (Answer, bool)
//
// Engine use: on a 401, call Respond(req, resp, userinfo) where userinfo is
// the URL's user:password (nil when absent). If ok, resend the request once
// with Answer.Header: Answer.Value; if that retry succeeds, Set(Answer.Space,
// Answer.Credential) to remember it. If not ok, or the retry is answered
// 401 again, the task completes with that 401 response — not an error
// (nsurlsession.md §3.8).
package credstore
