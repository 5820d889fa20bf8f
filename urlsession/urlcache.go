package urlsession

import (
	"hash/maphash"
	"net/url"
	"sync/atomic"
)

// taskURL is a validated task URL with what every request derives from it.
type taskURL struct {
	raw  string
	u    *url.URL // shared: the engine never modifies a parsed URL
	str  string   // u.String()
	host string   // hostKey(u)
}

// recentURLs remembers the last URLs parsed, so the many requests an app sends to
// the same few URLs skip parsing, serialising and keying them again (a measurable
// share of a small request's cost). It is a fixed direct-mapped table: lock-free,
// bounded, and a collision only costs a parse. URLs carrying credentials are not
// kept, so no password outlives its task in this table.
var recentURLs struct {
	seed    maphash.Seed
	entries [256]atomic.Pointer[taskURL]
}

func init() { recentURLs.seed = maphash.MakeSeed() }

// lookupTaskURL returns raw parsed and validated by parseTaskURL, from the table when
// it is there.
func lookupTaskURL(raw string) (*taskURL, *URLError) {
	slot := &recentURLs.entries[maphash.String(recentURLs.seed, raw)%uint64(len(recentURLs.entries))]
	if e := slot.Load(); e != nil && e.raw == raw {
		return e, nil
	}
	u, uerr := parseTaskURL(raw)
	if uerr != nil {
		return nil, uerr
	}
	e := &taskURL{raw: raw, u: u, str: u.String(), host: hostKey(u)}
	if u.User == nil {
		slot.Store(e)
	}
	return e, nil
}
