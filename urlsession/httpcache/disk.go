package httpcache

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/tirun/tirun/urlsession/datadir"
)

// On disk an entry is "<id>.meta" (JSON, written atomically) and
// "<id>.body". The meta file is the commit point: it is renamed into place
// only after the body, and load drops a meta whose body is missing or has
// the wrong size, so a crash can lose an entry but never serve a torn one.

func (c *Cache) metaPath(id string) string { return filepath.Join(c.opts.Dir, id+".meta") }
func (c *Cache) bodyPath(id string) string { return filepath.Join(c.opts.Dir, id+".body") }

func (c *Cache) writeMeta(e *entry) error {
	b, err := json.Marshal(&e.meta)
	if err != nil {
		return fmt.Errorf("httpcache: encode entry: %w", err)
	}
	if err := datadir.WriteFile(c.metaPath(e.ID), b, 0o600); err != nil {
		return fmt.Errorf("httpcache: %w", err)
	}
	return nil
}

// stageMeta writes e's meta to a temp file under Dir/tmp and fsyncs it;
// placeLocked then renames it into place. The fsyncs are the slow part of
// storing an entry, so they happen before the commit takes the cache lock
// rather than holding up every lookup. (datadir.WriteFile would rename at
// once; here the rename must wait for the lock and the Reset check.)
func (c *Cache) stageMeta(e *entry) (string, error) {
	b, err := json.Marshal(&e.meta)
	if err != nil {
		return "", fmt.Errorf("httpcache: encode entry: %w", err)
	}
	return datadir.WriteTemp(c.tmpDir, "meta-*", b, 0o600)
}

// placeLocked renames a committed entry's staged body and meta into place,
// body first: the meta is the commit point. On failure neither is left.
func (c *Cache) placeLocked(id, tmpBody, tmpMeta string) error {
	if err := os.Rename(tmpBody, c.bodyPath(id)); err != nil {
		os.Remove(tmpBody)
		os.Remove(tmpMeta)
		return err
	}
	if err := os.Rename(tmpMeta, c.metaPath(id)); err != nil {
		os.Remove(tmpMeta)
		os.Remove(c.bodyPath(id))
		return err
	}
	return nil
}

// removeFilesLocked deletes an entry's files (meta first, so that a crash
// in between leaves an orphan body, which load removes, not a torn entry).
func (c *Cache) removeFilesLocked(e *entry) {
	if c.opts.Dir == "" {
		return
	}
	os.Remove(c.metaPath(e.ID))
	os.Remove(c.bodyPath(e.ID))
}

// load indexes the entries in Dir, oldest use first so the LRU order is
// rebuilt, and removes leftovers: temp files, orphan bodies, bad metas.
func (c *Cache) load() error {
	if err := os.MkdirAll(c.tmpDir, 0o700); err != nil {
		return fmt.Errorf("httpcache: create %s: %w", c.tmpDir, err)
	}
	if tmps, err := os.ReadDir(c.tmpDir); err == nil {
		for _, t := range tmps {
			os.Remove(filepath.Join(c.tmpDir, t.Name()))
		}
	}
	des, err := os.ReadDir(c.opts.Dir)
	if err != nil {
		return fmt.Errorf("httpcache: read %s: %w", c.opts.Dir, err)
	}
	var loaded []*entry
	hasMeta := map[string]bool{}
	for _, de := range des {
		id, ok := strings.CutSuffix(de.Name(), ".meta")
		if !ok {
			continue
		}
		e, err := c.readEntry(id)
		if err != nil {
			os.Remove(c.metaPath(id))
			continue
		}
		hasMeta[id] = true
		loaded = append(loaded, e)
	}
	for _, de := range des {
		if id, ok := strings.CutSuffix(de.Name(), ".body"); ok && !hasMeta[id] {
			os.Remove(filepath.Join(c.opts.Dir, de.Name()))
		}
	}
	sort.Slice(loaded, func(a, b int) bool { return loaded[a].LastUse.Before(loaded[b].LastUse) })
	for _, e := range loaded {
		for _, d := range c.insertLocked(e, func(*entry) bool { return false }) {
			c.removeFilesLocked(d)
		}
	}
	return nil
}

func (c *Cache) readEntry(id string) (*entry, error) {
	b, err := os.ReadFile(c.metaPath(id))
	if err != nil {
		return nil, err
	}
	var m meta
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	if m.Version != metaVersion || m.ID != id || m.Header == nil {
		return nil, errors.New("httpcache: unusable entry")
	}
	fi, err := os.Stat(c.bodyPath(id))
	if err != nil || fi.Size() != m.BodySize {
		return nil, errors.New("httpcache: body missing or truncated")
	}
	return &entry{meta: m}, nil
}

// pendingBody receives a response body while the engine reads it.
type pendingBody interface {
	io.Writer
	// finish hands the complete body over: the bytes in memory mode, or a
	// temp file path on disk.
	finish() (data []byte, tmpPath string, err error)
	discard()
}

type memoryBody struct{ bytes.Buffer }

func (m *memoryBody) finish() ([]byte, string, error) { return m.Bytes(), "", nil }
func (m *memoryBody) discard()                        { m.Reset() }

type fileBody struct{ f *os.File }

func (c *Cache) newPendingBody() (pendingBody, error) {
	if c.opts.Dir == "" {
		return &memoryBody{}, nil
	}
	if err := os.MkdirAll(c.tmpDir, 0o700); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(c.tmpDir, "body-*")
	if err != nil {
		return nil, err
	}
	return &fileBody{f: f}, nil
}

func (b *fileBody) Write(p []byte) (int, error) { return b.f.Write(p) }

func (b *fileBody) finish() ([]byte, string, error) {
	// No fsync: load verifies the body size, and losing a cache entry to a
	// power cut costs only a refetch.
	if err := b.f.Close(); err != nil {
		os.Remove(b.f.Name())
		return nil, "", err
	}
	return nil, b.f.Name(), nil
}

func (b *fileBody) discard() {
	b.f.Close()
	os.Remove(b.f.Name())
}
