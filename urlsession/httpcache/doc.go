// Package httpcache is the engine's private HTTP cache (RFC 9111 semantics
// with NSURLRequestCachePolicy on top), in memory or on disk, bounded in
// bytes with least-recently-used eviction.
//
// Why not a library: gregjones/httpcache is archived, buffers whole bodies
// in memory and has no size bound or per-request policy;
// bartventer/httpcache is not available from our module proxy; both are
// http.RoundTripper wrappers, while the engine needs Apple's four request
// policies, a cache-only miss error, per-hop use inside its own redirect
// loop and a body streamed to disk as the task reads it. The semantics
// below are small enough to own (a few hundred lines, tested here).
//
// Behaviour:
//   - Only GET and HEAD responses with status 200, 203, 204, 300, 301, 404,
//     405, 410, 414 or 501 are stored, unless the request or response says
//     Cache-Control: no-store or the response says Vary: *. "private"
//     responses are stored (this is a private cache), and so are responses
//     to requests with Authorization.
//   - Freshness: max-age, then Expires minus Date, then 10% of the
//     Date − Last-Modified interval (at most 24h); age per RFC 9111 §4.2.3.
//     Request max-age, min-fresh, max-stale, no-cache (and Pragma:
//     no-cache), no-store and only-if-cached are honoured; response
//     no-cache and must-revalidate too.
//   - Revalidation: a stale entry with an ETag and/or Last-Modified is
//     revalidated with If-None-Match / If-Modified-Since; a 304 refreshes the
//     stored headers and serves the stored body (fromCache = true).
//   - Vary: the request values of the fields Vary names are stored with the
//     response; several variants of one URL coexist.
//   - Unsafe methods (POST, PUT, DELETE, ...) answered below 400 invalidate
//     the URL's stored GET and HEAD responses.
//   - Requests that are already conditional (If-*) or ranged go straight to
//     the network, uncached.
//
// Policies (Configuration.RequestCachePolicy):
//   - UseProtocolCachePolicy: the RFC 9111 behaviour above.
//   - ReloadIgnoringLocalCacheData: always fetch; the answer is stored.
//   - ReturnCacheDataElseLoad: any stored variant, however stale; else fetch.
//   - ReturnCacheDataDontLoad: any stored variant; else ErrNotCached, which
//     the engine reports as NSURLErrorCannotLoadFromNetwork (-2000), the
//     cache-only miss code of nsurlsession.md §4.2.
//
// Storage: with Options.Dir each entry is "<id>.body" plus "<id>.meta"
// (JSON). The body is teed into a temp file under Dir/tmp while the engine
// reads the response (never buffered whole). When the read reaches EOF (or
// the full Content-Length) the meta is written and fsynced next to it, then
// both are renamed into place, body first, and Dir is fsynced; the fsyncs
// happen outside the cache's lock. The meta is the commit point and
// Open drops any meta whose body is missing or of the wrong size, so a
// crash loses at most an entry and never serves a torn one. A failed or
// abandoned read discards the temp file. Bodies larger than MaxEntryBytes
// are not cached. Without Dir the same logic keeps bodies in memory. Plain
// files were chosen over an embedded database because bodies must stream
// to and from disk and be served by an open file handle that survives
// eviction and Reset.
//
// API (safe for concurrent use):
//
//	type Policy int // UseProtocolCachePolicy, ReloadIgnoringLocalCacheData, ReturnCacheDataElseLoad, ReturnCacheDataDontLoad
//	var ErrNotCached error
//	type Options struct{ Dir string; MaxBytes, MaxEntryBytes int64; Now func() time.Time }
//	type Fetch func(*http.Request) (*http.Response, error)
//	func Open(opts Options) (*Cache, error)
//	func (c *Cache) Do(req *http.Request, policy Policy, fetch Fetch) (resp *http.Response, fromCache bool, err error)
//	func (c *Cache) Reset() error   // drop everything, remove the files
//	func (c *Cache) Flush() error   // persist last-use times (LRU order)
//	func (c *Cache) Close() error
//	func (c *Cache) Stats() Stats   // {Entries int; Bytes int64}
//
// The entry is committed only when the body has been read to EOF (or to
// its Content-Length): an engine that decodes gzip/br should drain the raw
// body after the decoder finishes, because a decoder may stop at its
// trailer without seeing EOF. Close never blocks on the network.
//
// The engine calls Do once per hop for data tasks (Apple consults the cache
// for data tasks only), with fetch doing the real round trip, and reads
// and closes the returned body as usual. Background sessions have no cache
// (Apple's default), ephemeral ones a memory cache, default ones a disk
// cache under the data directory.
package httpcache
