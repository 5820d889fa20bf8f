package urlsession

import (
	"errors"
	"os"
	"sync"
	"time"

	"github.com/tirun/tirun/urlsession/journal"
)

// checkpointInterval spaces a background download's progress records: a crash loses at
// most about this much transfer, and the journal's commits (one fsync, shared by the
// tasks that checkpoint at the same time) stay rare.
const checkpointInterval = time.Second

// checkpointer records a journaled download's progress off the transfer goroutine.
// The transfer fsyncs its file and offers the byte count; a goroutine of its own
// writes the latest offer to the journal, so a slow disk never stalls the transfer
// and offers made meanwhile collapse into one write.
type checkpointer struct {
	s    *Session
	id   uint64
	last time.Time // transfer goroutine only; set by begin

	mu      sync.Mutex
	pending *journal.Progress
	running bool
}

func newCheckpointer(s *Session, t *Task) *checkpointer {
	return &checkpointer{s: s, id: t.id}
}

// begin starts the interval when the body starts arriving, not when the task was
// started: a task that waited for a connection longer than the interval would
// otherwise fsync and journal its first chunk.
func (c *checkpointer) begin() {
	if c != nil {
		c.last = time.Now()
	}
}

// due is asked by the transfer after each write.
func (c *checkpointer) due() bool {
	if c == nil {
		return false
	}
	now := time.Now()
	if now.Sub(c.last) < checkpointInterval {
		return false
	}
	c.last = now
	return true
}

// save syncs f (the journal must never claim bytes the file does not hold), then
// queues the progress. info describes the file; nil means it cannot be resumed.
func (c *checkpointer) save(f *os.File, info *resumeInfo) {
	if info == nil || info.BytesReceived <= 0 || info.validator() == "" {
		return
	}
	if err := f.Sync(); err != nil {
		return
	}
	p := info.progress()
	c.mu.Lock()
	c.pending = &p
	start := !c.running
	c.running = true
	c.mu.Unlock()
	if start {
		e := c.s.engine
		e.bgWG.Add(1)
		go c.write()
	}
}

// progress is what the journal keeps of a partial file to continue it.
func (ri *resumeInfo) progress() journal.Progress {
	return journal.Progress{BytesReceived: ri.BytesReceived, ExpectedLength: ri.ExpectedLength,
		ETag: ri.ETag, LastModified: ri.LastModified}
}

func (c *checkpointer) write() {
	defer c.s.engine.bgWG.Done()
	bg := c.s.bg
	for {
		c.mu.Lock()
		p := c.pending
		c.pending = nil
		if p == nil {
			c.running = false
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
		err := bg.j.UpdateProgress(bg.id, c.id, *p)
		if err != nil && !errors.Is(err, journal.ErrTaskCompleted) && !errors.Is(err, journal.ErrUnknownTask) {
			c.s.engine.logger.Warn("urlsession: checkpointing a background download failed", "task", c.id, "err", err)
		}
	}
}
