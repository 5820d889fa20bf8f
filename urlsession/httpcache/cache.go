package httpcache

import (
	"container/list"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Defaults follow Apple's URLCache.shared (4 MiB memory, 20 MiB disk) and
// its rule that one response may use at most about 5% of the cache.
const (
	DefaultMemoryBytes = 4 << 20
	DefaultDiskBytes   = 20 << 20
)

// Options configures a Cache.
type Options struct {
	// Dir holds the cache files; "" keeps everything in memory (ephemeral
	// sessions). The directory belongs to the cache: Reset empties it.
	Dir string
	// MaxBytes bounds the cache (bodies plus a small per-entry cost); the
	// least recently used entries are evicted first. 0 means
	// DefaultDiskBytes with a Dir, DefaultMemoryBytes without.
	MaxBytes int64
	// MaxEntryBytes is the largest body stored; 0 means MaxBytes/20.
	// Larger responses pass through uncached.
	MaxEntryBytes int64
	// Now is the clock (tests); nil means time.Now.
	Now func() time.Time
}

// Cache is a private HTTP cache, safe for concurrent use.
type Cache struct {
	opts Options

	mu      sync.Mutex
	index   map[string][]*entry // primary key -> stored variants
	lru     *list.List          // of *entry, most recently used at the front
	bytes   int64
	gen     uint64 // bumped by Reset: bodies teed before it are discarded
	closed  bool
	tmpDir  string
	metaErr error // last failure writing LastUse updates, reported by Flush
}

// Stats is a snapshot of the cache's occupancy.
type Stats struct {
	Entries int
	Bytes   int64
}

// Open creates a cache. With a Dir it loads the entries already there,
// dropping any left half-written by a crash.
func Open(opts Options) (*Cache, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMemoryBytes
		if opts.Dir != "" {
			opts.MaxBytes = DefaultDiskBytes
		}
	}
	if opts.MaxEntryBytes <= 0 {
		opts.MaxEntryBytes = max(opts.MaxBytes/20, 1)
	}
	opts.MaxEntryBytes = min(opts.MaxEntryBytes, opts.MaxBytes)
	c := &Cache{opts: opts, index: make(map[string][]*entry), lru: list.New()}
	if opts.Dir != "" {
		c.tmpDir = filepath.Join(opts.Dir, "tmp")
		if err := c.load(); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Stats reports the current number of entries and bytes.
func (c *Cache) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return Stats{Entries: c.lru.Len(), Bytes: c.bytes}
}

// Reset removes every entry and its files. Responses already being served
// keep their open bodies (Linux keeps unlinked files readable); bodies being
// teed from the network are discarded instead of stored.
func (c *Cache) Reset() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.index = make(map[string][]*entry)
	c.lru.Init()
	c.bytes = 0
	c.metaErr = nil
	if c.opts.Dir == "" {
		return nil
	}
	des, err := os.ReadDir(c.opts.Dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("httpcache: reset %s: %w", c.opts.Dir, err)
	}
	var firstErr error
	for _, de := range des {
		if de.Name() == "tmp" {
			continue // in-flight tees own their temp files and remove them
		}
		if err := os.RemoveAll(filepath.Join(c.opts.Dir, de.Name())); err != nil && firstErr == nil {
			firstErr = fmt.Errorf("httpcache: reset: %w", err)
		}
	}
	return firstErr
}

// Flush writes pending last-use times so that LRU order survives a restart.
func (c *Cache) Flush() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.opts.Dir == "" {
		return nil
	}
	for el := c.lru.Front(); el != nil; el = el.Next() {
		e := el.Value.(*entry)
		if e.useDirty {
			if err := c.writeMeta(e); err != nil {
				c.metaErr = err
			}
			e.useDirty = false
		}
	}
	err := c.metaErr
	c.metaErr = nil
	return err
}

// Close flushes. The cache must not be used afterwards.
func (c *Cache) Close() error {
	err := c.Flush()
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	return err
}

// lookupLocked finds the stored variant req selects.
func (c *Cache) lookupLocked(key string, req *http.Request) *entry {
	for _, e := range c.index[key] {
		if e.matches(req) {
			return e
		}
	}
	return nil
}

func (c *Cache) touchLocked(e *entry) {
	e.LastUse = c.opts.Now()
	e.useDirty = true
	c.lru.MoveToFront(e.elem)
}

// insertLocked indexes e, replacing the variants it supersedes, then evicts
// down to the byte bound. It returns the entries dropped (their files must
// be removed by the caller, still under the lock).
func (c *Cache) insertLocked(e *entry, superseded func(*entry) bool) []*entry {
	var dropped []*entry
	kept := c.index[e.Key][:0:0]
	for _, old := range c.index[e.Key] {
		if old.ID == e.ID || superseded(old) {
			c.unlinkLocked(old)
			if old.ID != e.ID {
				dropped = append(dropped, old)
			}
			continue
		}
		kept = append(kept, old)
	}
	c.index[e.Key] = append(kept, e)
	e.elem = c.lru.PushFront(e)
	c.bytes += e.size()
	for c.bytes > c.opts.MaxBytes && c.lru.Len() > 0 {
		victim := c.lru.Back().Value.(*entry)
		c.removeLocked(victim)
		dropped = append(dropped, victim)
	}
	return dropped
}

// unlinkLocked takes e out of the LRU list and byte count (not the index).
func (c *Cache) unlinkLocked(e *entry) {
	if e.elem != nil {
		c.lru.Remove(e.elem)
		e.elem = nil
		c.bytes -= e.size()
	}
}

// removeLocked takes e out of the index too.
func (c *Cache) removeLocked(e *entry) {
	c.unlinkLocked(e)
	variants := c.index[e.Key]
	for i, v := range variants {
		if v == e {
			variants = append(variants[:i], variants[i+1:]...)
			break
		}
	}
	if len(variants) == 0 {
		delete(c.index, e.Key)
	} else {
		c.index[e.Key] = variants
	}
}

// invalidateLocked drops every variant stored under the given keys
// (RFC 9111 §4.4: an unsafe method invalidates the target URI).
func (c *Cache) invalidateLocked(keys ...string) {
	for _, k := range keys {
		for _, e := range append([]*entry(nil), c.index[k]...) {
			c.removeLocked(e)
			c.removeFilesLocked(e)
		}
	}
}
