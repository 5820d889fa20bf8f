package journal

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func openT(t *testing.T, dir string) *Journal {
	t.Helper()
	j, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if rec := j.Recovered(); rec != nil {
		t.Fatalf("unexpected recovery: %v", rec)
	}
	t.Cleanup(func() { j.Close() })
	return j
}

func sampleTask(session string, id uint64) TaskRecord {
	return TaskRecord{
		SessionID: session, TaskID: id, Kind: KindDownload,
		Request: Request{URL: fmt.Sprintf("http://127.0.0.1:8080/file/%d", id), Method: "GET",
			Header: []Header{{"X-App", "demo"}, {"x-app", "second"}, {"If-None-Match", `"v1"`}}},
		PartialPath: "/data/partial/" + fmt.Sprint(id), ExpectedLength: 1 << 20,
		CreatedAt: time.Date(2026, 11, 25, 8, 0, 0, 123456789, time.UTC),
		Extra:     json.RawMessage(`{"timeout":60}`),
	}
}

// sameTask compares records, times by instant (the JSON round trip changes
// the Location, not the moment).
func sameTask(t *testing.T, got, want TaskRecord) {
	t.Helper()
	if !got.CreatedAt.Equal(want.CreatedAt) {
		t.Fatalf("CreatedAt %v, want %v", got.CreatedAt, want.CreatedAt)
	}
	got.CreatedAt, want.CreatedAt = time.Time{}, time.Time{}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("task\n got %+v\nwant %+v", got, want)
	}
}

func TestTaskRoundTripAndProgress(t *testing.T) {
	j := openT(t, t.TempDir())
	want := sampleTask("s", 1)
	want.State = StateRunning
	if err := j.PutTask(want); err != nil {
		t.Fatal(err)
	}
	got, found, err := j.Task("s", 1)
	if err != nil || !found {
		t.Fatalf("Task: %v found=%v", err, found)
	}
	sameTask(t, got, want)

	p := Progress{BytesReceived: 4096, ExpectedLength: 1 << 20, ETag: `"abc"`, LastModified: "Wed, 25 Nov 2026 08:00:00 GMT"}
	if err := j.UpdateProgress("s", 1, p); err != nil {
		t.Fatal(err)
	}
	want.BytesReceived, want.ETag, want.LastModified = p.BytesReceived, p.ETag, p.LastModified
	got, _, _ = j.Task("s", 1)
	sameTask(t, got, want) // the request half is untouched by progress

	// An upload with an inline body; a zero State and CreatedAt get defaults.
	up := TaskRecord{SessionID: "s", TaskID: 2, Kind: KindUpload,
		Request: Request{URL: "http://127.0.0.1/up", Method: "POST", Body: []byte{0, 1, 2, 255}}, ExpectedLength: -1}
	before := time.Now()
	if err := j.PutTask(up); err != nil {
		t.Fatal(err)
	}
	tasks, err := j.Tasks("s")
	if err != nil || len(tasks) != 2 || tasks[0].TaskID != 1 || tasks[1].TaskID != 2 {
		t.Fatalf("Tasks: %v %+v", err, tasks)
	}
	if u := tasks[1]; u.State != StateRunning || u.CreatedAt.Before(before.Add(-time.Second)) ||
		!reflect.DeepEqual(u.Request.Body, up.Request.Body) || u.ExpectedLength != -1 || u.Kind != KindUpload {
		t.Fatalf("upload came back as %+v", u)
	}
	if _, found, err := j.Task("s", 99); found || err != nil {
		t.Fatalf("unknown task: found=%v err=%v", found, err)
	}
	if tasks, err := j.Tasks("never-seen"); err != nil || len(tasks) != 0 {
		t.Fatalf("unknown session: %v %v", tasks, err)
	}
}

func TestCompleteDeliverAcknowledge(t *testing.T) {
	j := openT(t, t.TempDir())
	const s = "com.test.s1"
	for id := uint64(1); id <= 2; id++ {
		if err := j.PutTask(sampleTask(s, id)); err != nil {
			t.Fatal(err)
		}
	}
	evs, err := j.CompleteTask(s, 1, []EventRecord{
		{Name: "downloadcompleted", Payload: json.RawMessage(`{"path":"/tmp/x"}`)},
		{Name: "sessioncompleted", Payload: json.RawMessage(`{"success":true,"statusCode":200}`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 || evs[0].Seq != 1 || evs[1].Seq != 2 || evs[0].TaskID != 1 || evs[1].SessionID != s {
		t.Fatalf("CompleteTask returned %+v", evs)
	}
	task, _, _ := j.Task(s, 1)
	if task.State != StateCompleted {
		t.Fatalf("state %v after CompleteTask", task.State)
	}
	if sum, _ := j.Summary(s); sum != (SessionSummary{Running: 1, Completed: 1, Undelivered: 2}) {
		t.Fatalf("summary %+v", sum)
	}
	pending, err := j.PendingEvents(s)
	if err != nil || !reflect.DeepEqual(pending, evs) {
		t.Fatalf("PendingEvents %+v, %v; want %+v", pending, err, evs)
	}

	// The first listener ran, the second threw: only seq 1 is delivered.
	if err := j.MarkDelivered(s, 1); err != nil {
		t.Fatal(err)
	}
	if err := j.MarkDelivered(s, 1); err != nil {
		t.Fatalf("marking twice must be harmless: %v", err)
	}
	pending, _ = j.PendingEvents(s)
	if len(pending) != 1 || pending[0].Seq != 2 {
		t.Fatalf("pending after one delivery: %+v", pending)
	}
	res, err := j.Acknowledge(s)
	if err != nil || res != (AckResult{Events: 1, Tasks: 0}) {
		t.Fatalf("first Acknowledge: %+v %v (the task still has an undelivered event)", res, err)
	}
	if all, _ := j.Events(s); len(all) != 1 || all[0].Seq != 2 || all[0].Delivered {
		t.Fatalf("events after ack: %+v", all)
	}

	if err := j.MarkDelivered(s, 2); err != nil {
		t.Fatal(err)
	}
	if sess, _ := j.PendingSessions(); !reflect.DeepEqual(sess, []string{s}) {
		t.Fatalf("delivered but unacknowledged events must keep the session pending: %v", sess)
	}
	res, err = j.Acknowledge(s)
	if err != nil || res != (AckResult{Events: 1, Tasks: 1}) {
		t.Fatalf("second Acknowledge: %+v %v", res, err)
	}
	if _, found, _ := j.Task(s, 1); found {
		t.Fatal("acknowledged task 1 is still journaled")
	}
	if _, found, _ := j.Task(s, 2); !found {
		t.Fatal("running task 2 was forgotten by Acknowledge")
	}
	if sum, _ := j.Summary(s); sum != (SessionSummary{Running: 1}) {
		t.Fatalf("summary %+v", sum)
	}

	// A task completed with no events is not pending work; Acknowledge drops it.
	if _, err := j.CompleteTask(s, 2, nil); err != nil {
		t.Fatal(err)
	}
	if sess, _ := j.PendingSessions(); len(sess) != 0 {
		t.Fatalf("nothing is pending, got %v", sess)
	}
	if res, _ := j.Acknowledge(s); res != (AckResult{Tasks: 1}) {
		t.Fatalf("Acknowledge of an event-less task: %+v", res)
	}
}

func TestResetDeliveryAndRemoveTask(t *testing.T) {
	j := openT(t, t.TempDir())
	const s = "s"
	for id := uint64(1); id <= 2; id++ {
		j.PutTask(sampleTask(s, id))
		if _, err := j.CompleteTask(s, id, []EventRecord{{Name: "a"}, {Name: "b"}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.MarkDelivered(s, 1, 2, 3); err != nil {
		t.Fatal(err)
	}
	n, err := j.ResetDelivery(s)
	if err != nil || n != 3 {
		t.Fatalf("ResetDelivery: %d %v", n, err)
	}
	if pending, _ := j.PendingEvents(s); len(pending) != 4 {
		t.Fatalf("after reset all 4 events are pending again, got %+v", pending)
	}
	if err := j.RemoveTask(s, 1); err != nil {
		t.Fatal(err)
	}
	if err := j.RemoveTask(s, 1); err != nil {
		t.Fatalf("removing twice: %v", err)
	}
	events, _ := j.Events(s)
	if len(events) != 2 || events[0].TaskID != 2 || events[0].Seq != 3 {
		t.Fatalf("events after RemoveTask(1): %+v", events)
	}
	if _, found, _ := j.Task(s, 1); found {
		t.Fatal("task 1 survived RemoveTask")
	}
}

func TestIDsNeverRepeatAcrossReopen(t *testing.T) {
	dir := t.TempDir()
	j := openT(t, dir)
	for want := uint64(1); want <= 3; want++ {
		if id, err := j.NextTaskID("a"); err != nil || id != want {
			t.Fatalf("NextTaskID = %d, %v; want %d", id, err, want)
		}
	}
	if id, _ := j.NextTaskID("b"); id != 1 {
		t.Fatalf("sessions count separately; b got %d", id)
	}
	// A task put with an id above the counter moves the counter.
	if err := j.PutTask(sampleTask("a", 10)); err != nil {
		t.Fatal(err)
	}
	evs, _ := j.CompleteTask("a", 10, []EventRecord{{Name: "sessioncompleted"}})
	j.MarkDelivered("a", evs[0].Seq)
	j.Acknowledge("a") // forgets task 10 and event 1: neither number may come back
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}

	j = openT(t, dir)
	if id, _ := j.NextTaskID("a"); id != 11 {
		t.Fatalf("after reopen NextTaskID(a) = %d, want 11", id)
	}
	j.PutTask(sampleTask("a", 11))
	evs, err := j.CompleteTask("a", 11, []EventRecord{{Name: "sessioncompleted"}})
	if err != nil || evs[0].Seq != 2 {
		t.Fatalf("event seq after reopen: %+v %v, want 2", evs, err)
	}
}

func TestSurvivesCloseAndReopen(t *testing.T) {
	dir := t.TempDir()
	j := openT(t, dir)
	odd := []string{"com.test.s1", "a/b\\c:*?", "..", "ünï cødé \x00 nul", strings.Repeat("x", maxSessionID)}
	for i, s := range odd {
		if err := j.PutTask(sampleTask(s, uint64(i+1))); err != nil {
			t.Fatalf("session %q: %v", s, err)
		}
	}
	j.CompleteTask(odd[1], 2, []EventRecord{{Name: "sessioncompleted", Payload: json.RawMessage(`{"x":"ü"}`)}})
	j.Close()

	j = openT(t, dir)
	for i, s := range odd {
		want := sampleTask(s, uint64(i+1))
		want.State = StateRunning
		if i == 1 {
			want.State = StateCompleted
		}
		got, found, err := j.Task(s, uint64(i+1))
		if err != nil || !found {
			t.Fatalf("session %q after reopen: %v found=%v", s, err, found)
		}
		sameTask(t, got, want)
	}
	events, _ := j.PendingEvents(odd[1])
	if len(events) != 1 || string(events[0].Payload) != `{"x":"ü"}` {
		t.Fatalf("event after reopen: %+v", events)
	}
	sessions, _ := j.PendingSessions()
	if len(sessions) != len(odd) {
		t.Fatalf("PendingSessions %q", sessions)
	}
}

func TestArgumentAndStateErrors(t *testing.T) {
	j := openT(t, t.TempDir())
	good := sampleTask("s", 1)
	cases := []struct {
		mutate func(*TaskRecord)
		want   string
	}{
		{func(r *TaskRecord) { r.SessionID = "" }, "journal.PutTask: argument 'sessionID' must not be empty"},
		{func(r *TaskRecord) { r.SessionID = strings.Repeat("x", maxSessionID+1) }, "argument 'sessionID' is 4097 bytes"},
		{func(r *TaskRecord) { r.TaskID = 0 }, "argument 'TaskID' must not be 0"},
		{func(r *TaskRecord) { r.Kind = 9 }, "argument 'Kind' must be"},
		{func(r *TaskRecord) { r.State = 7 }, "argument 'State' must be"},
		{func(r *TaskRecord) { r.Request.URL = "" }, "argument 'Request.URL' must not be empty"},
		{func(r *TaskRecord) { r.Request.Body = []byte("x"); r.Request.BodyFile = "/f" }, "are exclusive"},
		{func(r *TaskRecord) { r.Request.Body = make([]byte, MaxInlineBody+1) }, "use Request.BodyFile"},
		{func(r *TaskRecord) { r.Extra = json.RawMessage("{") }, "argument 'Extra' must be valid JSON"},
		{func(r *TaskRecord) { r.BytesReceived = -1 }, "argument 'BytesReceived' must not be negative"},
		{func(r *TaskRecord) { r.ExpectedLength = -2 }, "argument 'ExpectedLength' must be -1"},
	}
	for _, c := range cases {
		r := good
		c.mutate(&r)
		if err := j.PutTask(r); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("PutTask: got %v, want %q", err, c.want)
		}
	}
	if tasks, _ := j.Tasks("s"); len(tasks) != 0 {
		t.Fatalf("invalid records were stored: %+v", tasks)
	}

	if err := j.UpdateProgress("s", 1, Progress{}); !errors.Is(err, ErrUnknownTask) {
		t.Fatalf("progress of an unknown task: %v", err)
	}
	if _, err := j.CompleteTask("s", 1, nil); !errors.Is(err, ErrUnknownTask) {
		t.Fatalf("completing an unknown task: %v", err)
	}
	j.PutTask(good)
	if _, err := j.CompleteTask("s", 1, []EventRecord{{Name: ""}}); err == nil || !strings.Contains(err.Error(), "argument 'events[0].Name'") {
		t.Fatalf("unnamed event: %v", err)
	}
	if _, err := j.CompleteTask("s", 1, []EventRecord{{Name: "x", Payload: []byte("nope")}}); err == nil || !strings.Contains(err.Error(), "events[0].Payload") {
		t.Fatalf("bad payload: %v", err)
	}
	if _, err := j.CompleteTask("s", 1, []EventRecord{{Name: "x"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := j.CompleteTask("s", 1, []EventRecord{{Name: "x"}}); !errors.Is(err, ErrTaskCompleted) {
		t.Fatalf("second completion: %v", err)
	}
	if err := j.UpdateProgress("s", 1, Progress{BytesReceived: 5}); !errors.Is(err, ErrTaskCompleted) {
		t.Fatalf("progress after completion: %v", err)
	}
	if events, _ := j.Events("s"); len(events) != 1 {
		t.Fatalf("a refused completion appended events: %+v", events)
	}
	// MarkDelivered is all or nothing.
	if err := j.MarkDelivered("s", 1, 42); !errors.Is(err, ErrUnknownEvent) || !strings.Contains(err.Error(), "event 42") {
		t.Fatalf("unknown seq: %v", err)
	}
	if pending, _ := j.PendingEvents("s"); len(pending) != 1 {
		t.Fatal("a failed MarkDelivered marked seq 1 anyway")
	}
	if err := j.MarkDelivered("other", 1); !errors.Is(err, ErrUnknownEvent) {
		t.Fatalf("unknown session: %v", err)
	}

	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := j.Tasks("s"); !errors.Is(err, ErrClosed) || !strings.Contains(err.Error(), "journal.Tasks") {
		t.Fatalf("use after Close: %v", err)
	}
	if _, err := Open(""); err == nil || !strings.Contains(err.Error(), "argument 'dir'") {
		t.Fatalf("Open(\"\"): %v", err)
	}
}

// Many tasks report progress at once (the engine's pattern); batching must
// not lose or cross any update. Run with -race.
func TestConcurrentProgress(t *testing.T) {
	j := openT(t, filepath.Join(t.TempDir(), "j"))
	const tasks, updates = 16, 15
	for id := uint64(1); id <= tasks; id++ {
		if err := j.PutTask(sampleTask("s", id)); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, tasks*updates+tasks)
	for id := uint64(1); id <= tasks; id++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for n := int64(1); n <= updates; n++ {
				if err := j.UpdateProgress("s", id, Progress{BytesReceived: n * int64(id), ExpectedLength: -1, ETag: fmt.Sprint(id)}); err != nil {
					errs <- err
				}
			}
		}()
		go func() { // readers meanwhile
			defer wg.Done()
			for range updates {
				if _, err := j.PendingSessions(); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	all, _ := j.Tasks("s")
	for _, r := range all {
		if r.BytesReceived != updates*int64(r.TaskID) || r.ETag != fmt.Sprint(r.TaskID) || r.ExpectedLength != -1 {
			t.Fatalf("task %d ended with %+v", r.TaskID, r)
		}
	}
}

// Close while operations are in flight (engine shutdown): every operation
// either completes or reports ErrClosed; nothing panics, hangs or races.
func TestCloseDuringOperations(t *testing.T) {
	j, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for id := uint64(1); id <= 8; id++ {
		j.PutTask(sampleTask("s", id))
	}
	var wg sync.WaitGroup
	unexpected := make(chan error, 64)
	started := make(chan struct{}, 8)
	for id := uint64(1); id <= 8; id++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := int64(1); ; n++ {
				err := j.UpdateProgress("s", id, Progress{BytesReceived: n})
				if n == 1 {
					started <- struct{}{}
				}
				if errors.Is(err, ErrClosed) {
					return
				}
				if err != nil {
					unexpected <- err
					return
				}
				if _, err := j.Tasks("s"); err != nil && !errors.Is(err, ErrClosed) {
					unexpected <- err
					return
				}
			}
		}()
	}
	for range 8 {
		<-started
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("operations hung after Close")
	}
	close(unexpected)
	for err := range unexpected {
		t.Fatalf("operation failed with %v, want success or ErrClosed", err)
	}
	// The directory is free for the next runtime.
	j2 := openT(t, filepath.Dir(j.Path()))
	j2.Close()
}

// A task completed by an older tirun has no event list in its status: RemoveTask
// still finds its events.
func TestRemoveTaskOfAnOlderRecordFindsItsEvents(t *testing.T) {
	j := openT(t, t.TempDir())
	for id := uint64(1); id <= 2; id++ {
		if err := j.PutTask(sampleTask("s", id)); err != nil {
			t.Fatal(err)
		}
		if _, err := j.CompleteTask("s", id, []EventRecord{{Name: "a"}, {Name: "b"}}); err != nil {
			t.Fatal(err)
		}
	}
	err := j.update("test", func(tx *bolt.Tx) error {
		b, _, _ := session(tx, "s")
		var ss taskStatus
		if _, err := getJSON(b.tasks, key(1, partStatus), &ss); err != nil {
			return err
		}
		ss.Events = nil
		return putJSON(b.tasks, key(1, partStatus), ss)
	})
	if err != nil {
		t.Fatal(err)
	}
	for id := uint64(1); id <= 2; id++ {
		if err := j.RemoveTask("s", id); err != nil {
			t.Fatal(err)
		}
		evs, err := j.Events("s")
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			if e.TaskID == id {
				t.Fatalf("RemoveTask(%d) left its event %+v", id, e)
			}
		}
	}
}
