package journal

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/tirun/tirun/urlsession/datadir"
)

// FileName is the journal's file inside the directory given to Open.
const FileName = "journal.db"

// lockTimeout bounds the wait for bbolt's own file lock. The directory lock
// taken first already keeps other runtimes out, so this only waits on tools
// that open the file directly; a busy journal must fail fast, not hang.
const lockTimeout = 100 * time.Millisecond

// Recovery describes a damaged journal that Open set aside.
type Recovery struct {
	Path    string // the journal file (now a fresh, empty journal)
	MovedTo string // where the damaged file was moved
	Reason  error  // what was wrong with it
}

func (r *Recovery) String() string {
	reason := r.Reason.Error()
	var d *damagedError
	if errors.As(r.Reason, &d) {
		reason = d.reason
	}
	return fmt.Sprintf("journal: %s was damaged (%s); moved it to %s and started a fresh journal (background tasks and undelivered events recorded there are lost)",
		r.Path, reason, r.MovedTo)
}

// Open opens (creating if needed) the journal in dir, which it owns: give it
// a directory of its own. It fails with an *InUseError when another Journal,
// in this or another process, has dir open, and with a *FormatError when a
// newer tirun wrote the file. A damaged file is renamed aside and a fresh
// journal started: Open then succeeds and Recovered says what happened.
func Open(dir string) (*Journal, error) {
	if dir == "" {
		return nil, errors.New("journal.Open: argument 'dir' must not be empty")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("journal.Open: %w", err)
	}
	path := filepath.Join(abs, FileName)
	lock, err := datadir.Acquire(abs)
	if err != nil {
		var busy *datadir.InUseError
		if errors.As(err, &busy) {
			return nil, &InUseError{Path: path, PID: busy.PID, err: err}
		}
		return nil, fmt.Errorf("journal.Open: %w", err)
	}
	j, err := openLocked(path)
	if err != nil {
		_ = lock.Release()
		return nil, err
	}
	j.lock = lock
	return j, nil
}

// openLocked opens path, setting it aside once if it is damaged, applies
// the redo log and starts the committer.
func openLocked(path string) (*Journal, error) {
	redoPath := filepath.Join(filepath.Dir(path), RedoFileName)
	db, err := openChecked(path)
	var recovered *Recovery
	if err != nil {
		if !errors.Is(err, ErrDamaged) {
			return nil, err
		}
		movedTo, moveErr := setAside(path)
		if moveErr != nil {
			return nil, fmt.Errorf("journal: %s is damaged (%v) and could not be moved aside: %w", path, err, moveErr)
		}
		// Its redo records belong to the damaged file: keep them beside it.
		if _, serr := os.Lstat(redoPath); serr == nil {
			if err := os.Rename(redoPath, movedTo+".redo"); err != nil {
				return nil, fmt.Errorf("journal: moving %s aside: %w", redoPath, err)
			}
		}
		db2, err2 := openChecked(path)
		if err2 != nil {
			return nil, fmt.Errorf("journal: %s was damaged and moved to %s, but a fresh journal could not be started: %w", path, movedTo, err2)
		}
		db, recovered = db2, &Recovery{Path: path, MovedTo: movedTo, Reason: err}
	}
	recs, err := readRedo(redoPath)
	var last uint64
	if err == nil {
		err = guard(func() error {
			var rerr error
			last, rerr = replayRedo(db, recs)
			return rerr
		})
	}
	var redo *redoLog
	if err == nil {
		redo, err = openRedo(redoPath)
	}
	if err != nil {
		closeQuietly(db)
		return nil, fmt.Errorf("journal: applying %s: %w", redoPath, err)
	}
	redo.reset() // everything in it is applied now
	return &Journal{path: path, db: db, c: newCommitter(db, redo, last), recovered: recovered}, nil
}

// openChecked validates an existing file read-only, then opens it for
// writing and makes sure the top-level buckets exist.
//
// Validating first, read-only, matters: a read-write bbolt Open loads the
// freelist at once, and if the file was truncated that page may lie past the
// end of the file, where touching the memory map raises SIGBUS. The read-only
// pass compares the file's size with the size its header describes before
// any such page is touched.
func openChecked(path string) (db *bolt.DB, err error) {
	fi, err := os.Stat(path)
	switch {
	case err == nil && fi.Size() > 0:
		if err := validateFile(path, fi.Size()); err != nil {
			return nil, err
		}
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("journal: %w", err)
	}
	err = guard(func() error {
		var oerr error
		db, oerr = bolt.Open(path, 0o600, &bolt.Options{Timeout: lockTimeout})
		if oerr != nil {
			return classifyOpenError(path, oerr)
		}
		fresh := false
		if err := db.View(func(tx *bolt.Tx) error { fresh = tx.Bucket(bucketMeta) == nil; return nil }); err != nil || !fresh {
			return err // a validated journal needs no write to open
		}
		return db.Update(initLayout)
	})
	if err != nil && db != nil {
		closeQuietly(db)
		db = nil
	}
	return db, err
}

// initLayout creates the top-level buckets of a new (or never initialised)
// file. A file that bbolt created but that was killed before this
// transaction committed has no buckets at all and counts as new.
func initLayout(tx *bolt.Tx) error {
	if tx.Bucket(bucketMeta) != nil {
		return nil // validated earlier
	}
	hasAny := false
	_ = tx.ForEach(func(name []byte, _ *bolt.Bucket) error { hasAny = true; return nil })
	if hasAny {
		return damaged("it is a bbolt database but not a tirun journal")
	}
	m, err := tx.CreateBucket(bucketMeta)
	if err != nil {
		return err
	}
	if err := m.Put(keyFormat, u64(formatVersion)); err != nil {
		return err
	}
	_, err = tx.CreateBucket(bucketSessions)
	return err
}

// validateFile opens path read-only and checks everything reachable: size,
// layout, every record, and bbolt's own page consistency check.
func validateFile(path string, size int64) error {
	var db *bolt.DB
	err := guard(func() error {
		var oerr error
		db, oerr = bolt.Open(path, 0o600, &bolt.Options{Timeout: lockTimeout, ReadOnly: true})
		if oerr != nil {
			return classifyOpenError(path, oerr)
		}
		return db.View(func(tx *bolt.Tx) error {
			if described := tx.Size(); described > size {
				return damaged("the file is %d bytes but its header describes %d (truncated)", size, described)
			}
			if err := validateLayout(path, tx); err != nil {
				return err
			}
			// Drain the whole channel: Check's goroutine blocks until read.
			var first error
			for cerr := range tx.Check() {
				if first == nil {
					first = damaged("consistency check: %v", cerr)
				}
			}
			return first
		})
	})
	if db != nil {
		closeQuietly(db)
	}
	return err
}

// validateLayout decodes every record so that damage is found now, at Open,
// rather than halfway through a later operation.
func validateLayout(path string, tx *bolt.Tx) error {
	if tx.Bucket(bucketMeta) == nil && tx.Bucket(bucketSessions) == nil {
		return nil // initLayout decides: new file or foreign database
	}
	v, err := formatOf(tx)
	if err != nil {
		return err
	}
	if v > formatVersion {
		return &FormatError{Path: path, Version: v}
	}
	if v == 0 {
		return damaged("format version 0")
	}
	return tx.Bucket(bucketSessions).ForEach(func(name, val []byte) error {
		if val != nil {
			return damaged("unexpected value %x among the sessions", name)
		}
		id := string(name)
		b, _, err := session(tx, id)
		if err != nil {
			return err
		}
		return validateSession(b, id)
	})
}

func validateSession(b sessionBuckets, id string) error {
	lastTask, lastSeq := b.tasks.Sequence(), b.events.Sequence()
	statuses := 0
	if err := b.tasks.ForEach(func(k, _ []byte) error {
		if _, part, ok := splitKey(k); ok && part == partStatus {
			statuses++
		}
		return nil
	}); err != nil {
		return err
	}
	tasks := 0
	err := forEachTask(b, id, func(r TaskRecord) error {
		tasks++
		if r.TaskID > lastTask {
			return damaged("task %d of session %q is above the session's id counter %d", r.TaskID, id, lastTask)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if statuses != tasks {
		return damaged("session %q has %d task records but %d status records", id, tasks, statuses)
	}
	events := 0
	err = forEachEvent(b, id, func(e EventRecord) error {
		events++
		if e.Seq > lastSeq {
			return damaged("event %d of session %q is above the session's event counter %d", e.Seq, id, lastSeq)
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Every delivery mark must belong to an event.
	return b.events.ForEach(func(k, _ []byte) error {
		seq, part, _ := splitKey(k)
		if part == partDelivered && b.events.Get(key(seq, partEvent)) == nil {
			return damaged("delivery mark for missing event %d of session %q", seq, id)
		}
		return nil
	})
}

// classifyOpenError tells contention and I/O trouble (reported as they are)
// from a file bbolt cannot make sense of (damage, set aside).
func classifyOpenError(path string, err error) error {
	var pathErr *fs.PathError
	var errno syscall.Errno
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return &InUseError{Path: path, err: err}
	case errors.As(err, &pathErr), errors.As(err, &errno):
		return fmt.Errorf("journal: open %s: %w", path, err)
	default: // ErrInvalid, ErrChecksum, ErrVersionMismatch, "file size too small", ...
		return damaged("%v", err)
	}
}

// guard runs f with faults on the memory map turned into panics, and any
// panic turned into a damage error: bbolt trusts the file's page ids and
// panics (or faults) on nonsense rather than returning an error.
func guard(f func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(error); ok && errors.Is(e, ErrDamaged) {
				err = e
				return
			}
			err = damaged("reading it failed: %v", r)
		}
	}()
	return f()
}

func closeQuietly(db *bolt.DB) {
	_ = guard(func() error { return db.Close() })
}

// setAside renames a damaged journal to <name>.corrupt-<UTC time> next to it,
// so that nothing is deleted and the user can inspect it.
func setAside(path string) (string, error) {
	stamp := time.Now().UTC().Format("20060102T150405.000000000Z")
	target := path + ".corrupt-" + stamp
	for i := 1; ; i++ {
		if _, err := os.Lstat(target); errors.Is(err, fs.ErrNotExist) {
			break
		}
		target = fmt.Sprintf("%s.corrupt-%s-%d", path, stamp, i)
	}
	if err := os.Rename(path, target); err != nil {
		return "", err
	}
	return target, datadir.SyncDir(filepath.Dir(path))
}
