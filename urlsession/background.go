package urlsession

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/tirun/tirun/urlsession/journal"
)

// Background sessions survive the process (issue 6). A download task of a session
// made with KindBackground is journaled (package journal) when it is created —
// DownloadTask returns once the record is in the journal's redo log, so a kill after
// that cannot lose the task, and creating many costs no fsync each; its partial file lives in a directory of the session's own that outlives the process
// (DataDir/urlsession-background/<identifier>-<hash>), with its progress checkpointed
// about once a second after an fsync. When it finishes, its outcome goes into the
// journal as events ("downloadcompleted" with the file, "sessioncompleted") in the
// same transaction that marks it completed, and the file stays in that directory until
// the task is forgotten.
//
// The next engine that creates a session with the same identifier finds the tasks a
// dead process left running (Session.Recovered): they continue with Range/If-Range
// from the bytes on disk, or start over. Completed tasks whose events were never
// delivered are handed to the delegate again (Session.DeliverRecovered). The binding
// marks each event delivered (Task.MarkDelivered) after its listeners ran; a delivered
// event is not delivered again. Task.Forget (a task reported live) or
// AcknowledgeBackground (the app's endBackgroundHandler) lets the journal forget them.
//
// Data and upload tasks of background sessions run like those of default sessions:
// only downloads are journaled.

const (
	journalDirName    = "urlsession-journal"
	backgroundDirName = "urlsession-background"

	evNameDownload = "downloadcompleted"
	evNameComplete = "sessioncompleted"
)

// HasBackgroundJournal reports, without opening anything, whether dataDir holds a
// journal of background sessions: a runtime uses it to skip starting an engine when
// no earlier process left background work.
func HasBackgroundJournal(dataDir string) bool {
	_, err := os.Stat(filepath.Join(dataDir, journalDirName, journal.FileName))
	return err == nil
}

// bgSession is the durable side of a background session.
type bgSession struct {
	id  string
	j   *journal.Journal
	dir string // partial and finished downloads, outliving the process

	recovered []*Task            // tasks handed over by the journal, id order
	replay    map[uint64][]event // their undelivered events, queued by DeliverRecovered
	claimed   []uint64           // ids this session took over (Engine.own), for abandon
}

// downloadPayload is the journaled downloadcompleted event.
type downloadPayload struct {
	Path              string `json:"path"`
	Status            int    `json:"status"`
	MIMEType          string `json:"mimeType,omitempty"`
	SuggestedFilename string `json:"suggestedFilename,omitempty"`
}

// completePayload is the journaled sessioncompleted event.
type completePayload struct {
	Status  int    `json:"status"`
	Code    int    `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
	URL     string `json:"url,omitempty"`
}

// openJournal opens the engine's journal on first use. A journal held by another
// process is an error for background sessions (two runtimes must not resume the same
// transfers); a damaged one is set aside by the journal package and reported here.
func (e *Engine) openJournal() (*journal.Journal, error) {
	e.bgMu.Lock()
	defer e.bgMu.Unlock()
	if e.journal != nil {
		return e.journal, nil
	}
	j, err := journal.Open(filepath.Join(e.dataDir(), journalDirName))
	if err != nil {
		return nil, fmt.Errorf("urlsession: background sessions need the journal: %w", err)
	}
	if rec := j.Recovered(); rec != nil {
		e.logger.Warn("urlsession: " + rec.String())
		e.journalRecovery = rec
	}
	e.journal = j
	return j, nil
}

// dataDir is where durable state goes: DataDir, or the engine's own temporary
// directory when none was given (background work then lasts as long as the engine).
func (e *Engine) dataDir() string {
	if e.ownsDir {
		return e.dir
	}
	return filepath.Dir(e.dir)
}

// JournalRecovery is non-nil when the journal was found damaged, set aside and
// started afresh (its String says where the damaged file went).
func (e *Engine) JournalRecovery() *journal.Recovery {
	e.bgMu.Lock()
	defer e.bgMu.Unlock()
	return e.journalRecovery
}

// PendingBackgroundSessions lists, sorted, the identifiers of background sessions with
// work left by an earlier process: running tasks to resume, or events not yet
// delivered or acknowledged.
func (e *Engine) PendingBackgroundSessions() ([]string, error) {
	j, err := e.openJournal()
	if err != nil {
		return nil, err
	}
	return j.PendingSessions()
}

// AcknowledgeBackground forgets the delivered events of a background session and the
// finished tasks they belonged to (the app's endBackgroundHandler). Their downloaded
// files are removed when the engine closes.
func (e *Engine) AcknowledgeBackground(identifier string) error {
	j, err := e.openJournal()
	if err != nil {
		return err
	}
	before, _ := j.Tasks(identifier)
	if _, err := j.Acknowledge(identifier); err != nil {
		return err
	}
	after, _ := j.Tasks(identifier)
	still := make(map[uint64]bool, len(after))
	for _, r := range after {
		still[r.TaskID] = true
	}
	dir := e.backgroundDir(identifier)
	for _, r := range before {
		if !still[r.TaskID] {
			e.deleteLater(partPath(dir, r.TaskID), downloadPath(dir, r.TaskID))
		}
	}
	return nil
}

// deleteLater removes a forgotten task's file when the engine closes: a Blob made
// from it may still be read until then.
func (e *Engine) deleteLater(paths ...string) {
	e.bgMu.Lock()
	e.forgotten = append(e.forgotten, paths...)
	e.bgMu.Unlock()
}

// backgroundDir is the durable directory of one identifier: readable, and unique
// through a hash of the whole identifier.
func (e *Engine) backgroundDir(identifier string) string {
	sum := sha256.Sum256([]byte(identifier))
	name := strings.TrimSuffix(dirPrefix(Configuration{Identifier: identifier}), "-*")
	return filepath.Join(e.dataDir(), backgroundDirName, name+"-"+hex.EncodeToString(sum[:6]))
}

func partPath(dir string, id uint64) string {
	return filepath.Join(dir, "task-"+strconv.FormatUint(id, 10)+".part")
}

func downloadPath(dir string, id uint64) string {
	return filepath.Join(dir, "task-"+strconv.FormatUint(id, 10)+".download")
}

// attachBackground gives a new background session its journal and durable directory,
// and takes over what an earlier process left: running tasks become suspended tasks
// (Recovered), undelivered events wait for DeliverRecovered.
func (e *Engine) attachBackground(s *Session) error {
	j, err := e.openJournal()
	if err != nil {
		return err
	}
	bg := &bgSession{id: s.cfg.Identifier, j: j, dir: e.backgroundDir(s.cfg.Identifier),
		replay: map[uint64][]event{}}
	if err := os.MkdirAll(bg.dir, 0o700); err != nil {
		return fmt.Errorf("urlsession: creating %s: %w", bg.dir, err)
	}
	recs, err := j.Tasks(bg.id)
	if err != nil {
		return err
	}
	pending, err := j.PendingEvents(bg.id)
	if err != nil {
		return err
	}
	// Ids continue after every id an earlier process recorded (the counter survives
	// tasks being forgotten).
	base, err := j.NextTaskID(bg.id)
	if err != nil {
		return err
	}
	s.nextID = base - 1 // the first task gets base itself
	s.bg = bg
	known := map[string]bool{}
	owned := map[uint64]journal.TaskRecord{} // the records this session takes over
	for _, r := range recs {
		known[filepath.Base(partPath(bg.dir, r.TaskID))] = true
		known[filepath.Base(downloadPath(bg.dir, r.TaskID))] = true
		if r.TaskID > s.nextID {
			s.nextID = r.TaskID
		}
		if !e.own(bg.id, r.TaskID) {
			continue // an earlier session of this engine with the same identifier has it
		}
		owned[r.TaskID] = r
		bg.claimed = append(bg.claimed, r.TaskID)
		if r.State == journal.StateRunning {
			bg.recovered = append(bg.recovered, s.restoredTask(r))
		}
	}
	byTask := map[uint64][]journal.EventRecord{}
	for _, ev := range pending {
		byTask[ev.TaskID] = append(byTask[ev.TaskID], ev)
	}
	for id, evs := range byTask {
		r, ok := owned[id]
		if !ok {
			continue
		}
		t := s.ghostTask(r, evs)
		bg.recovered = append(bg.recovered, t)
	}
	sortTasks(bg.recovered)
	e.sweepBackgroundDir(bg.dir, known)
	return nil
}

// own claims a journaled task for this engine; false when it already had it. Only
// tasks of earlier processes are recovered: a session re-created with the identifier of
// one still finishing in this engine must not run its tasks a second time.
func (e *Engine) own(identifier string, id uint64) bool {
	e.bgMu.Lock()
	defer e.bgMu.Unlock()
	if e.bgOwned == nil {
		e.bgOwned = map[string]map[uint64]bool{}
	}
	ids := e.bgOwned[identifier]
	if ids == nil {
		ids = map[uint64]bool{}
		e.bgOwned[identifier] = ids
	}
	if ids[id] {
		return false
	}
	ids[id] = true
	return true
}

// disown gives back ids claimed with own by a session that was never handed out.
func (e *Engine) disown(identifier string, ids []uint64) {
	e.bgMu.Lock()
	defer e.bgMu.Unlock()
	for _, id := range ids {
		delete(e.bgOwned[identifier], id)
	}
}

// sweepBackgroundDir removes files no journaled task owns: left by a process that
// died after the journal forgot their task.
func (e *Engine) sweepBackgroundDir(dir string, known map[string]bool) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, ent := range entries {
		if !known[ent.Name()] && strings.HasPrefix(ent.Name(), "task-") {
			removeQuietly(filepath.Join(dir, ent.Name()))
		}
	}
}

// restoredTask makes a suspended task from a running record; Resume continues it.
func (s *Session) restoredTask(r journal.TaskRecord) *Task {
	t := newTask(s, r.TaskID, KindDownloadTask, fromJournalRequest(r.Request))
	t.bgJournaled, t.bgRecovered = true, true
	rec := r
	t.bgRestore = &rec
	if r.BytesReceived > 0 {
		t.received.Store(r.BytesReceived)
		t.deliveredReceived = r.BytesReceived
	}
	t.expectedReceive.Store(r.ExpectedLength)
	s.live[t.id] = t
	return t
}

// ghostTask stands for a task that completed in an earlier process: it carries the
// response and outcome the journal kept, for the events replayed to the delegate.
func (s *Session) ghostTask(r journal.TaskRecord, evs []journal.EventRecord) *Task {
	t := newTask(s, r.TaskID, KindDownloadTask, fromJournalRequest(r.Request))
	t.bgJournaled, t.bgRecovered = true, true
	t.state, t.started = StateCompleted, true
	t.bgSeq = map[string]uint64{}
	var queued []event
	for _, ev := range evs {
		t.bgSeq[ev.Name] = ev.Seq
		switch ev.Name {
		case evNameDownload:
			var p downloadPayload
			_ = json.Unmarshal(ev.Payload, &p)
			t.response = &Response{URL: r.Request.URL, StatusCode: p.Status, MIMEType: p.MIMEType,
				SuggestedFilename: p.SuggestedFilename, Header: http.Header{}}
			queued = append(queued, event{kind: evFinishDownload, task: t, path: p.Path})
		case evNameComplete:
			var p completePayload
			_ = json.Unmarshal(ev.Payload, &p)
			if t.response == nil && p.Status != 0 {
				t.response = &Response{URL: r.Request.URL, StatusCode: p.Status, Header: http.Header{}}
			}
			var uerr *URLError
			if p.Code != 0 {
				uerr = &URLError{Code: p.Code, URL: p.URL, Message: p.Message}
				t.err = uerr
			}
			queued = append(queued, event{kind: evComplete, task: t, err: uerr})
		}
	}
	s.bg.replay[t.id] = queued
	return t
}

func fromJournalRequest(r journal.Request) Request {
	out := Request{URL: r.URL, Method: r.Method, BodyFile: r.BodyFile}
	if len(r.Body) > 0 {
		out.Body = r.Body
	}
	for _, h := range r.Header {
		out.Header = append(out.Header, Header{Name: h.Name, Value: h.Value})
	}
	return out
}

// Recovered returns the tasks a background session took over from an earlier
// process, in id order: running ones (suspended until Resume) and completed ones
// whose events DeliverRecovered will hand to the delegate. Register them before
// calling DeliverRecovered or Resume. Empty for other sessions.
func (s *Session) Recovered() []*Task {
	if s.bg == nil {
		return nil
	}
	return append([]*Task(nil), s.bg.recovered...)
}

// DeliverRecovered queues the undelivered events of completed recovered tasks
// (DidFinishDownloading, DidComplete), in task order. Only the first call does anything.
func (s *Session) DeliverRecovered() {
	if s.bg == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.bg.recovered {
		for _, ev := range s.bg.replay[t.id] {
			s.enqueueLocked(ev)
		}
		delete(s.bg.replay, t.id)
	}
}

// Journaled reports whether the task's outcome is kept in the journal until the app
// received it: a download of a background session.
func (t *Task) Journaled() bool { return t.bgJournaled }

// Recovered reports whether the task was taken over from an earlier process.
func (t *Task) Recovered() bool { return t.bgRecovered }

// MarkDelivered records that the task's event ("downloadcompleted" or
// "sessioncompleted") reached the app: it will not be delivered again. A no-op for
// tasks that are not journaled or have no such event.
func (t *Task) MarkDelivered(name string) error {
	bg := t.session.bg
	if bg == nil || !t.bgJournaled {
		return nil
	}
	t.mu.Lock()
	seq, ok := t.bgSeq[name]
	t.mu.Unlock()
	if !ok {
		return nil
	}
	return bg.j.MarkDelivered(bg.id, seq)
}

// Forget drops a finished journaled task from the journal once its events were
// delivered while the process that ran it was alive: no later process needs them.
// Its downloaded file is removed when the engine closes.
func (t *Task) Forget() error {
	bg := t.session.bg
	if bg == nil || !t.bgJournaled {
		return nil
	}
	if err := bg.j.RemoveTask(bg.id, t.id); err != nil {
		return err
	}
	t.session.engine.deleteLater(partPath(bg.dir, t.id), downloadPath(bg.dir, t.id))
	return nil
}

// journalNewTask records a background download's request under the id the session
// reserved for it. Recording an id moves the journal's counter up, so the next process
// numbers its tasks after it. (Data and upload tasks are not journaled and cost no
// write; their ids only need to be unique within the session.)
func (s *Session) journalNewTask(id uint64, r Request) error {
	bg := s.bg
	if len(r.Body) > journal.MaxInlineBody {
		return fmt.Errorf("a background download's request body is limited to %d bytes", journal.MaxInlineBody)
	}
	rec := journal.TaskRecord{SessionID: bg.id, TaskID: id, Kind: journal.KindDownload,
		Request:     journal.Request{URL: r.URL, Method: r.Method, Body: r.Body, BodyFile: r.BodyFile},
		PartialPath: partPath(bg.dir, id), ExpectedLength: SizeUnknown}
	for _, h := range r.Header {
		rec.Request.Header = append(rec.Request.Header, journal.Header{Name: h.Name, Value: h.Value})
	}
	if err := bg.j.PutTask(rec); err != nil {
		return err
	}
	s.engine.own(bg.id, id)
	return nil
}

// prepareBackgroundDownload points a journaled download at its durable partial file,
// continuing it with a range request when an earlier process left verified bytes.
func (s *Session) prepareBackgroundDownload(t *Task, d *downloadState) {
	d.create = partPath(s.bg.dir, t.id)
	d.ckpt = newCheckpointer(s, t)
	r := t.bgRestore
	if r == nil {
		return
	}
	info := &resumeInfo{URL: t.req.URL, Method: http.MethodGet, Header: t.req.Header,
		BytesReceived: r.BytesReceived, ExpectedLength: r.ExpectedLength, ETag: r.ETag, LastModified: r.LastModified}
	st, err := os.Stat(r.PartialPath)
	if r.BytesReceived <= 0 || info.validator() == "" || err != nil || !st.Mode().IsRegular() || st.Size() < r.BytesReceived ||
		r.PartialPath != d.create {
		t.restartReceive()
		return
	}
	d.path, d.rangeFrom, d.info = r.PartialPath, r.BytesReceived, info
}

// finishBackground journals a journaled task's outcome before its events are queued.
// The finished file stays where the transfer wrote it: the task's partial file in the
// session's durable directory, where prepareBackgroundDownload points every journaled
// download. The transfer's fsync made it (and, on Linux's journaling file systems, its
// directory entry) durable; a rename would cost a directory fsync per download.
func (t *Task) finishBackground(r transferResult) {
	s := t.session
	bg := s.bg
	var events []journal.EventRecord
	status := 0
	if r.response != nil {
		status = r.response.StatusCode
	}
	if r.err == nil && r.download != "" {
		p := downloadPayload{Path: r.download, Status: status}
		if r.response != nil {
			p.MIMEType, p.SuggestedFilename = r.response.MIMEType, r.response.SuggestedFilename
		}
		events = append(events, journal.EventRecord{Name: evNameDownload, Payload: mustJSON(p)})
	}
	c := completePayload{Status: status}
	if r.err != nil {
		c.Code, c.Message, c.URL = r.err.Code, r.err.Message, r.err.URL
	}
	events = append(events, journal.EventRecord{Name: evNameComplete, Payload: mustJSON(c)})
	recs, err := bg.j.CompleteTask(bg.id, t.id, events)
	if err != nil {
		s.engine.logger.Warn("urlsession: journaling a background task's outcome failed", "task", t.id, "err", err)
		return
	}
	t.mu.Lock()
	t.bgSeq = make(map[string]uint64, len(recs))
	for _, ev := range recs {
		t.bgSeq[ev.Name] = ev.Seq
	}
	t.mu.Unlock()
}

// detachBackground leaves a journaled download running in the journal because the
// engine is closing (the process is ending): its partial file is synced and its
// progress recorded, so the next process continues it. No event is delivered.
func (t *Task) detachBackground(r transferResult) {
	s := t.session
	if p := r.partial; p != nil && p.info != nil && p.info.BytesReceived > 0 {
		if f, err := os.OpenFile(p.path, os.O_WRONLY, 0); err == nil {
			serr := f.Sync()
			f.Close()
			if serr == nil {
				_ = s.bg.j.UpdateProgress(s.bg.id, t.id, p.info.progress())
			}
		}
	}
	s.taskDetached(t)
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil { // plain strings and numbers only
		return json.RawMessage(`{}`)
	}
	return b
}

// closeBackground runs in Close once every session is done: pending checkpoints are
// written, the journal closed, and files of forgotten tasks removed.
func (e *Engine) closeBackground() {
	e.bgWG.Wait()
	e.bgMu.Lock()
	j, files := e.journal, e.forgotten
	e.journal, e.forgotten = nil, nil
	e.bgMu.Unlock()
	for _, f := range files {
		removeQuietly(f)
	}
	if j != nil {
		if err := j.Close(); err != nil {
			e.logger.Warn("urlsession: closing the background journal", "err", err)
		}
	}
}

// removeDeadSessionDirs deletes session directories a killed process left in the
// engine directory (a live engine removes its own when the session ends). Only an
// engine holding the data directory's lock does it: no other process can be using them.
func (e *Engine) removeDeadSessionDirs() {
	if e.lock == nil {
		return
	}
	entries, err := os.ReadDir(e.dir)
	if err != nil {
		return
	}
	for _, ent := range entries {
		if ent.IsDir() && ent.Name() != resumeDirName {
			if err := os.RemoveAll(filepath.Join(e.dir, ent.Name())); err != nil {
				e.logger.Warn("urlsession: removing a dead process's session directory", "dir", ent.Name(), "err", err)
			}
		}
	}
}
