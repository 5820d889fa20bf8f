package urlsession

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"sync"

	"github.com/tirun/tirun/telemetry"
	"github.com/tirun/tirun/urlsession/credstore"
	"github.com/tirun/tirun/urlsession/httpcache"
)

// ErrSessionInvalidated is returned when a task is created after the session was
// invalidated.
var ErrSessionInvalidated = errors.New("urlsession: task created in a session that was already invalidated")

// Session owns a configuration copy, a connection pool, a directory for downloads and
// one delegate goroutine.
type Session struct {
	engine       *Engine
	cfg          Configuration
	delegate     Delegate
	dir          string
	transport    http.RoundTripper
	ownTransport *http.Transport // nil when the engine's shared transport is used
	jar          CookieStorage
	cache        *httpcache.Cache // nil: no caching (background sessions)
	creds        *credstore.Store // answers 401 challenges
	ownCreds     bool             // a private store, closed with the session
	ownCache     bool             // a private cache, closed with the session
	hosts        *hostLimiter
	plain        *plainHeaders      // nil when the configuration's headers are invalid
	bg           *bgSession         // background sessions only (background.go)
	observer     telemetry.Observer // the engine's, nil when nothing observes (observe.go)
	name         string             // how telemetry names the session (Name)

	mu             sync.Mutex // guards everything below
	nextID         uint64
	live           map[uint64]*Task
	invalidated    bool
	invalidQueued  bool
	queue          []event // pending delegate calls, in order
	dispatcherDone bool

	wake chan struct{}
	done chan struct{}
}

// Configuration returns a copy of the session's configuration (defaults filled in).
func (s *Session) Configuration() Configuration { return s.cfg.clone() }

// Identifier is the configuration's identifier.
func (s *Session) Identifier() string { return s.cfg.Identifier }

// Done is closed after DidBecomeInvalid returned and the session released its
// connections and directory.
func (s *Session) Done() <-chan struct{} { return s.done }

// DataTask creates a suspended data task: the body is kept in memory (Task.Body).
func (s *Session) DataTask(r Request) (*Task, error) { return s.newTask(KindDataTask, r, nil) }

// DownloadTask creates a suspended download task: the body goes to a temporary file
// handed to DidFinishDownloading.
func (s *Session) DownloadTask(r Request) (*Task, error) { return s.newTask(KindDownloadTask, r, nil) }

// UploadTask creates a suspended upload task from r.Body or r.BodyFile (streamed).
func (s *Session) UploadTask(r Request) (*Task, error) {
	if r.Body == nil && r.BodyFile == "" {
		return nil, errors.New("urlsession: UploadTask needs Request.Body or Request.BodyFile")
	}
	return s.newTask(KindUploadTask, r, nil)
}

// newTask registers a new task; init (may be nil) completes it before any other
// goroutine can see it.
func (s *Session) newTask(kind TaskKind, r Request, init func(t *Task)) (*Task, error) {
	if r.Body != nil && r.BodyFile != "" {
		return nil, errors.New("urlsession: Request.Body and Request.BodyFile are exclusive")
	}
	r.Header = append([]Header(nil), r.Header...)
	var bgID uint64 // a journaled download's id, reserved and recorded before the task exists
	// Resume-data tasks keep their file in the resume directory: not journaled.
	if s.bg != nil && kind == KindDownloadTask && init == nil {
		s.mu.Lock()
		if s.invalidated {
			s.mu.Unlock()
			return nil, ErrSessionInvalidated
		}
		s.nextID++
		bgID = s.nextID
		s.mu.Unlock()
		if err := s.journalNewTask(bgID, r); err != nil {
			return nil, fmt.Errorf("urlsession: recording a background task: %w", err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.invalidated {
		if bgID != 0 {
			_ = s.bg.j.RemoveTask(s.bg.id, bgID)
		}
		return nil, ErrSessionInvalidated
	}
	id := bgID
	if id == 0 {
		s.nextID++
		id = s.nextID
	}
	t := newTask(s, id, kind, r)
	t.bgJournaled = bgID != 0
	if init != nil {
		init(t)
	}
	s.live[t.id] = t
	return t, nil
}

// Tasks returns the tasks that have not completed, in creation order.
func (s *Session) Tasks() []*Task {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*Task, 0, len(s.live))
	for _, t := range s.live {
		out = append(out, t)
	}
	sortTasks(out)
	return out
}

func (s *Session) startTask(t *Task) {
	s.observeStart(t)
	s.engine.runners.start(t)
}

// taskFinished queues a task's final events, in order, and the session's
// invalidation when it was the last task of an invalidated session. One lock covers
// both so another task's completion cannot slip in after DidBecomeInvalid.
//
// before (may be nil) runs on the delegate goroutine just ahead of DidComplete: the
// CancelByProducingResumeData callback.
func (s *Session) taskFinished(t *Task, download string, err *URLError, before func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.live, t.id)
	if !t.progressQueued && (t.sent.Load() != 0 || (t.kind == KindDownloadTask && t.received.Load() != 0)) {
		t.progressQueued = true
		s.enqueueLocked(event{kind: evProgress, task: t}) // the final progress event
	}
	if download != "" {
		s.enqueueLocked(event{kind: evFinishDownload, task: t, path: download})
	}
	if before != nil {
		s.enqueueLocked(event{kind: evCall, fn: before})
	}
	s.enqueueLocked(event{kind: evComplete, task: t, err: err})
	s.maybeInvalidateLocked()
}

// taskDetached drops a background task left to the next process: no event follows.
func (s *Session) taskDetached(t *Task) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.live, t.id)
	s.maybeInvalidateLocked()
}

func (s *Session) maybeInvalidateLocked() {
	if s.invalidated && !s.invalidQueued && len(s.live) == 0 {
		s.invalidQueued = true
		s.enqueueLocked(event{kind: evInvalid})
	}
}

// FinishTasksAndInvalidate lets existing tasks finish, refuses new ones, and calls
// DidBecomeInvalid after the last completion. Tasks never resumed keep it waiting.
func (s *Session) FinishTasksAndInvalidate() {
	s.mu.Lock()
	s.invalidated = true
	s.maybeInvalidateLocked()
	s.mu.Unlock()
}

// InvalidateAndCancel cancels every unfinished task (each completes with
// CodeCancelled) and then invalidates the session.
func (s *Session) InvalidateAndCancel() {
	s.mu.Lock()
	s.invalidated = true
	tasks := make([]*Task, 0, len(s.live))
	for _, t := range s.live {
		tasks = append(tasks, t)
	}
	s.maybeInvalidateLocked()
	s.mu.Unlock()
	sortTasks(tasks)
	for _, t := range tasks {
		t.Cancel()
	}
}

// Reset closes idle connections and empties the session's cookie storage; done (may
// be nil) is called once, asynchronously, on the delegate goroutine.
func (s *Session) Reset(done func()) {
	s.closeIdle()
	if c, ok := s.jar.(StorageClearer); ok {
		if err := c.Clear(); err != nil {
			s.engine.logger.Warn("urlsession: clearing cookies failed", "err", err)
		}
	}
	if s.creds != nil {
		if err := s.creds.Reset(); err != nil {
			s.engine.logger.Warn("urlsession: clearing credentials failed", "err", err)
		}
	}
	if s.cache != nil {
		if err := s.cache.Reset(); err != nil {
			s.engine.logger.Warn("urlsession: clearing the HTTP cache failed", "err", err)
		}
	}
	s.flushStores()
	s.enqueue(event{kind: evCall, fn: done})
}

// Flush persists the stores that can be, and makes later requests use new
// connections; done (may be nil) is called once, asynchronously.
func (s *Session) Flush(done func()) {
	s.closeIdle()
	s.flushStores()
	s.enqueue(event{kind: evCall, fn: done})
}

func (s *Session) flushStores() {
	if s.creds != nil {
		if err := s.creds.Flush(); err != nil {
			s.engine.logger.Warn("urlsession: saving credentials failed", "err", err)
		}
	}
	if s.cache != nil {
		if err := s.cache.Flush(); err != nil {
			s.engine.logger.Warn("urlsession: flushing the HTTP cache failed", "err", err)
		}
	}
	if f, ok := s.jar.(StorageFlusher); ok {
		if err := f.Flush(); err != nil {
			s.engine.logger.Warn("urlsession: flushing cookies failed", "err", err)
		}
	}
}

func (s *Session) closeIdle() {
	if c, ok := s.transport.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// closeOwned closes what the session holds for itself alone.
func (s *Session) closeOwned() {
	if s.ownTransport != nil {
		s.ownTransport.CloseIdleConnections()
	}
	if s.ownCache {
		s.cache.Close()
	}
	if s.ownCreds {
		s.creds.Close()
	}
}

// abandon undoes a NewSession that fails after taking resources: its own stores and
// transport are closed and the journaled tasks it took over are given back, so that a
// later session with the same identifier recovers them.
func (s *Session) abandon() {
	s.closeOwned()
	if s.bg != nil {
		s.engine.disown(s.bg.id, s.bg.claimed)
	}
}

// release runs after DidBecomeInvalid: the pool and the directory go away.
func (s *Session) release() {
	s.closeOwned()
	if err := os.RemoveAll(s.dir); err != nil {
		s.engine.logger.Warn("urlsession: removing session directory failed", "dir", s.dir, "err", err)
	}
	s.engine.forget(s)
}
