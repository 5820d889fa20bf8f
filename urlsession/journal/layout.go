package journal

import (
	"encoding/binary"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// File layout (format version 1):
//
//	meta/format                     8-byte big-endian format version
//	meta/redoApplied                8-byte seq of the last redo record applied
//	sessions/<identifier>/          one bucket per session, kept forever (it
//	                                holds the id counters, so ids never repeat)
//	    tasks/   (sequence = last task id handed out)
//	        <id:8>'q'  taskStatic JSON  written by PutTask only
//	        <id:8>'s'  taskStatus JSON  rewritten by UpdateProgress/CompleteTask
//	    events/  (sequence = last event seq handed out)
//	        <seq:8>'e' eventBody JSON
//	        <seq:8>'d' empty: the event was delivered
//
// Keys are big-endian so cursors walk in id order. Progress and delivery
// marks live under their own keys so the frequent small writes never rewrite
// a request body or an event payload.
const formatVersion = 1

var (
	bucketMeta     = []byte("meta")
	bucketSessions = []byte("sessions")
	bucketTasks    = []byte("tasks")
	bucketEvents   = []byte("events")
	keyFormat      = []byte("format")
	keyRedoApplied = []byte("redoApplied")
)

const (
	partStatic    = 'q'
	partStatus    = 's'
	partEvent     = 'e'
	partDelivered = 'd'
)

func key(id uint64, part byte) []byte {
	var k [9]byte
	binary.BigEndian.PutUint64(k[:8], id)
	k[8] = part
	return k[:]
}

// splitKey parses a task or event key; ok is false for anything else.
func splitKey(k []byte) (id uint64, part byte, ok bool) {
	if len(k) != 9 {
		return 0, 0, false
	}
	return binary.BigEndian.Uint64(k[:8]), k[8], true
}

func u64(v uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], v)
	return b[:]
}

// sessionBuckets are the two buckets of one session.
type sessionBuckets struct{ tasks, events *bolt.Bucket }

// session returns a session's buckets, or ok=false when the journal has never
// seen the session (read paths treat that as empty).
func session(tx *bolt.Tx, id string) (b sessionBuckets, ok bool, err error) {
	s := tx.Bucket(bucketSessions).Bucket([]byte(id))
	if s == nil {
		return sessionBuckets{}, false, nil
	}
	t, e := s.Bucket(bucketTasks), s.Bucket(bucketEvents)
	if t == nil || e == nil {
		// Validation at Open guarantees both; only late damage gets here.
		return sessionBuckets{}, false, damaged("session %q lacks its tasks or events bucket", id)
	}
	return sessionBuckets{t, e}, true, nil
}

// createSession returns a session's buckets, creating them on first use.
func createSession(tx *bolt.Tx, id string) (sessionBuckets, error) {
	s, err := tx.Bucket(bucketSessions).CreateBucketIfNotExists([]byte(id))
	if err != nil {
		return sessionBuckets{}, err
	}
	t, err := s.CreateBucketIfNotExists(bucketTasks)
	if err != nil {
		return sessionBuckets{}, err
	}
	e, err := s.CreateBucketIfNotExists(bucketEvents)
	if err != nil {
		return sessionBuckets{}, err
	}
	return sessionBuckets{t, e}, nil
}

func putJSON(b *bolt.Bucket, k []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(k, data)
}

// getJSON decodes the value at k; found is false when k is absent. A value
// that does not decode is damage (we only ever write what we can read).
func getJSON(b *bolt.Bucket, k []byte, v any) (found bool, err error) {
	data := b.Get(k)
	if data == nil {
		return false, nil
	}
	if err := json.Unmarshal(data, v); err != nil {
		return true, damaged("record %x does not decode: %v", k, err)
	}
	return true, nil
}

// readTask reads both halves of a task; found is false when it is absent.
func readTask(b sessionBuckets, sessionID string, id uint64) (rec TaskRecord, found bool, err error) {
	var st taskStatic
	var ss taskStatus
	found, err = getJSON(b.tasks, key(id, partStatic), &st)
	if err != nil || !found {
		return rec, found, err
	}
	ok, err := getJSON(b.tasks, key(id, partStatus), &ss)
	if err != nil {
		return rec, true, err
	}
	if !ok {
		return rec, true, damaged("task %d of session %q has no status record", id, sessionID)
	}
	return joinTask(sessionID, id, st, ss), true, nil
}

// forEachTask calls fn for every task in id order.
func forEachTask(b sessionBuckets, sessionID string, fn func(TaskRecord) error) error {
	c := b.tasks.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		id, part, ok := splitKey(k)
		if !ok {
			return damaged("unexpected key %x among the tasks of session %q", k, sessionID)
		}
		if part != partStatic {
			continue
		}
		rec, _, err := readTask(b, sessionID, id)
		if err != nil {
			return err
		}
		if err := fn(rec); err != nil {
			return err
		}
	}
	return nil
}

// forEachEvent calls fn for every event in seq order.
func forEachEvent(b sessionBuckets, sessionID string, fn func(EventRecord) error) error {
	c := b.events.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		seq, part, ok := splitKey(k)
		if !ok {
			return damaged("unexpected key %x among the events of session %q", k, sessionID)
		}
		switch part {
		case partDelivered:
			continue // read with its event
		case partEvent:
		default:
			return damaged("unexpected key %x among the events of session %q", k, sessionID)
		}
		var body eventBody
		if err := json.Unmarshal(v, &body); err != nil {
			return damaged("event %d of session %q does not decode: %v", seq, sessionID, err)
		}
		ev := EventRecord{SessionID: sessionID, TaskID: body.TaskID, Seq: seq, Name: body.Name,
			Payload: body.Payload, Delivered: b.events.Get(key(seq, partDelivered)) != nil}
		if err := fn(ev); err != nil {
			return err
		}
	}
	return nil
}

// deleteTask removes a task's records (both halves).
func deleteTask(b sessionBuckets, id uint64) error {
	if err := b.tasks.Delete(key(id, partStatic)); err != nil {
		return err
	}
	return b.tasks.Delete(key(id, partStatus))
}

// deleteEvent removes an event and its delivery mark.
func deleteEvent(b sessionBuckets, seq uint64) error {
	if err := b.events.Delete(key(seq, partEvent)); err != nil {
		return err
	}
	return b.events.Delete(key(seq, partDelivered))
}

func formatOf(tx *bolt.Tx) (uint64, error) {
	m := tx.Bucket(bucketMeta)
	if m == nil || tx.Bucket(bucketSessions) == nil {
		return 0, damaged("the meta or sessions bucket is missing")
	}
	v := m.Get(keyFormat)
	if len(v) != 8 {
		return 0, damaged("the format version record is malformed")
	}
	return binary.BigEndian.Uint64(v), nil
}

func errorf(fn string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("journal.%s: %w", fn, err)
}
