package urlsession

import (
	"fmt"
	"time"
)

type eventKind int

const (
	evResponse eventKind = iota
	evProgress
	evFinishDownload
	evComplete
	evInvalid
	evCall
)

// event is one pending delegate call. A task has at most one evProgress queued at a
// time (Task.progressQueued): the dispatcher reads the task's live counters when it
// delivers it, so a slow delegate sees fewer, larger steps and memory stays flat.
type event struct {
	kind eventKind
	task *Task
	resp *Response
	path string
	err  *URLError
	fn   func()
}

// enqueueLocked appends ev; s.mu must be held. After the session delivered
// DidBecomeInvalid, plain callbacks still run (on their own goroutine), other events
// are dropped.
func (s *Session) enqueueLocked(ev event) {
	if s.dispatcherDone {
		if ev.kind == evCall && ev.fn != nil {
			go ev.fn()
		}
		return
	}
	s.queue = append(s.queue, ev)
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *Session) enqueue(ev event) {
	s.mu.Lock()
	s.enqueueLocked(ev)
	s.mu.Unlock()
}

// postProgress schedules a progress event for t unless one is already pending.
func (s *Session) postProgress(t *Task) {
	s.mu.Lock()
	if !t.progressQueued {
		t.progressQueued = true
		s.enqueueLocked(event{kind: evProgress, task: t})
	}
	s.mu.Unlock()
}

// progressGate limits one transfer direction to one progress post per interval.
type progressGate struct {
	interval time.Duration
	last     time.Time
}

func (g *progressGate) due(now time.Time) bool {
	if now.Sub(g.last) < g.interval {
		return false
	}
	g.last = now
	return true
}

// dispatch is the session's delegate goroutine. It takes all pending events at
// once (one lock round per batch, not per event) and delivers them in order.
func (s *Session) dispatch() {
	defer close(s.done)
	var spare []event
	for {
		s.mu.Lock()
		for len(s.queue) == 0 {
			s.mu.Unlock()
			<-s.wake
			s.mu.Lock()
		}
		batch := s.queue
		s.queue = spare[:0]
		last := false
		for i := range batch {
			switch batch[i].kind {
			case evProgress: // a later post may queue a new one; delivery reads live counters
				batch[i].task.progressQueued = false
			case evInvalid: // only plain callbacks can follow it
				s.dispatcherDone, last = true, true
			}
		}
		if last {
			s.queue = nil
		}
		s.mu.Unlock()
		for i := range batch {
			s.deliver(batch[i])
			if batch[i].kind == evInvalid {
				s.release()
			}
			batch[i] = event{}
		}
		if last {
			return
		}
		spare = batch
	}
}

func (s *Session) deliver(ev event) {
	d, t := s.delegate, ev.task
	switch ev.kind {
	case evResponse:
		s.safeCall("DidReceiveResponse", func() { d.DidReceiveResponse(t, ev.resp) })
	case evProgress:
		s.deliverProgress(t)
	case evFinishDownload:
		s.safeCall("DidFinishDownloading", func() { d.DidFinishDownloading(t, ev.path) })
		if !t.bgJournaled {
			removeQuietly(ev.path) // the delegate had its chance to move it
		}
	case evComplete:
		s.safeCall("DidComplete", func() { d.DidComplete(t, ev.err) })
	case evInvalid:
		s.safeCall("DidBecomeInvalid", func() { d.DidBecomeInvalid(nil) })
		// release (pool, directory) follows in dispatch.
	case evCall:
		if ev.fn != nil {
			s.safeCall("callback", ev.fn)
		}
	}
}

func (s *Session) deliverProgress(t *Task) {
	if t.expectedSend.Load() != 0 || t.sent.Load() != 0 {
		total := t.sent.Load()
		delta := total - t.deliveredSent
		if delta < 0 { // the body was re-sent after a redirect or retry
			delta = total
		}
		if total != t.deliveredSent {
			t.deliveredSent = total
			s.safeCall("DidSendBodyData", func() {
				s.delegate.DidSendBodyData(t, delta, total, t.expectedSend.Load())
			})
		}
	}
	if t.kind == KindDownloadTask {
		if e := t.receiveEpoch.Load(); e != t.deliveredEpoch { // a resumed download started over
			t.deliveredEpoch, t.deliveredReceived = e, 0
		}
		total := t.received.Load()
		if delta := total - t.deliveredReceived; delta > 0 {
			t.deliveredReceived = total
			s.safeCall("DidWriteData", func() {
				s.delegate.DidWriteData(t, delta, total, t.expectedReceive.Load())
			})
		}
	}
}

// safeCall keeps a panicking delegate from taking the process down with it.
func (s *Session) safeCall(name string, f func()) {
	defer func() {
		if r := recover(); r != nil {
			s.engine.logger.Error(fmt.Sprintf("urlsession: delegate %s panicked: %v", name, r),
				"session", s.cfg.Identifier)
		}
	}()
	f()
}
