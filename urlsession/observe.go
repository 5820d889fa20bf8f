package urlsession

import (
	"fmt"
	"time"

	"github.com/tirun/tirun/telemetry"
)

// observedDelegate reports every delegate call to the engine's observer just before making
// it. The engine calls a session's delegate serially, so a session's events keep their order;
// the observer is non-blocking by contract, so it never slows the transfer.
type observedDelegate struct {
	inner Delegate
	s     *Session // reports through s.observeEvent
}

func (d *observedDelegate) emit(task uint64, name string, payload map[string]any) {
	d.s.observeEvent(task, name, payload)
}

func (d *observedDelegate) DidReceiveResponse(t *Task, r *Response) {
	d.emit(t.ID(), telemetry.EventResponse, map[string]any{"status": r.StatusCode, "url": r.URL,
		"proto": r.Proto, "expectedLength": r.ExpectedContentLength})
	d.inner.DidReceiveResponse(t, r)
}

func (d *observedDelegate) DidWriteData(t *Task, written, totalWritten, totalExpected int64) {
	d.emit(t.ID(), telemetry.EventDownloadProgress, map[string]any{"written": written,
		"totalWritten": totalWritten, "totalExpected": totalExpected})
	d.inner.DidWriteData(t, written, totalWritten, totalExpected)
}

func (d *observedDelegate) DidSendBodyData(t *Task, sent, totalSent, totalExpected int64) {
	d.emit(t.ID(), telemetry.EventUploadProgress, map[string]any{"sent": sent,
		"totalSent": totalSent, "totalExpected": totalExpected})
	d.inner.DidSendBodyData(t, sent, totalSent, totalExpected)
}

func (d *observedDelegate) DidFinishDownloading(t *Task, location string) {
	d.emit(t.ID(), telemetry.EventFinishDownloading, map[string]any{"file": telemetry.DescribeFile(location)})
	d.inner.DidFinishDownloading(t, location)
}

func (d *observedDelegate) DidComplete(t *Task, err *URLError) {
	p := map[string]any{"url": t.CurrentURL(), "bytesReceived": t.CountOfBytesReceived(),
		"bytesSent": t.CountOfBytesSent()}
	if r := t.Response(); r != nil {
		p["status"] = r.StatusCode
	}
	if err != nil {
		p["code"], p["message"] = err.Code, err.Message
	}
	d.emit(t.ID(), telemetry.EventComplete, p)
	d.inner.DidComplete(t, err)
}

func (d *observedDelegate) DidBecomeInvalid(err error) {
	var p map[string]any
	if err != nil {
		p = map[string]any{"error": err.Error()}
	}
	d.emit(0, telemetry.EventSessionInvalid, p)
	d.inner.DidBecomeInvalid(err)
}

// observeStart reports a task leaving the suspended state for the first time.
func (s *Session) observeStart(t *Task) {
	if s.observer == nil {
		return
	}
	s.observeEvent(t.id, telemetry.EventTaskStart,
		map[string]any{"kind": t.kind.String(), "method": requestMethod(t.kind, t.req), "url": t.req.URL})
}

// observeEvent reports one engine event of the session; s.observer is set.
func (s *Session) observeEvent(task uint64, name string, payload map[string]any) {
	s.observer.Observe(telemetry.Event{Time: time.Now(), Source: telemetry.SourceEngine,
		Session: s.name, Task: task, Name: name, Payload: payload})
}

// observe gives s its telemetry name and, when the engine has an observer, wraps the
// delegate and the transport so both report to it. Without an observer nothing changes.
func (e *Engine) observe(s *Session) {
	s.name = s.cfg.Identifier
	if s.name == "" {
		s.name = fmt.Sprintf("%s-%d", s.cfg.Kind, e.sessionSeq.Add(1))
	}
	if e.observer == nil {
		return
	}
	s.observer = e.observer
	s.delegate = &observedDelegate{inner: s.delegate, s: s}
	s.transport = telemetry.Transport(s.transport, e.observer)
}

// Name is how telemetry names the session: its identifier, or "default-N" /
// "ephemeral-N" for sessions without one.
func (s *Session) Name() string { return s.name }
