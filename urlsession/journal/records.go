package journal

import (
	"encoding/json"
	"fmt"
	"time"
)

// Kind is the kind of a journaled task.
type Kind uint8

// The task kinds of the engine. Zero is invalid so a forgotten field is caught.
const (
	KindData Kind = iota + 1
	KindDownload
	KindUpload
)

var kindNames = map[Kind]string{KindData: "data", KindDownload: "download", KindUpload: "upload"}

func (k Kind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

func (k Kind) valid() bool { _, ok := kindNames[k]; return ok }

// MarshalText stores kinds by name so the file stays readable and the
// numbering can change without a format bump.
func (k Kind) MarshalText() ([]byte, error) {
	if !k.valid() {
		return nil, fmt.Errorf("journal: invalid task kind %d", uint8(k))
	}
	return []byte(kindNames[k]), nil
}

func (k *Kind) UnmarshalText(b []byte) error {
	for v, name := range kindNames {
		if name == string(b) {
			*k = v
			return nil
		}
	}
	return fmt.Errorf("journal: unknown task kind %q", b)
}

// State is the journaled state of a task. A task is journaled as running
// from PutTask until CompleteTask, whatever the engine does in between
// (suspend, retry), because a process that dies leaves it to be resumed.
type State uint8

// Zero is invalid on disk; PutTask reads a zero State as StateRunning.
const (
	StateRunning State = iota + 1
	StateCompleted
)

var stateNames = map[State]string{StateRunning: "running", StateCompleted: "completed"}

func (s State) String() string {
	if n, ok := stateNames[s]; ok {
		return n
	}
	return fmt.Sprintf("State(%d)", uint8(s))
}

func (s State) MarshalText() ([]byte, error) {
	n, ok := stateNames[s]
	if !ok {
		return nil, fmt.Errorf("journal: invalid task state %d", uint8(s))
	}
	return []byte(n), nil
}

func (s *State) UnmarshalText(b []byte) error {
	for v, name := range stateNames {
		if name == string(b) {
			*s = v
			return nil
		}
	}
	return fmt.Errorf("journal: unknown task state %q", b)
}

// Header is one request header, name spelled exactly as sent.
type Header struct {
	Name  string `json:"n"`
	Value string `json:"v"`
}

// MaxInlineBody bounds Request.Body. A journaled body is rewritten only by
// PutTask, but it is read back whole and lives in the journal until the task
// is acknowledged; larger bodies belong in a file (Request.BodyFile).
const MaxInlineBody = 256 << 10

// Request is what is needed to send a task's request again in a later process.
type Request struct {
	URL      string
	Method   string
	Header   []Header
	BodyFile string // a file body, streamed by the engine; it must outlive the process
	Body     []byte // a small in-memory body (at most MaxInlineBody bytes)
}

// TaskRecord is the journaled state of one task of a background session.
type TaskRecord struct {
	SessionID string
	TaskID    uint64
	Kind      Kind
	Request   Request
	// PartialPath is where the bytes received so far are kept (a download's
	// partial file); BytesReceived of them are known to be on disk.
	PartialPath    string
	BytesReceived  int64
	ExpectedLength int64 // -1 when unknown
	// Validators of the partial data, for If-Range when resuming.
	ETag, LastModified string
	State              State
	CreatedAt          time.Time
	// Extra is opaque JSON for the engine (e.g. settings it needs to resume);
	// the journal only checks that it is valid JSON.
	Extra json.RawMessage
}

// Progress is what UpdateProgress rewrites: the cheap, frequently changing
// part of a TaskRecord.
type Progress struct {
	BytesReceived  int64
	ExpectedLength int64 // -1 when unknown
	ETag           string
	LastModified   string
}

// EventRecord is one event of a finished task, kept until it has been
// delivered and acknowledged. Seq is assigned by the journal, increasing
// within a session, and never reused.
type EventRecord struct {
	SessionID string
	TaskID    uint64
	Seq       uint64
	Name      string
	Payload   json.RawMessage // the event's payload as JSON (may be empty)
	Delivered bool
}

// SessionSummary counts what a session has in the journal.
type SessionSummary struct {
	Running     int // tasks journaled as running (to resume)
	Completed   int // completed tasks not yet acknowledged away
	Undelivered int // events waiting to be delivered
	Delivered   int // events delivered but not yet acknowledged
}

// Pending reports whether the session has work for the next runtime: running
// tasks, or events not yet acknowledged.
func (s SessionSummary) Pending() bool {
	return s.Running > 0 || s.Undelivered > 0 || s.Delivered > 0
}

// On-disk forms. The public types carry no tags so their Go names can evolve;
// these are the file format (version formatVersion).

type taskStatic struct {
	Kind        Kind            `json:"kind"`
	URL         string          `json:"url"`
	Method      string          `json:"method,omitempty"`
	Header      []Header        `json:"header,omitempty"`
	BodyFile    string          `json:"bodyFile,omitempty"`
	Body        []byte          `json:"body,omitempty"`
	PartialPath string          `json:"partial,omitempty"`
	CreatedAt   time.Time       `json:"created"`
	Extra       json.RawMessage `json:"extra,omitempty"`
}

type taskStatus struct {
	State          State  `json:"state"`
	BytesReceived  int64  `json:"received"`
	ExpectedLength int64  `json:"expected"`
	ETag           string `json:"etag,omitempty"`
	LastModified   string `json:"lastModified,omitempty"`
	// Events are the seqs CompleteTask appended, so RemoveTask finds them
	// without reading every event of the session (records written before
	// this field existed have none: RemoveTask then scans).
	Events []uint64 `json:"events,omitempty"`
}

type eventBody struct {
	TaskID  uint64          `json:"task"`
	Name    string          `json:"name"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

func splitTask(r *TaskRecord) (taskStatic, taskStatus) {
	return taskStatic{Kind: r.Kind, URL: r.Request.URL, Method: r.Request.Method, Header: r.Request.Header,
			BodyFile: r.Request.BodyFile, Body: r.Request.Body, PartialPath: r.PartialPath,
			CreatedAt: r.CreatedAt, Extra: r.Extra},
		taskStatus{State: r.State, BytesReceived: r.BytesReceived, ExpectedLength: r.ExpectedLength,
			ETag: r.ETag, LastModified: r.LastModified}
}

func joinTask(session string, id uint64, st taskStatic, ss taskStatus) TaskRecord {
	return TaskRecord{SessionID: session, TaskID: id, Kind: st.Kind,
		Request:     Request{URL: st.URL, Method: st.Method, Header: st.Header, BodyFile: st.BodyFile, Body: st.Body},
		PartialPath: st.PartialPath, BytesReceived: ss.BytesReceived, ExpectedLength: ss.ExpectedLength,
		ETag: ss.ETag, LastModified: ss.LastModified, State: ss.State, CreatedAt: st.CreatedAt, Extra: st.Extra}
}

func (p Progress) validate(fn string) error {
	if p.BytesReceived < 0 {
		return fmt.Errorf("journal.%s: argument 'BytesReceived' must not be negative (got %d)", fn, p.BytesReceived)
	}
	if p.ExpectedLength < -1 {
		return fmt.Errorf("journal.%s: argument 'ExpectedLength' must be -1 (unknown) or more (got %d)", fn, p.ExpectedLength)
	}
	return nil
}

func (r *TaskRecord) validate() error {
	const fn = "PutTask"
	if err := checkSessionID(fn, r.SessionID); err != nil {
		return err
	}
	if r.TaskID == 0 {
		return fmt.Errorf("journal.%s: argument 'TaskID' must not be 0", fn)
	}
	if !r.Kind.valid() {
		return fmt.Errorf("journal.%s: argument 'Kind' must be KindData, KindDownload or KindUpload (got %d)", fn, uint8(r.Kind))
	}
	if r.State != StateRunning && r.State != StateCompleted {
		return fmt.Errorf("journal.%s: argument 'State' must be StateRunning or StateCompleted (got %d)", fn, uint8(r.State))
	}
	if r.Request.URL == "" {
		return fmt.Errorf("journal.%s: argument 'Request.URL' must not be empty", fn)
	}
	if len(r.Request.Body) > 0 && r.Request.BodyFile != "" {
		return fmt.Errorf("journal.%s: arguments 'Request.Body' and 'Request.BodyFile' are exclusive", fn)
	}
	if len(r.Request.Body) > MaxInlineBody {
		return fmt.Errorf("journal.%s: argument 'Request.Body' is %d bytes; at most %d may be journaled inline, use Request.BodyFile",
			fn, len(r.Request.Body), MaxInlineBody)
	}
	if len(r.Extra) > 0 && !json.Valid(r.Extra) {
		return fmt.Errorf("journal.%s: argument 'Extra' must be valid JSON", fn)
	}
	return Progress{r.BytesReceived, r.ExpectedLength, r.ETag, r.LastModified}.validate(fn)
}

// maxSessionID keeps identifiers well under bbolt's key limit.
const maxSessionID = 4096

func checkSessionID(fn, id string) error {
	if id == "" {
		return fmt.Errorf("journal.%s: argument 'sessionID' must not be empty", fn)
	}
	if len(id) > maxSessionID {
		return fmt.Errorf("journal.%s: argument 'sessionID' is %d bytes; at most %d are allowed", fn, len(id), maxSessionID)
	}
	return nil
}
