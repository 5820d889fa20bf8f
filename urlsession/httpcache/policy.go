package httpcache

import (
	"errors"
	"fmt"
)

// Policy mirrors NSURLRequestCachePolicy (the values the engine's
// Configuration.RequestCachePolicy carries).
type Policy int

const (
	// UseProtocolCachePolicy serves fresh stored responses, revalidates stale
	// ones that carry validators (ETag / Last-Modified) and fetches otherwise.
	UseProtocolCachePolicy Policy = iota
	// ReloadIgnoringLocalCacheData always fetches; the answer is still stored.
	ReloadIgnoringLocalCacheData
	// ReturnCacheDataElseLoad serves any stored response whatever its age,
	// fetching only when nothing is stored.
	ReturnCacheDataElseLoad
	// ReturnCacheDataDontLoad serves any stored response and never touches the
	// network: without one, Do fails with ErrNotCached.
	ReturnCacheDataDontLoad
)

func (p Policy) String() string {
	switch p {
	case UseProtocolCachePolicy:
		return "UseProtocolCachePolicy"
	case ReloadIgnoringLocalCacheData:
		return "ReloadIgnoringLocalCacheData"
	case ReturnCacheDataElseLoad:
		return "ReturnCacheDataElseLoad"
	case ReturnCacheDataDontLoad:
		return "ReturnCacheDataDontLoad"
	}
	return fmt.Sprintf("Policy(%d)", int(p))
}

// ErrNotCached is returned by Do under ReturnCacheDataDontLoad (or a request
// carrying Cache-Control: only-if-cached) when no usable response is stored.
// The engine maps it to NSURLErrorCannotLoadFromNetwork (-2000), Apple's code
// for a cache-only miss (nsurlsession.md §4.2).
var ErrNotCached = errors.New("httpcache: no cached response for a cache-only request")
