package journal

import (
	"encoding/json"
	"sort"

	bolt "go.etcd.io/bbolt"
)

// PendingSessions returns, sorted, the identifiers of sessions with work for
// this runtime: running tasks to resume, or events not yet acknowledged.
func (j *Journal) PendingSessions() ([]string, error) {
	var out []string
	err := j.view("PendingSessions", func(tx *bolt.Tx) error {
		out = out[:0]
		return tx.Bucket(bucketSessions).ForEach(func(name, _ []byte) error {
			id := string(name)
			sum, err := summarize(tx, id)
			if err != nil {
				return err
			}
			if sum.Pending() {
				out = append(out, id)
			}
			return nil
		})
	})
	sort.Strings(out) // bbolt orders by bytes already; make it explicit
	return out, err
}

// Summary counts a session's tasks and events. An unknown session has none.
func (j *Journal) Summary(sessionID string) (SessionSummary, error) {
	const fn = "Summary"
	var sum SessionSummary
	if err := checkSessionID(fn, sessionID); err != nil {
		return sum, err
	}
	err := j.view(fn, func(tx *bolt.Tx) error {
		var err error
		sum, err = summarize(tx, sessionID)
		return err
	})
	return sum, err
}

// summarize counts from keys and the small status records only, never
// decoding request bodies or event payloads.
func summarize(tx *bolt.Tx, id string) (SessionSummary, error) {
	var sum SessionSummary
	b, ok, err := session(tx, id)
	if err != nil || !ok {
		return sum, err
	}
	c := b.tasks.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if _, part, _ := splitKey(k); part != partStatus {
			continue
		}
		var ss taskStatus
		if err := json.Unmarshal(v, &ss); err != nil {
			return sum, damaged("task status %x of session %q does not decode: %v", k, id, err)
		}
		if ss.State == StateRunning {
			sum.Running++
		} else {
			sum.Completed++
		}
	}
	events, marks := 0, 0
	c = b.events.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		switch _, part, _ := splitKey(k); part {
		case partEvent:
			events++
		case partDelivered:
			marks++
		}
	}
	sum.Delivered, sum.Undelivered = marks, events-marks
	return sum, nil
}
