package journal

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
)

// committer is the journal's only writer: a goroutine that commits every
// queued write in one bbolt transaction and one fsync ("group commit").
//
// Written here rather than using bbolt's Batch because Batch waits a fixed
// delay (10 ms by default) before every commit so that calls can gather,
// which slows an isolated write down and still gives one caller at a time
// one fsync each. The committer commits at once when idle; whatever arrives
// while a commit is on the disk goes into the next one, so under load many
// writers share each fsync and an idle journal adds no delay.
//
// Writes run in the order they were queued. A write that fails (an unknown
// task, say) leaves the others alone: the writes before it are committed,
// it gets its error, the writes after it go on (so a write's function may
// run more than once, on the same state; it must reset what it collects).
//
// When a commit itself fails (the disk, not a write), the callers waiting
// for it get the error, but logged changes, whose callers were already told
// they are done, go back to the head of the queue and are tried again after
// a growing pause. Nothing may be committed past them meanwhile: each commit
// records the highest redo seq it applied, and Open replays only what comes
// after that. If the journal closes while commits still fail, they stay in
// the redo log for the next Open.
type committer struct {
	db *bolt.DB

	mu      sync.Mutex
	wake    *sync.Cond // queue got work, or closing
	queue   []*write
	closing bool
	quit    chan struct{} // closed by close: ends a retry pause
	stopped chan struct{}
	pause   time.Duration // before the next attempt after failed commits; 0 when healthy

	redo    *redoLog // once unusable (a torn write), its append fails and logged commits instead
	nextSeq uint64   // seq of the next redo record
	doneSeq uint64   // every redo record up to this one is committed (or refused)

	failNext atomic.Int32 // tests only: so many coming commits fail
}

// write is one queued change. seq > 0 marks a change that is already in the
// redo log (its caller did not wait); fn == nil is a barrier that only waits
// for everything queued before it.
type write struct {
	fn   func(tx *bolt.Tx) error
	seq  uint64
	done chan error // nil when nobody waits
}

var errInjectedFailure = errors.New("journal: commit failed (injected by a test)")

func newCommitter(db *bolt.DB, redo *redoLog, lastSeq uint64) *committer {
	c := &committer{db: db, redo: redo, nextSeq: lastSeq + 1, doneSeq: lastSeq,
		quit: make(chan struct{}), stopped: make(chan struct{})}
	c.wake = sync.NewCond(&c.mu)
	go c.run()
	return c
}

// commit queues fn and waits until it is committed and fsynced.
func (c *committer) commit(fn func(tx *bolt.Tx) error) error {
	w := &write{fn: fn, done: make(chan error, 1)}
	c.mu.Lock()
	c.queue = append(c.queue, w)
	c.wake.Signal()
	c.mu.Unlock()
	return <-w.done
}

// logged records a change in the redo log and queues fn without waiting for
// the commit: the change survives the process dying once this returns, and a
// power loss once the next group commit is on the disk. When the redo log
// cannot take the record, it falls back to waiting for the commit.
func (c *committer) logged(kind byte, payload []byte, fn func(tx *bolt.Tx) error) error {
	c.mu.Lock()
	seq := c.nextSeq
	if err := c.redo.append(seq, kind, payload); err == nil {
		c.nextSeq++
		c.queue = append(c.queue, &write{fn: fn, seq: seq})
		c.wake.Signal()
		c.mu.Unlock()
		return nil
	}
	c.mu.Unlock()
	return c.commit(fn)
}

// pendingLogged reports whether some logged change is not committed yet.
func (c *committer) pendingLogged() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.doneSeq+1 < c.nextSeq
}

// sync waits until everything queued so far is committed.
func (c *committer) sync() error { return c.commit(nil) }

// close commits what is queued and stops the goroutine.
func (c *committer) close() {
	c.mu.Lock()
	c.closing = true
	c.wake.Signal()
	c.mu.Unlock()
	close(c.quit)
	<-c.stopped
	c.redo.close()
}

func (c *committer) run() {
	defer close(c.stopped)
	for {
		c.mu.Lock()
		for len(c.queue) == 0 && !c.closing {
			c.wake.Wait()
		}
		if pause := c.pause; pause > 0 && !c.closing {
			c.mu.Unlock()
			select { // what arrives meanwhile joins the next attempt
			case <-time.After(pause):
			case <-c.quit:
			}
			c.mu.Lock()
		}
		batch := c.queue
		c.queue = nil
		c.mu.Unlock()
		if len(batch) == 0 {
			return // closing, nothing left
		}
		c.apply(batch)
	}
}

// apply commits a batch, isolating writes that fail.
func (c *committer) apply(batch []*write) {
	for len(batch) > 0 {
		failed, werr, err := c.tryCommit(batch)
		if failed < 0 {
			if err != nil {
				c.commitFailed(batch, err)
				return
			}
			c.finish(batch, nil)
			return
		}
		// Run the writes before the failing one again (same state, same result)
		// and commit them; the failing one keeps its error and is done with: a
		// logged change the journal refuses (a mark for an event removed since,
		// say) would be refused again by the next Open.
		if failed > 0 {
			if _, _, err := c.tryCommit(batch[:failed]); err != nil {
				c.commitFailed(batch, err)
				return
			}
			c.finish(batch[:failed], nil)
		}
		c.finish(batch[failed:failed+1], werr)
		batch = batch[failed+1:]
	}
}

// tryCommit runs the batch in one transaction. When a write fails, the
// transaction is rolled back and failed is its index (werr its error);
// otherwise failed is -1 and err is the commit's outcome.
func (c *committer) tryCommit(batch []*write) (failed int, werr, err error) {
	failed = -1
	var lastSeq uint64
	any := false
	for _, w := range batch {
		any = any || w.fn != nil
		lastSeq = max(lastSeq, w.seq)
	}
	if !any {
		return -1, nil, nil // barriers only
	}
	if c.failNext.Load() > 0 && c.failNext.Add(-1) >= 0 {
		return -1, nil, errInjectedFailure
	}
	err = guard(func() error {
		return c.db.Update(func(tx *bolt.Tx) error {
			for i, w := range batch {
				if w.fn == nil {
					continue
				}
				if e := w.fn(tx); e != nil {
					failed, werr = i, e
					return e
				}
			}
			if lastSeq > 0 {
				return tx.Bucket(bucketMeta).Put(keyRedoApplied, u64(lastSeq))
			}
			return nil
		})
	})
	if failed >= 0 {
		return failed, werr, nil
	}
	return -1, nil, err
}

// finish reports the outcome of writes that are done with (committed, or
// refused by the journal) and, once every logged change is, empties the redo log.
func (c *committer) finish(ws []*write, err error) {
	var lastSeq uint64
	for _, w := range ws {
		lastSeq = max(lastSeq, w.seq)
	}
	c.mu.Lock()
	c.pause = 0
	if lastSeq > 0 {
		c.doneSeq = max(c.doneSeq, lastSeq)
		if c.doneSeq+1 == c.nextSeq {
			c.redo.reset()
		}
	}
	c.mu.Unlock()
	// Waiters hear last: when Sync returns, the redo log is already settled.
	for _, w := range ws {
		if w.done != nil {
			w.done <- err
		}
	}
}

// commitFailed handles writes whose commit failed: waiters get err; logged
// changes are tried again first thing, after a pause, or, once the journal
// is closing, left in the redo log for the next Open.
func (c *committer) commitFailed(ws []*write, err error) {
	var again []*write
	for _, w := range ws {
		if w.seq > 0 {
			again = append(again, w)
		} else if w.done != nil {
			w.done <- err
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closing {
		return
	}
	c.queue = append(again, c.queue...)
	c.pause = min(max(2*c.pause, 10*time.Millisecond), time.Second)
}
