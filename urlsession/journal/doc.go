// Package journal is the durable record of background URL sessions: what
// each task asked for and how far it got, and the events of finished tasks
// until the app has received and acknowledged them. It lets a later process
// resume transfers that a dead one left running and deliver the events it
// never delivered (issue 6). The engine (package urlsession) owns the only
// Journal of a data directory; this package knows nothing of goja or of the
// engine's types.
//
// # Storage: why bbolt
//
// The journal is one bbolt file (go.etcd.io/bbolt, the store under etcd):
// pure Go, a single file, and crash safe by design. Pages are copy-on-write
// and a commit writes the new pages, fsyncs, then flips one of two
// checksummed meta pages and fsyncs again, so after a kill -9 or a power
// loss the file is exactly as of the last completed commit. A pure-Go SQLite
// (modernc.org/sqlite) would also be safe, but it is a very large dependency
// for a handful of keyed records, and we need no SQL.
//
// # Group commit and the redo log
//
// One goroutine (the committer, commit.go) does every write: whatever is
// queued when it is free goes into one transaction and one fsync, so many
// transfers finishing at once share a commit, and an idle journal commits at
// once. A method that writes returns once its change is committed and
// fsynced, with three exceptions made for callers that write one at a time
// (where nothing can be folded and each commit costs a device flush):
// PutTask, MarkDelivered and RemoveTask return once their change is appended,
// with one write(2) and a checksum, to the redo log (journal.redo, redo.go).
// From then on the change survives the process being killed; it survives a
// power loss once the next group commit is on the disk, normally
// milliseconds later (Sync waits for that). Open applies the records that
// the last commit did not (each commit stores the seq of the last record it
// applied, so none is applied twice), and reads always see every change
// made before them.
//
// # Files and locking
//
// Open(dir) owns dir: give it a directory of its own, e.g.
// <DataDir>/urlsession-journal (where the engine keeps it). It holds dir/LOCK (package datadir: flock,
// with the holder's pid) and dir/journal.db. All sessions share the file;
// the session identifier is a bucket name, so any characters are fine and
// nothing is escaped. A second Open of the same dir, in this or another
// process, fails at once with *InUseError (errors.Is ErrInUse) naming the
// file and the holder's pid. bbolt's own file lock is taken too, with a
// 100 ms timeout, for tools that open the file directly.
//
// # Damage
//
// Open checks the file before using it: bbolt's meta pages, the file size
// against the size the header describes (a truncated file), the layout and
// format version, every record, and bbolt's page consistency check, with
// memory faults and bbolt's panics turned into errors. A damaged file is
// renamed to journal.db.corrupt-<UTC time> (kept for inspection, never
// deleted), a fresh journal is started, Open succeeds, and
// (*Journal).Recovered() describes what happened for the log. A healthy file
// written by a newer tirun is refused with *FormatError and left alone.
// Errors are never set aside: permissions and I/O errors are returned.
//
// # Records
//
// A TaskRecord holds the request (URL, method, headers in their exact case,
// a body file or a small inline body), where the partial data lives, how
// many bytes of it are safely on disk, the validators (ETag,
// Last-Modified) for If-Range, the expected length, and the state: running
// until CompleteTask, whatever the engine does in between. The request half
// is written once (PutTask); progress is a separate small record so that the
// frequent UpdateProgress never rewrites a body. An EventRecord is a named
// JSON payload with a per-session sequence number; delivery is a separate
// mark, so marking never rewrites a payload either.
//
// Task ids (NextTaskID) and event seqs are per-session counters stored in
// the file and never reset, so ids do not repeat across processes, even
// after tasks are forgotten.
//
// # Intended use by the engine and runtime (issue 6)
//
//	j, err := journal.Open(filepath.Join(dataDir, "urlsession-journal"))
//	if rec := j.Recovered(); rec != nil { logger.Warn(rec.String()) }
//
//	// a background task starts
//	id, _ := j.NextTaskID(sessionID)
//	j.PutTask(journal.TaskRecord{SessionID: sessionID, TaskID: id, ...})
//	// every second or so, after fsyncing the partial file
//	j.UpdateProgress(sessionID, id, journal.Progress{BytesReceived: n, ETag: etag, ...})
//	// it finishes: state and events in one transaction
//	evs, _ := j.CompleteTask(sessionID, id, []journal.EventRecord{{Name: "sessioncompleted", Payload: js}})
//	// each event whose listeners ran without throwing
//	j.MarkDelivered(sessionID, ev.Seq)
//	// Ti.App.iOS.endBackgroundHandler(handlerId): forget what was delivered
//	j.Acknowledge(sessionID)
//
// On start, PendingSessions lists sessions with running tasks or
// unacknowledged events (one backgroundtransfer event each). When the app
// re-creates such a session: Tasks to resume the running ones
// (Range/If-Range from BytesReceived and the validators), then PendingEvents
// in seq order; sessioneventscompleted once none is undelivered. The engine
// does not call ResetDelivery: a delivered mark means the app's listener ran,
// so delivered events are not delivered again (exactly once but for a kill
// between a listener and its mark); ResetDelivery is there for a host that
// prefers at-least-once.
// RemoveTask forgets a task outright (its outcome was reported live, or the
// session was cancelled).
//
// All methods are safe for concurrent use. Concurrent writes are folded
// into one transaction, so many transfers cost one fsync per commit, not one
// each.
package journal
