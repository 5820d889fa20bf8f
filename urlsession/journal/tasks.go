package journal

import (
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// NextTaskID hands out the next task id of a session: 1, 2, 3, ... and
// never one already handed out, even across processes, Acknowledge and
// RemoveTask. The engine numbers a background session's tasks with it.
func (j *Journal) NextTaskID(sessionID string) (uint64, error) {
	const fn = "NextTaskID"
	if err := checkSessionID(fn, sessionID); err != nil {
		return 0, err
	}
	var id uint64
	err := j.update(fn, func(tx *bolt.Tx) error {
		b, err := createSession(tx, sessionID)
		if err != nil {
			return err
		}
		id, err = b.tasks.NextSequence()
		return err
	})
	return id, err
}

// PutTask records a task, replacing any record with the same ids. A zero
// State means StateRunning and a zero CreatedAt means now. A TaskID above
// the session's counter moves the counter up, so NextTaskID never repeats it.
//
// PutTask returns once the record is in the redo log (RedoFileName): it
// survives the process being killed from then on, and a power loss once the
// next group commit reaches the disk (Sync waits for that). Reads see it at
// once.
func (j *Journal) PutTask(rec TaskRecord) error {
	const fn = "PutTask"
	if rec.State == 0 {
		rec.State = StateRunning
	}
	if rec.CreatedAt.IsZero() {
		rec.CreatedAt = time.Now()
	}
	if err := rec.validate(); err != nil {
		return err
	}
	st, ss := splitTask(&rec)
	return j.logged(fn, &putPayload{Session: rec.SessionID, TaskID: rec.TaskID, Static: st, Status: ss})
}

func putTaskTx(tx *bolt.Tx, sessionID string, taskID uint64, st taskStatic, ss taskStatus) error {
	b, err := createSession(tx, sessionID)
	if err != nil {
		return err
	}
	if taskID > b.tasks.Sequence() {
		if err := b.tasks.SetSequence(taskID); err != nil {
			return err
		}
	}
	if err := putJSON(b.tasks, key(taskID, partStatic), st); err != nil {
		return err
	}
	return putJSON(b.tasks, key(taskID, partStatus), ss)
}

// UpdateProgress records how much of a running task's data is safely on disk
// and the validators it came with. Call it after fsyncing the partial file,
// not before: the journal must never claim bytes the file does not hold.
// Concurrent calls (several tasks) share one transaction and one fsync.
func (j *Journal) UpdateProgress(sessionID string, taskID uint64, p Progress) error {
	const fn = "UpdateProgress"
	if err := checkSessionID(fn, sessionID); err != nil {
		return err
	}
	if err := p.validate(fn); err != nil {
		return err
	}
	return j.update(fn, func(tx *bolt.Tx) error {
		b, ss, err := runningStatus(tx, sessionID, taskID)
		if err != nil {
			return err
		}
		ss.BytesReceived, ss.ExpectedLength, ss.ETag, ss.LastModified = p.BytesReceived, p.ExpectedLength, p.ETag, p.LastModified
		return putJSON(b.tasks, key(taskID, partStatus), ss)
	})
}

// CompleteTask marks a running task completed and appends its events, in
// one transaction: after a crash either both are recorded or neither. It
// returns the events with SessionID, TaskID and Seq filled in (Delivered is
// false). Completing a task twice fails with ErrTaskCompleted.
func (j *Journal) CompleteTask(sessionID string, taskID uint64, events []EventRecord) ([]EventRecord, error) {
	const fn = "CompleteTask"
	if err := checkSessionID(fn, sessionID); err != nil {
		return nil, err
	}
	for i, ev := range events {
		if ev.Name == "" {
			return nil, fmt.Errorf("journal.%s: argument 'events[%d].Name' must not be empty", fn, i)
		}
		if len(ev.Payload) > 0 && !json.Valid(ev.Payload) {
			return nil, fmt.Errorf("journal.%s: argument 'events[%d].Payload' must be valid JSON", fn, i)
		}
	}
	var out []EventRecord
	err := j.update(fn, func(tx *bolt.Tx) error {
		out = out[:0]
		b, ss, err := runningStatus(tx, sessionID, taskID)
		if err != nil {
			return err
		}
		ss.State = StateCompleted
		ss.Events = nil
		for _, ev := range events {
			seq, err := b.events.NextSequence()
			if err != nil {
				return err
			}
			if err := putJSON(b.events, key(seq, partEvent), eventBody{TaskID: taskID, Name: ev.Name, Payload: ev.Payload}); err != nil {
				return err
			}
			ss.Events = append(ss.Events, seq)
			out = append(out, EventRecord{SessionID: sessionID, TaskID: taskID, Seq: seq, Name: ev.Name, Payload: ev.Payload})
		}
		return putJSON(b.tasks, key(taskID, partStatus), ss)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// runningStatus loads the status of a task that must exist and be running.
func runningStatus(tx *bolt.Tx, sessionID string, taskID uint64) (sessionBuckets, taskStatus, error) {
	var ss taskStatus
	b, ok, err := session(tx, sessionID)
	if err != nil {
		return b, ss, err
	}
	found := false
	if ok {
		if found, err = getJSON(b.tasks, key(taskID, partStatus), &ss); err != nil {
			return b, ss, err
		}
	}
	if !found {
		return b, ss, fmt.Errorf("task %d of session %q: %w", taskID, sessionID, ErrUnknownTask)
	}
	if ss.State != StateRunning {
		return b, ss, fmt.Errorf("task %d of session %q: %w", taskID, sessionID, ErrTaskCompleted)
	}
	return b, ss, nil
}

// Task returns one task; found is false when the journal does not hold it.
func (j *Journal) Task(sessionID string, taskID uint64) (rec TaskRecord, found bool, err error) {
	const fn = "Task"
	if err := checkSessionID(fn, sessionID); err != nil {
		return rec, false, err
	}
	err = j.view(fn, func(tx *bolt.Tx) error {
		b, ok, err := session(tx, sessionID)
		if err != nil || !ok {
			return err
		}
		rec, found, err = readTask(b, sessionID, taskID)
		return err
	})
	return rec, found, err
}

// Tasks returns a session's tasks (running and completed-not-yet-forgotten)
// in id order.
func (j *Journal) Tasks(sessionID string) ([]TaskRecord, error) {
	const fn = "Tasks"
	if err := checkSessionID(fn, sessionID); err != nil {
		return nil, err
	}
	var out []TaskRecord
	err := j.view(fn, func(tx *bolt.Tx) error {
		out = out[:0]
		b, ok, err := session(tx, sessionID)
		if err != nil || !ok {
			return err
		}
		return forEachTask(b, sessionID, func(r TaskRecord) error {
			out = append(out, r)
			return nil
		})
	})
	return out, err
}

// RemoveTask forgets a task and all its events at once, delivered or not:
// for a task whose outcome no longer needs to reach a later process (it
// finished and was reported while the process was alive, or its session was
// cancelled). Removing an unknown task is not an error. Like PutTask, it
// returns once the change is in the redo log.
func (j *Journal) RemoveTask(sessionID string, taskID uint64) error {
	const fn = "RemoveTask"
	if err := checkSessionID(fn, sessionID); err != nil {
		return err
	}
	return j.logged(fn, &removePayload{Session: sessionID, TaskID: taskID})
}

func removeTaskTx(tx *bolt.Tx, sessionID string, taskID uint64) error {
	b, ok, err := session(tx, sessionID)
	if err != nil || !ok {
		return err
	}
	var ss taskStatus
	found, err := getJSON(b.tasks, key(taskID, partStatus), &ss)
	if err != nil {
		return err
	}
	if err := deleteTask(b, taskID); err != nil {
		return err
	}
	seqs := ss.Events
	if !found || (ss.State == StateCompleted && len(seqs) == 0) {
		// Unknown task, or completed before statuses listed their events: scan.
		err = forEachEvent(b, sessionID, func(e EventRecord) error {
			if e.TaskID == taskID {
				seqs = append(seqs, e.Seq)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	for _, seq := range seqs {
		if err := deleteEvent(b, seq); err != nil {
			return err
		}
	}
	return nil
}
