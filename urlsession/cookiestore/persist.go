package cookiestore

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/tirun/tirun/urlsession/datadir"
)

// fileFormat is the on-disk shape; Version guards future changes.
type fileFormat struct {
	Version int       `json:"version"`
	Cookies []*Cookie `json:"cookies"`
}

const formatVersion = 1

// ErrCorrupt is matched (errors.Is) by Open's error when the cookie file
// cannot be decoded; the engine may then Clear the jar and carry on.
var ErrCorrupt = errors.New("cookiestore: corrupt cookie file")

func load(path string) ([]*Cookie, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cookiestore: read %s: %w", path, err)
	}
	var f fileFormat
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("%w %s: %v", ErrCorrupt, path, err)
	}
	if f.Version != formatVersion {
		return nil, fmt.Errorf("%w %s: unsupported version %d", ErrCorrupt, path, f.Version)
	}
	return f.Cookies, nil
}

// changedLocked marks the jar dirty and arms the autosave timer.
func (j *Jar) changedLocked() {
	j.dirty = true
	if j.opts.Path == "" || j.opts.FlushDelay < 0 || j.closed || j.timer != nil {
		return
	}
	j.timer = time.AfterFunc(j.opts.FlushDelay, j.autosave)
}

func (j *Jar) autosave() {
	j.writeMu.Lock()
	defer j.writeMu.Unlock()
	if err := j.writeFile(); err != nil {
		j.mu.Lock()
		j.saveErr = err
		j.mu.Unlock()
	}
}

// Flush writes the persistent, unexpired cookies to Path now (a no-op for
// an in-memory jar). It also reports a failure of an earlier autosave.
func (j *Jar) Flush() error {
	j.writeMu.Lock()
	defer j.writeMu.Unlock()
	err := j.writeFile()
	j.mu.Lock()
	defer j.mu.Unlock()
	if err == nil {
		err, j.saveErr = j.saveErr, nil
	}
	return err
}

// writeFile writes the file if anything changed; the caller holds writeMu.
// mu is held only to copy the cookies, not across the write and its
// fsyncs, so that requests (Cookies, SetCookies) never wait for the disk;
// writeMu keeps a concurrent Clear from interleaving with (and being
// undone by) a write in progress.
func (j *Jar) writeFile() error {
	j.mu.Lock()
	if j.timer != nil {
		j.timer.Stop()
		j.timer = nil
	}
	if j.opts.Path == "" || !j.dirty {
		j.mu.Unlock()
		return nil
	}
	now := j.opts.Now()
	f := fileFormat{Version: formatVersion, Cookies: []*Cookie{}}
	for _, c := range j.cookies {
		if c.Persistent && !c.expired(now) {
			cp := *c // a copy: Cookies updates LastAccess under mu
			f.Cookies = append(f.Cookies, &cp)
		}
	}
	j.dirty = false // a change made during the write marks it again
	j.mu.Unlock()
	if err := datadir.WriteJSON(j.opts.Path, 0o600, &f); err != nil {
		j.mu.Lock()
		j.dirty = true
		j.mu.Unlock()
		return fmt.Errorf("cookiestore: %w", err)
	}
	return nil
}

// Clear forgets every cookie and removes the file.
func (j *Jar) Clear() error {
	j.writeMu.Lock() // a write in progress must not recreate the file after the removal
	defer j.writeMu.Unlock()
	j.mu.Lock()
	defer j.mu.Unlock()
	j.cookies = make(map[string]*Cookie)
	j.dirty = false
	j.saveErr = nil
	if j.timer != nil {
		j.timer.Stop()
		j.timer = nil
	}
	if j.opts.Path == "" {
		return nil
	}
	if err := os.Remove(j.opts.Path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("cookiestore: remove %s: %w", j.opts.Path, err)
	}
	return nil
}

// Reset is Clear, named after NSURLSession reset.
func (j *Jar) Reset() error { return j.Clear() }

// Close flushes and stops autosaving. The jar stays usable in memory.
func (j *Jar) Close() error {
	j.mu.Lock()
	j.closed = true
	j.mu.Unlock()
	return j.Flush()
}
