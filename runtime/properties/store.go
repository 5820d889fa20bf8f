package properties

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/tirun/tirun/runtime/tifs/atomicfile"
)

// FileName is the store's file inside the application data directory.
const FileName = "properties.json"

// fileVersion guards the on-disk layout so a future format can be told apart.
const fileVersion = 1

// Kind records which setter stored a value, so getters can convert the way Titanium does
// (getString of an int gives its decimal text, getList of a string gives the default).
type Kind string

const (
	KindString Kind = "string"
	KindInt    Kind = "int"
	KindDouble Kind = "double"
	KindBool   Kind = "bool"
	KindList   Kind = "list"
	KindObject Kind = "object"
)

// Entry is one stored property: its kind and its value as JSON text.
type Entry struct {
	Kind  Kind            `json:"type"`
	Value json.RawMessage `json:"value"`
}

func (e Entry) equal(o Entry) bool {
	return e.Kind == o.Kind && string(e.Value) == string(o.Value)
}

type fileFormat struct {
	Version    int              `json:"version"`
	Properties map[string]Entry `json:"properties"`
}

// ErrReadOnly is returned when a script tries to change a preset (tiapp.xml-style) property.
var ErrReadOnly = errors.New("property is read-only")

// Store is the durable map behind Ti.App.Properties. Changes are kept in memory and written by
// Flush, which merges them into whatever is on disk (another runtime on the same data directory
// may have written meanwhile) and replaces the file atomically, so a crash leaves either the
// previous or the new file, never a corrupt one. Safe for concurrent use.
type Store struct {
	path string

	mu      sync.Mutex
	values  map[string]Entry
	presets map[string]Entry
	pending map[string]*Entry // name -> new entry, or nil for a removal; not yet on disk
	warning string
}

// Open loads the store from dir/FileName (missing file = empty store). A file that cannot be
// parsed is moved aside to FileName.corrupt-<unix time> and the store starts empty: losing
// settings is better than refusing to start the app; Warning() reports it.
func Open(dir string) (*Store, error) {
	if dir == "" {
		return nil, errors.New("properties: empty data directory")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("properties: create data directory: %w", err)
	}
	s := &Store{
		path:    filepath.Join(dir, FileName),
		presets: map[string]Entry{},
		pending: map[string]*Entry{},
	}
	values, err := readFile(s.path)
	if err != nil {
		var perr *parseError
		if !errors.As(err, &perr) {
			return nil, err
		}
		aside := fmt.Sprintf("%s.corrupt-%d", s.path, time.Now().Unix())
		if rerr := os.Rename(s.path, aside); rerr != nil {
			return nil, fmt.Errorf("properties: %v; moving it aside failed: %w", err, rerr)
		}
		s.warning = fmt.Sprintf("%v; moved to %s and started empty", err, aside)
		values = map[string]Entry{}
	}
	s.values = values
	atomicfile.RemoveStaleTemps(s.path, staleTempAge)
	return s, nil
}

// staleTempAge is how old a leftover temp file must be before Open deletes it. A crash during
// Flush leaves one behind; a younger one may belong to another runtime writing right now.
const staleTempAge = 10 * time.Minute

type parseError struct{ err error }

func (e *parseError) Error() string { return "properties: unreadable store file: " + e.err.Error() }
func (e *parseError) Unwrap() error { return e.err }

func readFile(path string) (map[string]Entry, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]Entry{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("properties: %w", err)
	}
	var f fileFormat
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, &parseError{err}
	}
	if f.Version != fileVersion {
		return nil, &parseError{fmt.Errorf("unknown version %d", f.Version)}
	}
	if f.Properties == nil {
		f.Properties = map[string]Entry{}
	}
	return f.Properties, nil
}

// Path is the store file.
func (s *Store) Path() string { return s.path }

// Warning describes a problem met while opening (a corrupt file moved aside), or "".
func (s *Store) Warning() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.warning
}

// SetPreset defines a read-only property (Titanium's tiapp.xml properties): it wins over a
// stored value of the same name, cannot be changed or removed, and is never written to disk.
func (s *Store) SetPreset(name string, e Entry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.presets[name] = e
}

// Get returns the entry for name.
func (s *Store) Get(name string) (Entry, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.presets[name]; ok {
		return e, true
	}
	e, ok := s.values[name]
	return e, ok
}

// Has reports whether name is defined.
func (s *Store) Has(name string) bool {
	_, ok := s.Get(name)
	return ok
}

// Set stores e under name and reports whether the stored value changed.
func (s *Store) Set(name string, e Entry) (changed bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.presets[name]; ok {
		return false, ErrReadOnly
	}
	if old, ok := s.values[name]; ok && old.equal(e) {
		return false, nil
	}
	s.values[name] = e
	s.pending[name] = &e
	return true, nil
}

// Remove deletes name and reports whether it existed. Presets cannot be removed.
func (s *Store) Remove(name string) (changed bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.presets[name]; ok {
		return false, ErrReadOnly
	}
	if _, ok := s.values[name]; !ok {
		return false, nil
	}
	delete(s.values, name)
	s.pending[name] = nil
	return true, nil
}

// RemoveAll deletes every stored (non-preset) property and returns their names, sorted.
func (s *Store) RemoveAll() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for name := range s.values {
		names = append(names, name)
		s.pending[name] = nil
	}
	clear(s.values)
	slices.Sort(names)
	return names
}

// Names lists every defined property (stored and preset), sorted.
func (s *Store) Names() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	names := make([]string, 0, len(s.values)+len(s.presets))
	for name := range s.values {
		names = append(names, name)
	}
	for name := range s.presets {
		if _, dup := s.values[name]; !dup {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// Dirty reports whether changes are waiting for Flush.
func (s *Store) Dirty() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.pending) > 0
}

// Flush writes pending changes. It re-reads the file first and applies only this store's own
// changes on top, so two runtimes sharing a data directory do not erase each other's keys;
// the merged result also becomes this store's view. On error the changes stay pending.
func (s *Store) Flush() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.pending) == 0 {
		return nil
	}
	onDisk, err := readFile(s.path)
	if err != nil {
		var perr *parseError
		if !errors.As(err, &perr) {
			return err
		}
		// Someone damaged the file after we opened it: our in-memory view is the best copy.
		onDisk = maps.Clone(s.values)
	}
	for name, e := range s.pending {
		if e == nil {
			delete(onDisk, name)
		} else {
			onDisk[name] = *e
		}
	}
	data, err := json.MarshalIndent(fileFormat{Version: fileVersion, Properties: onDisk}, "", "  ")
	if err != nil {
		return fmt.Errorf("properties: encode: %w", err)
	}
	if err := atomicfile.WriteBytes(s.path, 0o600, data); err != nil {
		return fmt.Errorf("properties: write %s: %w", s.path, err)
	}
	s.values = onDisk
	clear(s.pending)
	return nil
}
