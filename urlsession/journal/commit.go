package journal

import (
	"sync"

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
type committer struct {
	db *bolt.DB

	mu      sync.Mutex
	wake    *sync.Cond // queue got work, or closing
	queue   []*write
	closing bool
	stopped chan struct{}

	redo    *redoLog // once unusable (a torn write), its append fails and logged commits instead
	nextSeq uint64   // seq of the next redo record
	doneSeq uint64   // every redo record up to this one is committed (or refused)
	keepLog bool     // a commit of logged changes failed: the next Open must apply them
}

// write is one queued change. seq > 0 marks a change that is already in the
// redo log (its caller did not wait); fn == nil is a barrier that only waits
// for everything queued before it.
type write struct {
	fn   func(tx *bolt.Tx) error
	seq  uint64
	done chan error // nil when nobody waits
}

func newCommitter(db *bolt.DB, redo *redoLog, lastSeq uint64) *committer {
	c := &committer{db: db, redo: redo, nextSeq: lastSeq + 1, doneSeq: lastSeq, stopped: make(chan struct{})}
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
			c.finish(batch, err, err == nil)
			return
		}
		// Run the writes before the failing one again (same state, same result)
		// and commit them; the failing one keeps its error and is done with: a
		// logged change the journal refuses (a mark for an event removed since,
		// say) would be refused again by the next Open.
		if failed > 0 {
			_, _, err := c.tryCommit(batch[:failed])
			c.finish(batch[:failed], err, err == nil)
		}
		c.finish(batch[failed:failed+1], werr, true)
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

// finish reports the outcome to the waiting callers and, once every logged
// change is done with, empties the redo log. done is false when the commit
// failed: logged changes then stay in the redo log for the next Open.
func (c *committer) finish(ws []*write, err error, done bool) {
	var lastSeq uint64
	for _, w := range ws {
		lastSeq = max(lastSeq, w.seq)
	}
	if lastSeq > 0 {
		c.settleRedo(lastSeq, done)
	}
	// Waiters hear last: when Sync returns, the redo log is already settled.
	for _, w := range ws {
		if w.done != nil {
			w.done <- err
		}
	}
}

// settleRedo records that the logged changes up to lastSeq are done with (or, when
// done is false, must stay for the next Open) and empties the log once none is left.
func (c *committer) settleRedo(lastSeq uint64, done bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !done {
		c.keepLog = true
		return
	}
	c.doneSeq = max(c.doneSeq, lastSeq)
	if c.doneSeq+1 == c.nextSeq && !c.keepLog {
		c.redo.reset()
	}
}
