package credstore

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/tirun/tirun/urlsession/datadir"
)

// ProtectionSpace identifies where a credential applies, like
// NSURLProtectionSpace. Host is lower case; Port is explicit (80/443 when
// the URL has none). An empty Realm or AuthMethod in a stored space acts
// as a wildcard for that field (a "credential for this server").
type ProtectionSpace struct {
	Scheme     string `json:"scheme"`
	Host       string `json:"host"`
	Port       int    `json:"port"`
	Realm      string `json:"realm,omitempty"`
	AuthMethod string `json:"authMethod,omitempty"` // "Basic", "Digest" or ""
}

// Credential is a user name and password.
type Credential struct {
	User     string `json:"user"`
	Password string `json:"password"`
}

// Entry pairs a space and its credential (All, and the file format).
type Entry struct {
	Space      ProtectionSpace `json:"space"`
	Credential Credential      `json:"credential"`
}

// SpaceFor builds the protection space of a URL for a realm and method.
func SpaceFor(u *url.URL, realm, authMethod string) ProtectionSpace {
	scheme := strings.ToLower(u.Scheme)
	port, _ := strconv.Atoi(u.Port())
	if port == 0 {
		switch scheme {
		case "https", "wss":
			port = 443
		default:
			port = 80
		}
	}
	return ProtectionSpace{
		Scheme: scheme, Host: strings.ToLower(u.Hostname()), Port: port,
		Realm: realm, AuthMethod: canonicalMethod(authMethod),
	}
}

func canonicalMethod(m string) string {
	switch strings.ToLower(m) {
	case "basic":
		return "Basic"
	case "digest":
		return "Digest"
	}
	return m
}

// Options configures a Store. The zero value is an in-memory store.
type Options struct {
	// Path of the JSON credentials file (mode 0600); "" keeps the store in
	// memory (ephemeral sessions).
	Path string
	// Rand feeds Digest client nonces; nil means crypto/rand.
	Rand io.Reader
}

// Store holds credentials per protection space. Safe for concurrent use.
type Store struct {
	opts Options

	mu      sync.Mutex
	entries map[ProtectionSpace]Credential
	nonces  map[string]uint32 // Digest nonce counts, by space + nonce
	dirty   bool              // a change not yet written (a write failed)

	testCnonce string // fixed client nonce for RFC 7616 test vectors
}

// Open creates a store, loading opts.Path when it exists.
func Open(opts Options) (*Store, error) {
	if opts.Rand == nil {
		opts.Rand = rand.Reader
	}
	s := &Store{opts: opts, entries: map[ProtectionSpace]Credential{}, nonces: map[string]uint32{}}
	if opts.Path == "" {
		return s, nil
	}
	b, err := os.ReadFile(opts.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, fmt.Errorf("credstore: read %s: %w", opts.Path, err)
	}
	var f fileFormat
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("%w %s: %v", ErrCorrupt, opts.Path, err)
	}
	if f.Version != formatVersion {
		return nil, fmt.Errorf("%w %s: unsupported version %d", ErrCorrupt, opts.Path, f.Version)
	}
	for _, e := range f.Credentials {
		s.entries[e.Space] = e.Credential
	}
	return s, nil
}

// NewMemory is an in-memory store.
func NewMemory() *Store {
	s, _ := Open(Options{}) // cannot fail without a path
	return s
}

type fileFormat struct {
	Version     int     `json:"version"`
	Credentials []Entry `json:"credentials"`
}

const formatVersion = 1

// ErrCorrupt is matched (errors.Is) by Open's error when the credentials
// file cannot be decoded; the engine may then Reset and carry on.
var ErrCorrupt = errors.New("credstore: corrupt credentials file")

// Set stores (or replaces) the credential for space and, for a persistent
// store, writes the file at once: credentials change rarely and must not
// be lost.
func (s *Store) Set(space ProtectionSpace, cred Credential) error {
	space.AuthMethod = canonicalMethod(space.AuthMethod)
	space.Host = strings.ToLower(space.Host)
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.entries[space]; ok && old == cred {
		return nil
	}
	s.entries[space] = cred
	s.dirty = true
	return s.writeLocked()
}

// Remove forgets the credential stored for exactly this space.
func (s *Store) Remove(space ProtectionSpace) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.entries[space]; !ok {
		return nil
	}
	delete(s.entries, space)
	s.dirty = true
	return s.writeLocked()
}

// Get finds the credential for space: an exact match first, then one
// stored for the same server with an empty AuthMethod, an empty Realm, or
// both.
func (s *Store) Get(space ProtectionSpace) (Credential, bool) {
	space.AuthMethod = canonicalMethod(space.AuthMethod)
	space.Host = strings.ToLower(space.Host)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, candidate := range []ProtectionSpace{
		space,
		{space.Scheme, space.Host, space.Port, space.Realm, ""},
		{space.Scheme, space.Host, space.Port, "", space.AuthMethod},
		{space.Scheme, space.Host, space.Port, "", ""},
	} {
		if c, ok := s.entries[candidate]; ok {
			return c, true
		}
	}
	return Credential{}, false
}

// All lists the stored credentials in a stable order.
func (s *Store) All() []Entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sortedLocked()
}

func (s *Store) sortedLocked() []Entry {
	out := make([]Entry, 0, len(s.entries))
	for sp, c := range s.entries {
		out = append(out, Entry{Space: sp, Credential: c})
	}
	sort.Slice(out, func(a, b int) bool {
		x, y := out[a].Space, out[b].Space
		return fmt.Sprint(x.Scheme, x.Host, x.Port, x.Realm, x.AuthMethod) <
			fmt.Sprint(y.Scheme, y.Host, y.Port, y.Realm, y.AuthMethod)
	})
	return out
}

func (s *Store) writeLocked() error {
	if s.opts.Path == "" {
		return nil
	}
	f := fileFormat{Version: formatVersion, Credentials: s.sortedLocked()}
	err := datadir.WriteJSON(s.opts.Path, 0o600, &f)
	if err != nil {
		return fmt.Errorf("credstore: %w", err)
	}
	s.dirty = false
	return nil
}

// Flush retries a write that failed earlier; Set and Remove write through.
func (s *Store) Flush() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.dirty {
		return nil
	}
	return s.writeLocked()
}

// Reset forgets every credential and Digest nonce count and removes the
// file.
func (s *Store) Reset() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.entries = map[ProtectionSpace]Credential{}
	s.nonces = map[string]uint32{}
	s.dirty = false
	if s.opts.Path == "" {
		return nil
	}
	if err := os.Remove(s.opts.Path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("credstore: remove %s: %w", s.opts.Path, err)
	}
	return nil
}

// Close is Flush; the store needs no other cleanup.
func (s *Store) Close() error { return s.Flush() }
