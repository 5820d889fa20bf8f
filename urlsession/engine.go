package urlsession

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/tirun/tirun/telemetry"
	"github.com/tirun/tirun/urlsession/cookiestore"
	"github.com/tirun/tirun/urlsession/credstore"
	"github.com/tirun/tirun/urlsession/datadir"
	"github.com/tirun/tirun/urlsession/httpcache"
	"github.com/tirun/tirun/urlsession/journal"
)

// storesDirName is the directory, next to the sessions' "urlsession" directory,
// holding the persistent stores: LOCK, cookies.json, credentials.json and cache/.
const storesDirName = "urlsession-stores"

// Version goes into the default User-Agent.
const Version = "0.1.0"

// EngineOptions configure an Engine. All fields are optional.
type EngineOptions struct {
	// DataDir holds the sessions' directories (DataDir/urlsession), partial downloads
	// kept for resume data (DataDir/urlsession/resume) and the persistent stores
	// (DataDir/urlsession-stores: cookies, credentials, optional disk cache), which
	// the engine locks. An engine finding them locked by another engine (usually a
	// second process on the same app) still works, with its stores in memory: it
	// logs a warning naming the directory and the other pid, and StoresFallback
	// reports it. Empty means a temporary directory owned by the engine and removed
	// by Close, and stores in memory.
	DataDir string
	// Transport replaces the per-session transports (tests, custom proxies). The
	// configuration's TLS, proxy and timeout settings then do not apply to dialing.
	Transport http.RoundTripper
	// Cookies is the shared storage of default and background sessions. nil means a
	// cookiestore jar persisted in DataDir/urlsession/cookies.json (in memory when
	// DataDir is empty). Ephemeral sessions always get a private in-memory jar.
	Cookies CookieStorage
	// DisableCache turns the HTTP cache off for every session.
	DisableCache bool
	// DiskCache keeps the default sessions' cache in DataDir/urlsession/cache instead
	// of memory. It is off by default because the cache store commits every entry
	// durably (fsync), which measured about 1 ms per cacheable response here.
	DiskCache bool
	// Logger receives warnings (e.g. a delegate that panicked); nil discards them.
	Logger *slog.Logger
	// Observer, when set, receives every delegate call as a telemetry event and every
	// network request as a telemetry.Exchange (progress bars, traces, HAR). It must not
	// block: it runs on the sessions' delegate goroutines and the transfer goroutines.
	Observer telemetry.Observer
}

// Engine creates sessions and owns what they share.
type Engine struct {
	dir          string
	ownsDir      bool
	transport    http.RoundTripper
	cookies      CookieStorage
	ownJar       *cookiestore.Jar // the jar the engine opened (nil when given one)
	runners      *runnerPool
	creds        *credstore.Store // shared by default and background sessions
	lock         *datadir.Lock    // exclusive use of dir for the persistent stores
	fallback     error            // why the stores are in memory despite a DataDir
	cache        *httpcache.Cache // shared by default sessions; nil when disabled
	cacheEnabled bool
	logger       *slog.Logger
	observer     telemetry.Observer // nil: nothing is reported (observe.go)
	sessionSeq   atomic.Uint64      // names sessions without an identifier for telemetry

	mu       sync.Mutex
	sessions map[*Session]struct{}
	closed   bool

	// Background sessions (background.go): the journal, opened on first use.
	bgMu            sync.Mutex
	journal         *journal.Journal
	journalRecovery *journal.Recovery
	forgotten       []string                   // files of forgotten tasks, removed by Close
	bgOwned         map[string]map[uint64]bool // identifier -> journaled task ids this engine runs or ran
	bgWG            sync.WaitGroup             // progress checkpoint writers
	closing         atomic.Bool                // Close began: background downloads detach, not fail
}

// NewEngine prepares the data directory (mode 0700).
func NewEngine(opts EngineOptions) (*Engine, error) {
	e := &Engine{transport: opts.Transport, cookies: opts.Cookies, logger: opts.Logger, observer: opts.Observer,
		sessions: make(map[*Session]struct{}), runners: newRunnerPool()}
	if e.logger == nil {
		e.logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.DataDir == "" {
		dir, err := os.MkdirTemp("", "tirun-urlsession-*") // created 0700
		if err != nil {
			return nil, fmt.Errorf("urlsession: creating the engine's directory: %w", err)
		}
		e.dir, e.ownsDir = dir, true
	} else {
		e.dir = filepath.Join(opts.DataDir, "urlsession")
		if err := os.MkdirAll(e.dir, 0o700); err != nil {
			return nil, fmt.Errorf("urlsession: creating %s: %w", e.dir, err)
		}
	}
	// The persistent stores live apart from the (transient) session directories,
	// in a directory they need to themselves. Another engine (in this or another
	// process) holding it costs persistence, not the engine.
	persistIn := ""
	if !e.ownsDir {
		storeDir := filepath.Join(opts.DataDir, storesDirName)
		if err := os.MkdirAll(storeDir, 0o700); err != nil {
			return nil, fmt.Errorf("urlsession: creating %s: %w", storeDir, err)
		}
		lock, err := datadir.Acquire(storeDir)
		switch {
		case err == nil:
			e.lock, persistIn = lock, storeDir
		case errors.Is(err, datadir.ErrInUse):
			// Failing would stop a second `tirun run` of the same app; losing
			// persistence quietly would surprise. So: run, and say so loudly.
			e.fallback = err
			pid := 0
			var inUse *datadir.InUseError
			if errors.As(err, &inUse) {
				pid = inUse.PID
			}
			e.logger.Warn("urlsession: the data directory is in use by another process; "+
				"cookies, credentials and the HTTP cache of this run are kept in memory only and will not be saved",
				"dir", storeDir, "pid", pid)
		default:
			return nil, fmt.Errorf("urlsession: locking %s: %w", storeDir, err)
		}
	}
	if e.cookies == nil {
		jar, err := openSharedCookies(persistIn, e)
		if err != nil {
			e.releaseLock()
			return nil, err
		}
		e.cookies, e.ownJar = jar, jar
	}
	creds, err := openSharedCredentials(persistIn, e)
	if err != nil {
		if e.ownJar != nil {
			e.ownJar.Close()
		}
		e.releaseLock()
		return nil, err
	}
	e.creds = creds
	if !opts.DisableCache {
		e.cache = openSharedCache(e, persistIn, opts.DiskCache)
	}
	e.cacheEnabled = !opts.DisableCache
	if !e.ownsDir {
		e.removeStalePartials()
		e.removeDeadSessionDirs()
	}
	return e, nil
}

// Dir is the directory holding the sessions' directories.
func (e *Engine) Dir() string { return e.dir }

// StoresFallback tells why cookies, credentials and the cache are kept in memory
// although EngineOptions.DataDir was given: a *datadir.InUseError (errors.Is
// datadir.ErrInUse) naming the directory and the pid holding it. nil when they
// persist, or when no DataDir was given.
func (e *Engine) StoresFallback() error { return e.fallback }

// NewSession creates a session from a copy of cfg (zero durations and limits take
// their defaults). d receives the session's events and must not be nil.
func (e *Engine) NewSession(cfg Configuration, d Delegate) (*Session, error) {
	if d == nil {
		return nil, errors.New("urlsession: NewSession needs a non-nil delegate")
	}
	if cfg.Kind == KindBackground && cfg.Identifier == "" {
		return nil, errors.New("urlsession: a background configuration needs a non-empty identifier")
	}
	e.mu.Lock()
	closed := e.closed
	e.mu.Unlock()
	if closed { // checked again below; here so that nothing is opened for nothing
		return nil, errClosedEngine
	}
	cfg = cfg.clone().withDefaults()
	s := &Session{engine: e, cfg: cfg, delegate: d, live: make(map[uint64]*Task),
		hosts: newHostLimiter(cfg.HTTPMaximumConnectionsPerHost), plain: newPlainHeaders(cfg.HTTPAdditionalHeaders),
		wake: make(chan struct{}, 1), done: make(chan struct{})}
	switch cfg.Kind {
	case KindEphemeral:
		s.jar = cookiestore.NewMemory()
		s.creds, s.ownCreds = credstore.NewMemory(), true
		if e.cacheEnabled {
			if c, err := httpcache.Open(httpcache.Options{}); err == nil {
				s.cache, s.ownCache = c, true
			}
		}
	case KindBackground:
		s.jar, s.creds = e.cookies, e.creds // and no cache, as on Apple platforms
		if err := e.attachBackground(s); err != nil {
			return nil, err
		}
	default:
		s.jar, s.cache, s.creds = e.cookies, e.cache, e.creds
	}
	created := false
	defer func() {
		if !created { // give back what the session took: its own stores, claimed tasks
			s.abandon()
		}
	}()
	if e.transport != nil {
		s.transport = e.transport
	} else {
		tr, err := newTransport(cfg)
		if err != nil {
			return nil, err
		}
		s.transport, s.ownTransport = tr, tr
	}

	e.observe(s)

	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, errClosedEngine
	}
	dir, err := os.MkdirTemp(e.dir, dirPrefix(cfg)) // 0700
	if err != nil {
		return nil, fmt.Errorf("urlsession: creating the session directory: %w", err)
	}
	s.dir = dir
	e.sessions[s] = struct{}{}
	created = true
	go s.dispatch()
	return s, nil
}

var errClosedEngine = errors.New("urlsession: NewSession called on a closed engine")

// dirPrefix keeps only harmless characters of the identifier for a readable name.
func dirPrefix(cfg Configuration) string {
	name := cfg.Identifier
	if name == "" {
		name = cfg.Kind.String()
	}
	name = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-' {
			return r
		}
		return '_'
	}, name)
	if len(name) > 64 {
		name = name[:64]
	}
	return strings.TrimLeft(name, ".") + "-*"
}

func (e *Engine) forget(s *Session) {
	e.mu.Lock()
	delete(e.sessions, s)
	e.mu.Unlock()
}

// Close invalidates and cancels every session, waits until each delivered
// DidBecomeInvalid, and removes the engine's temporary directory. Idempotent. It
// must not be called from a delegate method (it waits for the delegate goroutines).
func (e *Engine) Close() error {
	e.closing.Store(true)
	e.mu.Lock()
	e.closed = true
	sessions := make([]*Session, 0, len(e.sessions))
	for s := range e.sessions {
		sessions = append(sessions, s)
	}
	e.mu.Unlock()
	for _, s := range sessions {
		s.InvalidateAndCancel()
	}
	for _, s := range sessions {
		<-s.done
	}
	e.runners.close()
	e.closeBackground()
	if c, ok := e.transport.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
	if e.cache != nil {
		e.cache.Close()
	}
	if e.creds != nil {
		e.creds.Close()
	}
	var jarErr error
	if e.ownJar != nil {
		jarErr = e.ownJar.Close() // writes persistent cookies, stops the autosave timer
	}
	if e.ownsDir {
		if err := os.RemoveAll(e.dir); err != nil {
			return fmt.Errorf("urlsession: removing %s: %w", e.dir, err)
		}
	}
	e.releaseLock()
	if jarErr != nil {
		return fmt.Errorf("urlsession: saving cookies: %w", jarErr)
	}
	return nil
}

func (e *Engine) releaseLock() {
	e.mu.Lock()
	l := e.lock
	e.lock = nil
	e.mu.Unlock()
	if l != nil {
		if err := l.Release(); err != nil {
			e.logger.Warn("urlsession: releasing the data directory lock", "err", err)
		}
	}
}

func sortTasks(ts []*Task) {
	slices.SortFunc(ts, func(a, b *Task) int { return cmp.Compare(a.id, b.id) })
}

// removeQuietly deletes a temporary file; a missing file is fine (it was moved).
func removeQuietly(path string) {
	if path != "" {
		_ = os.Remove(path)
	}
}
