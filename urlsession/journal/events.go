package journal

import (
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// PendingEvents returns a session's events not yet delivered, in seq order:
// what the runtime must deliver next.
func (j *Journal) PendingEvents(sessionID string) ([]EventRecord, error) {
	return j.events("PendingEvents", sessionID, false)
}

// Events returns all of a session's events not yet acknowledged, delivered
// or not, in seq order.
func (j *Journal) Events(sessionID string) ([]EventRecord, error) {
	return j.events("Events", sessionID, true)
}

func (j *Journal) events(fn, sessionID string, withDelivered bool) ([]EventRecord, error) {
	if err := checkSessionID(fn, sessionID); err != nil {
		return nil, err
	}
	var out []EventRecord
	err := j.view(fn, func(tx *bolt.Tx) error {
		out = out[:0]
		b, ok, err := session(tx, sessionID)
		if err != nil || !ok {
			return err
		}
		return forEachEvent(b, sessionID, func(e EventRecord) error {
			if withDelivered || !e.Delivered {
				out = append(out, e)
			}
			return nil
		})
	})
	return out, err
}

// MarkDelivered records that events were delivered (their listeners ran
// without throwing). They stay in the journal until Acknowledge. Marking an
// event twice is harmless; an unknown seq fails with ErrUnknownEvent and
// marks nothing. Like PutTask, it returns once the mark is in the redo log.
func (j *Journal) MarkDelivered(sessionID string, seqs ...uint64) error {
	const fn = "MarkDelivered"
	if err := checkSessionID(fn, sessionID); err != nil {
		return err
	}
	if len(seqs) == 0 {
		return nil
	}
	seqs = append([]uint64(nil), seqs...)
	// Check now, so that the caller hears of an unknown seq, without waiting for
	// logged changes (events are only created by CompleteTask, which commits
	// before it returns); the logged change checks again when it is applied.
	err := j.peek(fn, func(tx *bolt.Tx) error {
		_, err := checkEvents(tx, sessionID, seqs)
		return err
	})
	if err != nil {
		return err
	}
	return j.logged(fn, &deliveredPayload{Session: sessionID, Seqs: seqs})
}

// checkEvents fails with ErrUnknownEvent unless every seq is an event of the
// session, and returns the session's buckets.
func checkEvents(tx *bolt.Tx, sessionID string, seqs []uint64) (sessionBuckets, error) {
	b, ok, err := session(tx, sessionID)
	if err != nil {
		return b, err
	}
	for _, seq := range seqs {
		if !ok || b.events.Get(key(seq, partEvent)) == nil {
			return b, fmt.Errorf("event %d of session %q: %w", seq, sessionID, ErrUnknownEvent)
		}
	}
	return b, nil
}

// markDeliveredTx checks every seq before it writes, so a refusal changes nothing.
func markDeliveredTx(tx *bolt.Tx, sessionID string, seqs []uint64) error {
	b, err := checkEvents(tx, sessionID, seqs)
	if err != nil {
		return err
	}
	for _, seq := range seqs {
		if err := b.events.Put(key(seq, partDelivered), []byte{}); err != nil {
			return err
		}
	}
	return nil
}

// ResetDelivery makes every unacknowledged event of a session undelivered
// again and returns how many it changed. A runtime calls it when it takes
// over a session from a process that ended between delivering events and
// the app acknowledging them, so that they are delivered again rather than
// lost (delivery is at least once).
func (j *Journal) ResetDelivery(sessionID string) (int, error) {
	const fn = "ResetDelivery"
	if err := checkSessionID(fn, sessionID); err != nil {
		return 0, err
	}
	n := 0
	err := j.update(fn, func(tx *bolt.Tx) error {
		n = 0
		b, ok, err := session(tx, sessionID)
		if err != nil || !ok {
			return err
		}
		var marks [][]byte
		c := b.events.Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			if _, part, _ := splitKey(k); part == partDelivered {
				marks = append(marks, append([]byte(nil), k...))
			}
		}
		for _, k := range marks {
			if err := b.events.Delete(k); err != nil {
				return err
			}
		}
		n = len(marks)
		return nil
	})
	return n, err
}

// AckResult says what Acknowledge forgot.
type AckResult struct {
	Events int // delivered events removed
	Tasks  int // completed tasks removed (none of their events remained)
}

// Acknowledge forgets a session's delivered events, then every completed
// task none of whose events remain. Undelivered events, their tasks and
// running tasks stay. This is the app's acknowledgement
// (Ti.App.iOS.endBackgroundHandler): until it, delivered events survive a
// crash.
func (j *Journal) Acknowledge(sessionID string) (AckResult, error) {
	const fn = "Acknowledge"
	var res AckResult
	if err := checkSessionID(fn, sessionID); err != nil {
		return res, err
	}
	err := j.update(fn, func(tx *bolt.Tx) error {
		res = AckResult{}
		b, ok, err := session(tx, sessionID)
		if err != nil || !ok {
			return err
		}
		var gone []uint64
		keep := map[uint64]bool{} // tasks that still have events
		err = forEachEvent(b, sessionID, func(e EventRecord) error {
			if e.Delivered {
				gone = append(gone, e.Seq)
			} else {
				keep[e.TaskID] = true
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, seq := range gone {
			if err := deleteEvent(b, seq); err != nil {
				return err
			}
		}
		res.Events = len(gone)
		var done []uint64
		err = forEachTask(b, sessionID, func(r TaskRecord) error {
			if r.State == StateCompleted && !keep[r.TaskID] {
				done = append(done, r.TaskID)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, id := range done {
			if err := deleteTask(b, id); err != nil {
				return err
			}
		}
		res.Tasks = len(done)
		return nil
	})
	return res, err
}
