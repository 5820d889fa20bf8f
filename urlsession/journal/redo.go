package journal

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"

	bolt "go.etcd.io/bbolt"
)

// RedoFileName is the redo log next to FileName in the journal's directory.
//
// Why a redo log: PutTask, MarkDelivered and RemoveTask are called one at a
// time on hot paths (a script creating downloads in a loop, the event loop
// delivering events, a delegate forgetting finished tasks), where group commit cannot fold anything and a durable bbolt
// commit costs a device flush each (0.3 ms idle, over 1 ms while downloads
// are writing). Instead they append one checksummed record to this file with
// a single write(2) — once that returns, the change survives the process
// being killed — and the committer applies it to bbolt with the next group
// commit, which makes it survive a power loss too. Each commit stores the
// seq of the last record it applied (meta/redoApplied), so Open applies
// exactly the records after it and a record is never applied twice. The
// file is emptied whenever every record in it has been committed.
const RedoFileName = "journal.redo"

const (
	redoPut       = 'p'
	redoDelivered = 'd'
	redoRemove    = 'r'

	redoHeader = 4 + 4 + 8 + 1 // length, crc32c, seq, kind
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// redoLog is the open redo log; the committer's mutex guards it.
type redoLog struct {
	path string
	f    *os.File
	size int64
}

func openRedo(path string) (*redoLog, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	return &redoLog{path: path, f: f, size: st.Size()}, nil
}

// append writes one record with one write(2). A short write is cut off again
// so that the records after it stay readable.
func (r *redoLog) append(seq uint64, kind byte, payload []byte) error {
	buf := make([]byte, redoHeader+len(payload))
	binary.BigEndian.PutUint32(buf[0:4], uint32(len(buf)-8))
	binary.BigEndian.PutUint64(buf[8:16], seq)
	buf[16] = kind
	copy(buf[redoHeader:], payload)
	binary.BigEndian.PutUint32(buf[4:8], crc32.Checksum(buf[8:], crcTable))
	n, err := r.f.Write(buf)
	if err == nil {
		r.size += int64(n)
		return nil
	}
	if n > 0 && r.f.Truncate(r.size) != nil {
		// A torn record we cannot remove would hide every later one: stop using the log.
		r.f.Close()
		r.f = nil
	}
	return err
}

// reset empties the log; every record in it is committed. It needs no fsync:
// records that come back after a power loss are at or below redoApplied.
func (r *redoLog) reset() {
	if r.f != nil && r.size > 0 && r.f.Truncate(0) == nil {
		r.size = 0
	}
}

// close closes the log and removes it when it is empty, as it is after a
// clean Close.
func (r *redoLog) close() {
	if r.f == nil {
		return
	}
	r.f.Close()
	r.f = nil
	if r.size == 0 {
		_ = os.Remove(r.path)
	}
}

type redoRecord struct {
	seq     uint64
	kind    byte
	payload []byte
}

// readRedo returns the whole records of a redo log in order. It stops at the
// first torn or damaged record: a kill during a write leaves at most one,
// at the end, and its caller had not been told it was recorded.
func readRedo(path string) ([]redoRecord, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("journal: reading %s: %w", path, err)
	}
	var out []redoRecord
	for len(data) >= redoHeader {
		n := int(binary.BigEndian.Uint32(data[0:4]))
		if n < redoHeader-8 || n > len(data)-8 || crc32.Checksum(data[8:8+n], crcTable) != binary.BigEndian.Uint32(data[4:8]) {
			break
		}
		out = append(out, redoRecord{seq: binary.BigEndian.Uint64(data[8:16]), kind: data[16], payload: data[redoHeader : 8+n]})
		data = data[8+n:]
	}
	return out, nil
}

// redoChange is one change PutTask, MarkDelivered or RemoveTask logs: its
// record kind, its JSON payload (the value itself) and what applying it does,
// so that the caller and a replay after a kill share one definition.
type redoChange interface {
	kind() byte
	apply(tx *bolt.Tx) error
}

type putPayload struct {
	Session string     `json:"s"`
	TaskID  uint64     `json:"t"`
	Static  taskStatic `json:"q"`
	Status  taskStatus `json:"st"`
}

type removePayload struct {
	Session string `json:"s"`
	TaskID  uint64 `json:"t"`
}

type deliveredPayload struct {
	Session string   `json:"s"`
	Seqs    []uint64 `json:"e"`
}

func (*putPayload) kind() byte       { return redoPut }
func (*removePayload) kind() byte    { return redoRemove }
func (*deliveredPayload) kind() byte { return redoDelivered }

func (p *putPayload) apply(tx *bolt.Tx) error {
	return putTaskTx(tx, p.Session, p.TaskID, p.Static, p.Status)
}

func (p *removePayload) apply(tx *bolt.Tx) error { return removeTaskTx(tx, p.Session, p.TaskID) }

func (p *deliveredPayload) apply(tx *bolt.Tx) error {
	return markDeliveredTx(tx, p.Session, p.Seqs)
}

// applyRedo applies one record in tx.
func applyRedo(tx *bolt.Tx, r redoRecord) error {
	var ch redoChange
	switch r.kind {
	case redoPut:
		ch = &putPayload{}
	case redoDelivered:
		ch = &deliveredPayload{}
	case redoRemove:
		ch = &removePayload{}
	default:
		return fmt.Errorf("%w: record kind %q", errRefused, r.kind)
	}
	if err := json.Unmarshal(r.payload, ch); err != nil {
		return fmt.Errorf("%w: %v", errRefused, err)
	}
	return ch.apply(tx)
}

// errRefused marks a redo record that cannot apply (skipped, not an error).
var errRefused = errors.New("redo record refused")

// replayRedo applies the records after meta/redoApplied in one transaction
// and returns the highest seq the log or the journal has seen. Records the
// journal refuses (a mark for an event acknowledged since) are skipped.
func replayRedo(db *bolt.DB, recs []redoRecord) (last uint64, err error) {
	err = db.Update(func(tx *bolt.Tx) error {
		applied := redoApplied(tx)
		last = applied
		for _, r := range recs {
			last = max(last, r.seq)
			if r.seq <= applied {
				continue
			}
			if err := applyRedo(tx, r); err != nil {
				if errors.Is(err, errRefused) || errors.Is(err, ErrUnknownEvent) || errors.Is(err, ErrUnknownTask) {
					continue
				}
				return err
			}
		}
		if last > applied {
			return tx.Bucket(bucketMeta).Put(keyRedoApplied, u64(last))
		}
		return nil
	})
	return last, err
}

func redoApplied(tx *bolt.Tx) uint64 {
	if v := tx.Bucket(bucketMeta).Get(keyRedoApplied); len(v) == 8 {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}
