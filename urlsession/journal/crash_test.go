package journal

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The crash test: a helper process writes to a journal in a loop and is
// killed with SIGKILL at a random moment. Before each operation it prints
// "begin <op>" and after the commit "ok <op>", so the parent knows every
// committed operation plus at most one in doubt. The journal found after the
// kill must open without damage and hold exactly the committed state, or
// that state plus the in-doubt operation: nothing committed may be lost and
// nothing half-done may appear.

const crashSession = "com.test.crash/åäö"

// helperWriter opens the journal for a writing helper process and gives it
// say (a line to the parent) and check (an error ends the process). j is nil
// when the journal could not be opened cleanly (already said).
func helperWriter(dir string, out io.Writer) (j *Journal, say func(string, ...any), check func(error)) {
	say = func(format string, args ...any) { fmt.Fprintf(out, format+"\n", args...) }
	check = func(err error) {
		if err != nil {
			say("fail: %v", err)
			os.Exit(1)
		}
	}
	j, err := Open(dir)
	if err != nil {
		say("fail open: %v", err)
		return nil, say, check
	}
	if rec := j.Recovered(); rec != nil {
		say("fail recovered: %v", rec)
		return nil, say, check
	}
	return j, say, check
}

func runCrashWriter(dir string, out io.Writer) int {
	j, say, check := helperWriter(dir, out)
	if j == nil {
		return 1
	}
	for {
		say("begin id")
		id, err := j.NextTaskID(crashSession)
		check(err)
		say("ok id %d", id)

		say("begin put %d", id)
		check(j.PutTask(TaskRecord{SessionID: crashSession, TaskID: id, Kind: KindDownload,
			Request: Request{URL: fmt.Sprintf("http://127.0.0.1/f/%d", id), Method: "GET",
				Header: []Header{{"X-Id", strconv.FormatUint(id, 10)}},
				// Bodies of a few pages make bbolt use overflow pages and free them.
				Body: []byte(strings.Repeat("b", int(id%5)*3000))},
			PartialPath: fmt.Sprintf("/tmp/partial-%d", id), ExpectedLength: 4000}))
		say("ok put %d", id)

		for _, n := range []int64{1000, 2000} {
			say("begin prog %d %d", id, n)
			check(j.UpdateProgress(crashSession, id, Progress{BytesReceived: n, ExpectedLength: 4000, ETag: `"e"`}))
			say("ok prog %d %d", id, n)
		}
		if id%3 == 0 {
			continue // stays running
		}
		say("begin done %d", id)
		_, err = j.CompleteTask(crashSession, id, []EventRecord{
			{Name: "downloadcompleted", Payload: []byte(`{"n":1}`)},
			{Name: "sessioncompleted", Payload: []byte(`{"success":true}`)}})
		check(err)
		say("ok done %d", id)
		if id%4 == 0 {
			say("begin deliv %d", id)
			evs, err := j.PendingEvents(crashSession)
			check(err)
			var seqs []uint64
			for _, e := range evs {
				if e.TaskID == id {
					seqs = append(seqs, e.Seq)
				}
			}
			check(j.MarkDelivered(crashSession, seqs...))
			say("ok deliv %d", id)
		}
		if id%8 == 0 {
			say("begin ack")
			_, err := j.Acknowledge(crashSession)
			check(err)
			say("ok ack")
		}
	}
}

// crashModel is the part of the journal the crash test compares.
type crashModel struct {
	tasks  map[uint64]crashTask
	events map[string]bool // "<task>/<name>" -> delivered
}

type crashTask struct {
	bytes     int64
	completed bool
}

func newCrashModel() crashModel {
	return crashModel{tasks: map[uint64]crashTask{}, events: map[string]bool{}}
}

func (m crashModel) clone() crashModel {
	return crashModel{tasks: maps.Clone(m.tasks), events: maps.Clone(m.events)}
}

func (m crashModel) equal(o crashModel) bool {
	return maps.Equal(m.tasks, o.tasks) && maps.Equal(m.events, o.events)
}

func (m crashModel) String() string {
	return fmt.Sprintf("tasks %v events %v", m.tasks, m.events)
}

// apply mirrors the journal's semantics for one operation line.
func (m crashModel) apply(t *testing.T, op []string) {
	t.Helper()
	arg := func(i int) uint64 {
		v, err := strconv.ParseUint(op[i], 10, 64)
		if err != nil {
			t.Fatalf("bad helper line %q", op)
		}
		return v
	}
	switch op[0] {
	case "id":
	case "put":
		m.tasks[arg(1)] = crashTask{}
	case "prog":
		m.tasks[arg(1)] = crashTask{bytes: int64(arg(2))}
	case "done":
		id := arg(1)
		tk := m.tasks[id]
		tk.completed = true
		m.tasks[id] = tk
		m.events[fmt.Sprintf("%d/downloadcompleted", id)] = false
		m.events[fmt.Sprintf("%d/sessioncompleted", id)] = false
	case "deliv":
		for _, name := range []string{"downloadcompleted", "sessioncompleted"} {
			m.events[fmt.Sprintf("%d/%s", arg(1), name)] = true
		}
	case "ack":
		remaining := map[string]bool{}
		for k, delivered := range m.events {
			if delivered {
				delete(m.events, k)
			} else {
				task, _, _ := strings.Cut(k, "/")
				remaining[task] = true
			}
		}
		for id, tk := range m.tasks {
			if tk.completed && !remaining[strconv.FormatUint(id, 10)] {
				delete(m.tasks, id)
			}
		}
	default:
		t.Fatalf("unknown helper op %q", op)
	}
}

// actualModel reads the journal into a crashModel, checking on the way that
// event seqs increase and every record is whole.
func actualModel(t *testing.T, j *Journal) crashModel {
	t.Helper()
	m := newCrashModel()
	tasks, err := j.Tasks(crashSession)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range tasks {
		if r.Request.URL != fmt.Sprintf("http://127.0.0.1/f/%d", r.TaskID) || len(r.Request.Body) != int(r.TaskID%5)*3000 ||
			len(r.Request.Header) != 1 || r.Request.Header[0].Value != strconv.FormatUint(r.TaskID, 10) {
			t.Fatalf("task %d came back altered: %+v", r.TaskID, r.Request)
		}
		m.tasks[r.TaskID] = crashTask{bytes: r.BytesReceived, completed: r.State == StateCompleted}
	}
	events, err := j.Events(crashSession)
	if err != nil {
		t.Fatal(err)
	}
	var last uint64
	for _, e := range events {
		if e.Seq <= last {
			t.Fatalf("event seqs not increasing: %d after %d", e.Seq, last)
		}
		last = e.Seq
		m.events[fmt.Sprintf("%d/%s", e.TaskID, e.Name)] = e.Delivered
	}
	return m
}

func TestKill9NeverDamagesOrLosesCommittedRecords(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "journal")
	committed := newCrashModel()
	var maxID uint64
	totalOps := 0
	for round := range 10 {
		lines := runHelperAndKill(t, "crash:"+dir, time.Duration(20+rand.IntN(230))*time.Millisecond)
		var doubt []string
		for _, line := range lines {
			fields := strings.Fields(line)
			if len(fields) < 2 {
				t.Fatalf("round %d: helper said %q", round, line)
			}
			switch fields[0] {
			case "begin":
				doubt = fields[1:]
			case "ok":
				committed.apply(t, fields[1:])
				doubt = nil
				totalOps++
				if fields[1] == "id" {
					id, _ := strconv.ParseUint(fields[2], 10, 64)
					if id <= maxID {
						t.Fatalf("round %d: task id %d handed out after %d", round, id, maxID)
					}
					maxID = id
				}
			default:
				t.Fatalf("round %d: helper failed: %q", round, line)
			}
		}

		j, err := Open(dir)
		if err != nil {
			t.Fatalf("round %d: open after kill: %v", round, err)
		}
		if rec := j.Recovered(); rec != nil {
			t.Fatalf("round %d: kill -9 damaged the journal: %v", round, rec)
		}
		actual := actualModel(t, j)
		withDoubt := committed.clone()
		if doubt != nil {
			withDoubt.apply(t, doubt)
		}
		if !actual.equal(committed) && !actual.equal(withDoubt) {
			t.Fatalf("round %d: journal holds\n  %v\nwant the committed state\n  %v\nor, with the in-doubt %q,\n  %v",
				round, actual, committed, doubt, withDoubt)
		}
		next, err := j.NextTaskID(crashSession)
		if err != nil {
			t.Fatal(err)
		}
		if next <= maxID {
			t.Fatalf("round %d: NextTaskID %d repeats an id up to %d", round, next, maxID)
		}
		maxID = next
		if err := j.Close(); err != nil {
			t.Fatal(err)
		}
		committed = actual // the doubt is resolved; the next round builds on the file
	}
	t.Logf("%d committed operations over 10 kills; ids up to %d", totalOps, maxID)
	if totalOps < 20 {
		t.Fatalf("only %d operations committed: the helper barely ran, the test proves little", totalOps)
	}
}

// runHelperAndKill runs a helper mode (see runHelper), SIGKILLs it `after`
// its second line (the crash writer's first committed operation) and returns
// the complete lines it printed.
func runHelperAndKill(t *testing.T, spec string, after time.Duration) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := helperCmd(ctx, spec)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	linesCh := make(chan []string, 1)
	firstOK := make(chan struct{})
	go func() {
		var lines []string
		r := bufio.NewReader(stdout)
		for {
			line, err := r.ReadString('\n')
			if err != nil { // EOF after the kill; a torn last line is dropped
				linesCh <- lines
				return
			}
			lines = append(lines, strings.TrimSuffix(line, "\n"))
			if len(lines) == 2 {
				close(firstOK)
			}
		}
	}()
	select {
	case <-firstOK:
	case lines := <-linesCh:
		_ = cmd.Wait()
		t.Fatalf("crash helper ended before committing anything: %q", lines)
	case <-ctx.Done():
		t.Fatal("crash helper never committed anything")
	}
	time.Sleep(after)
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	lines := <-linesCh
	_ = cmd.Wait() // "signal: killed" is the expected outcome
	if state := cmd.ProcessState; state == nil || state.Success() {
		t.Fatalf("helper was not killed: %v (lines %q)", state, lines)
	}
	return lines
}
