package urlsession

import (
	"unicode/utf8"

	"github.com/dop251/goja"

	"github.com/tirun/tirun/runtime/loop"
	engine "github.com/tirun/tirun/urlsession"
)

// taskState is what the binding keeps per running task. The engine's delegate goroutine and the
// loop share it under session.mu.
type taskState struct {
	id   uint64
	kind taskKind
	h    *loop.Handle // released with the post of sessioncompleted
	et   *engine.Task
	// handled: a recovered task announced by backgroundtransfer; its events are forgotten
	// by endBackgroundHandler, not on delivery.
	handled bool

	// Latest progress not yet delivered to JS. A delivery is queued on the loop exactly while
	// a slot is pending, so at most one post per task is ever queued: a slow listener sees
	// fewer, larger steps and memory stays flat however fast bytes move. The engine coalesces
	// for the delegate, which never blocks; this coalesces for the loop.
	up, down progressSlot
}

type progressSlot struct {
	pending                bool
	delta, total, expected int64
}

// delegate receives the engine's events for one session on the engine's goroutine. It never
// blocks: everything that touches JS is posted to the loop.
type delegate struct{ s *session }

func (d *delegate) DidReceiveResponse(*engine.Task, *engine.Response) {}

func (d *delegate) DidWriteData(t *engine.Task, written, totalWritten, totalExpected int64) {
	d.s.progress(t.ID(), false, written, totalWritten, totalExpected)
}

func (d *delegate) DidSendBodyData(t *engine.Task, sent, totalSent, totalExpected int64) {
	d.s.progress(t.ID(), true, sent, totalSent, totalExpected)
}

func (d *delegate) DidFinishDownloading(t *engine.Task, location string) {
	s := d.s
	ts := s.task(t.ID())
	if ts == nil {
		return
	}
	mime := ""
	suggested := ""
	if r := t.Response(); r != nil {
		mime, suggested = r.MIMEType, r.SuggestedFilename
	}
	if t.Journaled() {
		// A background download's file stays where the journal says until the event is
		// delivered and forgotten (the engine removes it then, at Close); the script gets
		// a second name for it in the temp directory, like any other download.
		path := s.m.linkDownload(location, suggested)
		journaled := path == location // otherwise the Blob's name is ours to delete
		ts.h.Post(func(vm *goja.Runtime) error {
			if err := s.fireDownloadCompleted(vm, ts.id, path, mime, journaled); err != nil {
				return err
			}
			return s.delivered(vm, ts, "downloadcompleted")
		})
		return
	}
	// The engine deletes location when this call returns: move it now (a rename, so a 1 GiB
	// file is never copied through memory).
	path, err := s.m.adoptDownload(location, suggested)
	if err != nil {
		s.m.rt.Logger().Error("Modules.URLSession: keeping the downloaded file failed: " + err.Error())
	}
	ts.h.Post(func(vm *goja.Runtime) error { return s.fireDownloadCompleted(vm, ts.id, path, mime, false) })
}

func (d *delegate) DidComplete(t *engine.Task, uerr *engine.URLError) {
	s := d.s
	s.mu.Lock()
	ts := s.tasks[t.ID()]
	delete(s.tasks, t.ID())
	s.mu.Unlock()
	if ts == nil {
		return
	}
	c := completion{id: ts.id}
	if uerr != nil {
		c.code, c.message = uerr.Code, uerr.Message
	} else {
		c.success = true
		if r := t.Response(); r != nil {
			c.status = r.StatusCode
		}
		if ts.kind != kindDownload {
			// Titanium only reports a body that arrived and decodes as UTF-8 text.
			if body := t.Body(); len(body) > 0 && utf8.Valid(body) {
				c.text, c.hasText = string(body), true
			}
		}
	}
	ts.h.PostAndRelease(func(vm *goja.Runtime) error {
		if err := s.fireCompleted(vm, c); err != nil {
			return err
		}
		return s.delivered(vm, ts, "sessioncompleted")
	})
}

func (d *delegate) DidBecomeInvalid(error) {
	s := d.s
	s.mu.Lock()
	h := s.invalidRef
	s.invalidRef = nil
	s.mu.Unlock()
	job := func(*goja.Runtime) error {
		// Every task's last event was queued before this job: the session is done with JS.
		s.invalidated = true
		s.m.forget(s)
		s.p.RemoveAllListeners()
		return nil
	}
	if h != nil {
		h.PostAndRelease(job)
	} else {
		s.m.rt.Loop().RunOnLoop(job) // invalidated by the engine closing with the runtime
	}
}

func (s *session) task(id uint64) *taskState {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tasks[id]
}

// progress records the latest counters of one direction and queues a delivery unless one is
// already queued.
func (s *session) progress(id uint64, upload bool, delta, total, expected int64) {
	s.mu.Lock()
	ts := s.tasks[id]
	if ts == nil {
		s.mu.Unlock()
		return
	}
	slot := &ts.down
	if upload {
		slot = &ts.up
	}
	post := !ts.up.pending && !ts.down.pending // otherwise a queued delivery will take this step
	slot.pending = true
	slot.delta += delta // steps merged while a post waits still add up to the total
	slot.total, slot.expected = total, expected
	s.mu.Unlock()
	if post {
		ts.h.Post(func(vm *goja.Runtime) error { return s.deliverProgress(vm, ts) })
	}
}

// deliverProgress runs on the loop: it takes whatever progress is pending now.
func (s *session) deliverProgress(vm *goja.Runtime, ts *taskState) error {
	s.mu.Lock()
	up, down := ts.up, ts.down
	ts.up, ts.down = progressSlot{}, progressSlot{}
	s.mu.Unlock()
	if up.pending {
		if err := s.fireProgress(vm, "uploadprogress", ts.id, up, "bytesSent", "totalBytesSent", "totalBytesExpectedToSend"); err != nil {
			return err
		}
	}
	if down.pending {
		return s.fireProgress(vm, "downloadprogress", ts.id, down, "bytesWritten", "totalBytesWritten", "totalBytesExpectedToWrite")
	}
	return nil
}
