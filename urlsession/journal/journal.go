package journal

import (
	"errors"
	"sync"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/tirun/tirun/urlsession/datadir"
)

// Journal is an open journal. All methods are safe for concurrent use; each
// write is one transaction, fsynced before the method returns.
type Journal struct {
	path      string
	db        *bolt.DB
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
	err := guard(j.db.Close)
	if lerr := j.lock.Release(); err == nil {
		err = lerr
	}
	return errorf("Close", err)
}

// view runs f in a read transaction.
func (j *Journal) view(fn string, f func(tx *bolt.Tx) error) error {
	return j.run(fn, func() error { return j.db.View(f) })
}

// update runs f in a write transaction, committed and fsynced on return.
func (j *Journal) update(fn string, f func(tx *bolt.Tx) error) error {
	return j.run(fn, func() error { return j.db.Update(f) })
}

// batch is update for small idempotent writes that many goroutines make at
// once (progress of concurrent tasks): bbolt folds concurrent calls into one
// transaction and one fsync. f may run more than once.
func (j *Journal) batch(fn string, f func(tx *bolt.Tx) error) error {
	return j.run(fn, func() error { return j.db.Batch(f) })
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
