package journal

import (
	"encoding/json"
	"errors"
	"sync"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/tirun/tirun/urlsession/datadir"
)

// Journal is an open journal. All methods are safe for concurrent use.
// Writes are group-committed (see committer): a method that writes returns
// once its change is committed and fsynced, except PutTask, MarkDelivered and
// RemoveTask, which return once the change is in the redo log (see
// RedoFileName).
type Journal struct {
	path      string
	db        *bolt.DB
	c         *committer
	lock      *datadir.Lock
	recovered *Recovery

	// mu orders Close after operations in flight (read-locked by each one).
	mu     sync.RWMutex
	closed bool
}

// Path is the journal file.
func (j *Journal) Path() string { return j.path }

// Recovered is non-nil when Open found the journal damaged, set it aside and
// started a fresh one; log Recovered().String() for the user.
func (j *Journal) Recovered() *Recovery { return j.recovered }

// Close closes the file and releases the directory. Extra calls are no-ops.
func (j *Journal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return nil
	}
	j.closed = true
	j.c.close() // commits what is queued
	err := guard(j.db.Close)
	if lerr := j.lock.Release(); err == nil {
		err = lerr
	}
	return errorf("Close", err)
}

// Sync waits until every change made so far is committed and fsynced,
// including those PutTask, MarkDelivered and RemoveTask only put in the redo
// log.
func (j *Journal) Sync() error {
	return j.run("Sync", j.c.sync)
}

// view runs f in a read transaction that sees every change made so far.
func (j *Journal) view(fn string, f func(tx *bolt.Tx) error) error {
	return j.run(fn, func() error {
		if j.c.pendingLogged() {
			if err := j.c.sync(); err != nil {
				return err
			}
		}
		return j.db.View(f)
	})
}

// peek runs f in a read transaction without waiting for logged changes to be
// committed: for checks that logged changes cannot make pass.
func (j *Journal) peek(fn string, f func(tx *bolt.Tx) error) error {
	return j.run(fn, func() error { return j.db.View(f) })
}

// update runs f in the next group commit and returns once it is fsynced. f
// may run more than once (on the same state) and must reset what it collects.
func (j *Journal) update(fn string, f func(tx *bolt.Tx) error) error {
	return j.run(fn, func() error { return j.c.commit(f) })
}

// logged records a change in the redo log and returns; the next group commit
// applies it.
func (j *Journal) logged(fn string, ch redoChange) error {
	payload, err := json.Marshal(ch)
	if err != nil {
		return errorf(fn, err)
	}
	return j.run(fn, func() error { return j.c.logged(ch.kind(), payload, ch.apply) })
}

func (j *Journal) run(fn string, op func() error) error {
	j.mu.RLock()
	defer j.mu.RUnlock()
	if j.closed {
		return errorf(fn, ErrClosed)
	}
	err := guard(op)
	if errors.Is(err, berrors.ErrDatabaseNotOpen) {
		err = ErrClosed
	}
	return errorf(fn, err)
}
