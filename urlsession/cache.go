package urlsession

import (
	"net/http"
	"path/filepath"

	"github.com/tirun/tirun/urlsession/httpcache"
)

// Which cache a session uses follows Apple's defaults: default sessions share the
// engine's cache (in memory, or on disk under the data directory with
// EngineOptions.DiskCache), ephemeral sessions get a private memory cache,
// background sessions none. Only data
// tasks consult it, once per hop of the redirect chain.

const cacheDirName = "cache"

// openSharedCache opens the engine's cache, on disk in storeDir when asked and
// possible; a failure only costs caching.
func openSharedCache(e *Engine, storeDir string, disk bool) *httpcache.Cache {
	opts := httpcache.Options{}
	if disk && storeDir != "" {
		opts.Dir = filepath.Join(storeDir, cacheDirName)
	}
	c, err := httpcache.Open(opts)
	if err != nil {
		e.logger.Warn("urlsession: running without an HTTP cache", "err", err)
		return nil
	}
	return c
}

func cachePolicy(p CachePolicy) httpcache.Policy {
	switch p {
	case ReloadIgnoringLocalCacheData:
		return httpcache.ReloadIgnoringLocalCacheData
	case ReturnCacheDataElseLoad:
		return httpcache.ReturnCacheDataElseLoad
	case ReturnCacheDataDontLoad:
		return httpcache.ReturnCacheDataDontLoad
	}
	return httpcache.UseProtocolCachePolicy
}

// roundTrip sends one request, through the session's cache for data tasks.
func (s *Session) roundTrip(t *Task, req *http.Request) (*http.Response, error) {
	if s.cache == nil || t.kind != KindDataTask {
		return s.transport.RoundTrip(req)
	}
	resp, _, err := s.cache.Do(req, cachePolicy(s.cfg.RequestCachePolicy), s.transport.RoundTrip)
	return resp, err
}
