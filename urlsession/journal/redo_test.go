package journal

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// runRedoWriter puts tasks and marks events delivered as fast as it can, so
// that at any moment some of what it reported as done is only in the redo
// log. "ok put N" follows PutTask, "ok deliv N" MarkDelivered, "ok rm N"
// RemoveTask.
func runRedoWriter(dir string, out *os.File) int {
	j, say, check := helperWriter(dir, out)
	if j == nil {
		return 1
	}
	for {
		id, err := j.NextTaskID(crashSession)
		check(err)
		for k := uint64(0); k < 50; k++ { // a burst of creations, as a script makes them
			check(j.PutTask(sampleTask(crashSession, id+k)))
			say("ok put %d", id+k)
		}
		evs, err := j.CompleteTask(crashSession, id, []EventRecord{{Name: "sessioncompleted", Payload: []byte(`{}`)}})
		check(err)
		check(j.MarkDelivered(crashSession, evs[0].Seq))
		say("ok deliv %d", id)
		check(j.RemoveTask(crashSession, id+1))
		say("ok rm %d", id+1)
		// Leave the ids of this burst to it alone.
		for {
			next, err := j.NextTaskID(crashSession)
			check(err)
			if next > id+50 {
				break
			}
		}
	}
}

func TestRedoLogKeepsWhatWasReportedThroughAKill(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "journal")
	puts, delivs, removed := map[uint64]bool{}, map[uint64]bool{}, map[uint64]bool{}
	pendingRounds := 0
	for round := range 8 {
		lines := runHelperAndKill(t, "redo:"+dir, time.Duration(10+rand.IntN(150))*time.Millisecond)
		for _, line := range lines {
			f := strings.Fields(line)
			if len(f) != 3 || f[0] != "ok" {
				t.Fatalf("round %d: helper said %q", round, line)
			}
			id, _ := strconv.ParseUint(f[2], 10, 64)
			switch f[1] {
			case "put":
				puts[id] = true
			case "deliv":
				delivs[id] = true
			default:
				removed[id] = true
			}
		}
		if recs, err := readRedo(filepath.Join(dir, RedoFileName)); err != nil {
			t.Fatal(err)
		} else if len(recs) > 0 {
			pendingRounds++
		}
		j, err := Open(dir)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		tasks, err := j.Tasks(crashSession)
		if err != nil {
			t.Fatal(err)
		}
		have := map[uint64]bool{}
		for _, r := range tasks {
			have[r.TaskID] = true
		}
		for id := range puts {
			if removed[id] {
				if have[id] {
					t.Fatalf("round %d: task %d was reported removed but is back after the kill", round, id)
				}
			} else if !have[id] {
				t.Fatalf("round %d: task %d was reported put but is gone after the kill", round, id)
			}
		}
		evs, err := j.Events(crashSession)
		if err != nil {
			t.Fatal(err)
		}
		delivered := map[uint64]bool{}
		for _, e := range evs {
			if e.Delivered {
				delivered[e.TaskID] = true
			}
		}
		for id := range delivs {
			if !delivered[id] {
				t.Fatalf("round %d: the event of task %d was reported delivered but is not marked after the kill", round, id)
			}
		}
		if err := j.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(dir, RedoFileName)); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("round %d: a clean Close left the redo log behind (%v)", round, err)
		}
	}
	t.Logf("%d tasks, %d delivery marks over 8 kills; %d kills left records only in the redo log", len(puts), len(delivs), pendingRounds)
	if pendingRounds == 0 {
		t.Fatal("no kill left anything in the redo log: the test did not exercise replay")
	}
}

// writeRedo writes records as the committer would.
func writeRedo(t *testing.T, dir string, recs ...redoRecord) []byte {
	t.Helper()
	path := filepath.Join(dir, RedoFileName)
	r, err := openRedo(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs {
		if err := r.append(rec.seq, rec.kind, rec.payload); err != nil {
			t.Fatal(err)
		}
	}
	r.f.Close()
	data, _ := os.ReadFile(path)
	return data
}

func putRecord(t *testing.T, seq uint64, rec TaskRecord) redoRecord {
	t.Helper()
	st, ss := splitTask(&rec)
	if ss.State == 0 {
		ss.State = StateRunning
	}
	p, err := json.Marshal(putPayload{Session: rec.SessionID, TaskID: rec.TaskID, Static: st, Status: ss})
	if err != nil {
		t.Fatal(err)
	}
	return redoRecord{seq: seq, kind: redoPut, payload: p}
}

// openWithRedo puts data in dir's redo log, opens the journal (which applies
// it) and returns it with session "s"'s tasks.
func openWithRedo(t *testing.T, dir string, data []byte) (*Journal, []TaskRecord) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, RedoFileName), data, 0o600); err != nil {
		t.Fatal(err)
	}
	j := openT(t, dir)
	tasks, err := j.Tasks("s")
	if err != nil {
		t.Fatal(err)
	}
	return j, tasks
}

func TestReplayAppliesOnlyRecordsAfterTheLastCommit(t *testing.T) {
	dir := t.TempDir()
	j, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	// Task 1 is put (redo seq 1), committed, then removed (seq 2).
	if err := j.PutTask(sampleTask("s", 1)); err != nil {
		t.Fatal(err)
	}
	if err := j.RemoveTask("s", 1); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	// A power loss may bring back a redo log that was emptied: its record for
	// task 1 is at or below the applied seq and must not bring the task back.
	// Task 2's record is new; then a torn record, as a kill mid-write leaves.
	data := writeRedo(t, dir, putRecord(t, 1, sampleTask("s", 1)), putRecord(t, 3, sampleTask("s", 2)),
		redoRecord{seq: 4, kind: redoDelivered, payload: []byte(`{"s":"s","e":[99]}`)}, // an unknown event: skipped
		putRecord(t, 5, sampleTask("s", 4)))
	j, tasks := openWithRedo(t, dir, data[:len(data)-5])
	if len(tasks) != 1 || tasks[0].TaskID != 2 {
		t.Fatalf("after replay the journal holds %+v; want task 2 only", tasks)
	}
	want := sampleTask("s", 2)
	want.State = StateRunning
	sameTask(t, tasks[0], want)
	if got, _ := os.ReadFile(filepath.Join(dir, RedoFileName)); len(got) != 0 {
		t.Fatalf("the redo log holds %d bytes after Open applied it", len(got))
	}
	if id, err := j.NextTaskID("s"); err != nil || id != 3 {
		t.Fatalf("NextTaskID after replay = %d, %v; want 3", id, err)
	}
}

func TestDamagedRedoRecordEndsTheLog(t *testing.T) {
	dir := t.TempDir()
	j, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	j.Close()
	data := writeRedo(t, dir, putRecord(t, 1, sampleTask("s", 1)), putRecord(t, 2, sampleTask("s", 2)))
	// Flip a byte inside the second record's payload: its checksum fails.
	data[len(data)-10] ^= 0xff
	_, tasks := openWithRedo(t, dir, data)
	if len(tasks) != 1 || tasks[0].TaskID != 1 {
		t.Fatalf("journal holds %+v; want task 1 only", tasks)
	}
}

func TestReadsSeeLoggedWritesAtOnce(t *testing.T) {
	j := openT(t, t.TempDir())
	if err := j.PutTask(sampleTask("s", 7)); err != nil {
		t.Fatal(err)
	}
	if _, found, err := j.Task("s", 7); err != nil || !found {
		t.Fatalf("Task right after PutTask: found=%v err=%v", found, err)
	}
	evs, err := j.CompleteTask("s", 7, []EventRecord{{Name: "a"}, {Name: "b"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := j.MarkDelivered("s", evs[0].Seq); err != nil {
		t.Fatal(err)
	}
	pending, err := j.PendingEvents("s")
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 1 || pending[0].Name != "b" {
		t.Fatalf("PendingEvents right after MarkDelivered: %+v", pending)
	}
	if err := j.MarkDelivered("s", evs[1].Seq, 12345); !errors.Is(err, ErrUnknownEvent) {
		t.Fatalf("MarkDelivered of an unknown seq: %v", err)
	}
	if err := j.Sync(); err != nil {
		t.Fatal(err)
	}
	if pending, _ := j.PendingEvents("s"); len(pending) != 1 {
		t.Fatalf("a refused MarkDelivered marked something: %+v", pending)
	}
}

func TestConcurrentWritesShareCommits(t *testing.T) {
	j := openT(t, t.TempDir())
	const tasks, each = 32, 20
	for id := uint64(1); id <= tasks; id++ {
		if err := j.PutTask(sampleTask("s", id)); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.Sync(); err != nil {
		t.Fatal(err)
	}
	before := j.commitCount(t)
	var wg sync.WaitGroup
	for id := uint64(1); id <= tasks; id++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := int64(1); n <= each; n++ {
				if err := j.UpdateProgress("s", id, Progress{BytesReceived: n, ExpectedLength: -1}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	commits := j.commitCount(t) - before
	t.Logf("%d concurrent writes in %d commits", tasks*each, commits)
	if commits >= tasks*each/2 {
		t.Fatalf("%d writes took %d commits: concurrent writes were not folded", tasks*each, commits)
	}
	for id := uint64(1); id <= tasks; id++ {
		if r, _, _ := j.Task("s", id); r.BytesReceived != each {
			t.Fatalf("task %d: %d bytes recorded, want %d", id, r.BytesReceived, each)
		}
	}
}

func TestFailingWriteLeavesItsBatchAlone(t *testing.T) {
	j := openT(t, t.TempDir())
	for id := uint64(1); id <= 3; id++ {
		if err := j.PutTask(sampleTask("s", id)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := j.CompleteTask("s", 2, nil); err != nil {
		t.Fatal(err)
	}
	// Many writers at once, some of them refused (task 2 is completed): the
	// others must all land.
	var wg sync.WaitGroup
	var mu sync.Mutex
	refused := 0
	for i := range 60 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := uint64(i%3 + 1)
			err := j.UpdateProgress("s", id, Progress{BytesReceived: int64(100 + i), ExpectedLength: -1})
			if id == 2 {
				if !errors.Is(err, ErrTaskCompleted) {
					t.Errorf("progress of completed task 2: %v", err)
				}
				mu.Lock()
				refused++
				mu.Unlock()
			} else if err != nil {
				t.Errorf("progress of task %d: %v", id, err)
			}
		}()
	}
	wg.Wait()
	for _, id := range []uint64{1, 3} {
		if r, _, _ := j.Task("s", id); r.BytesReceived < 100 {
			t.Fatalf("task %d lost its progress: %+v", id, r)
		}
	}
	if refused != 20 {
		t.Fatalf("%d refusals, want 20", refused)
	}
}

func TestCloseCommitsLoggedWrites(t *testing.T) {
	dir := t.TempDir()
	j, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for id := uint64(1); id <= 200; id++ {
		if err := j.PutTask(sampleTask("s", id)); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, RedoFileName)); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Close left the redo log: %v", err)
	}
	// bbolt alone (no redo log) holds all 200.
	j = openT(t, dir)
	if tasks, _ := j.Tasks("s"); len(tasks) != 200 {
		t.Fatalf("%d tasks after Close and Open, want 200", len(tasks))
	}
	if err := j.PutTask(sampleTask("s", 201)); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(filepath.Join(dir, RedoFileName))
	if err := j.Sync(); err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, RedoFileName))
	if len(after) != 0 || (len(data) != 0 && !bytes.Contains(data, []byte("/file/201"))) {
		t.Fatalf("redo log before Sync %q, after %q", data, after)
	}
}

// commitCount is the number of write transactions committed to the file:
// bbolt's transaction id, which every committed write transaction (and only
// those) advances.
func (j *Journal) commitCount(t *testing.T) int {
	t.Helper()
	var id int
	if err := j.db.View(func(tx *bolt.Tx) error { id = tx.ID(); return nil }); err != nil {
		t.Fatal(err)
	}
	return id
}

// One caller writing in a loop (a script creating downloads, the event loop
// marking deliveries) must not wait for a commit per call: the commits fold.
func TestLoggedWritesDoNotWaitForCommits(t *testing.T) {
	j := openT(t, t.TempDir())
	const n = 200
	var seqs []uint64
	for id := uint64(1); id <= n; id++ {
		if err := j.PutTask(sampleTask("s", id)); err != nil {
			t.Fatal(err)
		}
	}
	for id := uint64(1); id <= n; id++ {
		evs, err := j.CompleteTask("s", id, []EventRecord{{Name: "a"}, {Name: "b"}})
		if err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, evs[0].Seq, evs[1].Seq)
	}
	before := j.commitCount(t)
	for _, seq := range seqs { // back to back, as downloadcompleted then sessioncompleted
		if err := j.MarkDelivered("s", seq); err != nil {
			t.Fatal(err)
		}
	}
	for id := uint64(1); id <= n; id += 2 {
		if err := j.RemoveTask("s", id); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.Sync(); err != nil {
		t.Fatal(err)
	}
	calls := len(seqs) + n/2
	commits := j.commitCount(t) - before
	t.Logf("%d sequential logged writes in %d commits", calls, commits)
	if commits > calls*3/4 {
		t.Fatalf("%d sequential logged writes took %d commits: callers waited for commits", calls, commits)
	}
	if pending, _ := j.PendingEvents("s"); len(pending) != 0 {
		t.Fatalf("%d events still undelivered", len(pending))
	}
	if tasks, _ := j.Tasks("s"); len(tasks) != n/2 {
		t.Fatalf("%d tasks left, want %d", len(tasks), n/2)
	}
}

// A commit that fails (the disk, not a write) must not lose the logged
// changes its callers were told are done: they are tried again, nothing is
// committed past them meanwhile, and if the journal closes before a commit
// succeeds, the next Open applies them from the redo log.
func TestLoggedWritesSurviveFailedCommits(t *testing.T) {
	dir := t.TempDir()
	j := openT(t, dir)
	j.c.failNext.Store(3)
	if err := j.PutTask(sampleTask("s", 1)); err != nil {
		t.Fatal(err)
	}
	if err := j.PutTask(sampleTask("s", 2)); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for j.Sync() != nil { // the failing attempts report their error to Sync
		if time.Now().After(deadline) {
			t.Fatal("logged writes never committed after the failures ended")
		}
		time.Sleep(5 * time.Millisecond)
	}
	for id := uint64(1); id <= 2; id++ {
		if _, found, err := j.Task("s", id); err != nil || !found {
			t.Fatalf("task %d after failed commits: found=%v err=%v", id, found, err)
		}
	}
	if data, _ := os.ReadFile(filepath.Join(dir, RedoFileName)); len(data) != 0 {
		t.Fatalf("the redo log was not emptied once everything committed: %d bytes", len(data))
	}

	// Commits that still fail when the journal closes leave the changes to the next Open.
	j.c.failNext.Store(1 << 30)
	if err := j.PutTask(sampleTask("s", 3)); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	j2 := openT(t, dir)
	for id := uint64(1); id <= 3; id++ {
		if _, found, err := j2.Task("s", id); err != nil || !found {
			t.Fatalf("task %d after Close with failing commits and Open: found=%v err=%v", id, found, err)
		}
	}
}
