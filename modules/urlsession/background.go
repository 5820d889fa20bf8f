package urlsession

import (
	"fmt"
	"strconv"
	"time"

	"github.com/dop251/goja"

	"github.com/tirun/tirun/runtime"
	"github.com/tirun/tirun/runtime/loop"
	engine "github.com/tirun/tirun/urlsession"
)

// The app-level flow of background sessions (titanium-api.md §4.2a, issue 6), as on
// iOS: after the main script's top-level code ran, every background session with work
// left by an earlier process gets `backgroundtransfer` {sessionId, handlerId} on
// Ti.App.iOS. The script re-creates the session (same identifier); its recovered tasks
// continue and the events they owe are delivered; once all are delivered
// `sessioneventscompleted` {sessionIdentifier} follows, and
// Ti.App.iOS.endBackgroundHandler(handlerId) lets the journal forget them. An event is
// marked delivered only after its listeners returned: one whose listener threw ends the
// run and is delivered again by the next process.

func init() {
	runtime.RegisterAfterMain("com.appcelerator.urlSession background", announceBackground)
}

type moduleKey struct{}

// moduleFor returns the runtime's module instance: the after-main hook and require() must
// share one (one engine, one table of live sessions per runtime). Both run on the loop, whose
// Local store lives exactly as long as the runtime.
func moduleFor(rt *runtime.Runtime) *module {
	return rt.Loop().Local(moduleKey{}, func() any { return newModule(rt) }).(*module)
}

// announceBackground is the after-main hook. Without a journal in the data directory no
// earlier process left background work, and no engine is started.
func announceBackground(rt *runtime.Runtime) error {
	if !engine.HasBackgroundJournal(rt.DataDir()) {
		return nil
	}
	m := moduleFor(rt)
	if m.announced {
		return nil // one announcement per runtime, not per script run
	}
	m.announced = true
	e, err := m.engineFor()
	if err != nil {
		rt.Logger().Warn(fmt.Sprintf("%s: background sessions cannot be resumed: %v", ModuleID, err))
		return nil
	}
	ids, err := e.PendingBackgroundSessions()
	if err != nil {
		rt.Logger().Warn(fmt.Sprintf("%s: background sessions cannot be resumed: %v", ModuleID, err))
		return nil
	}
	if len(ids) == 0 {
		return nil
	}
	rt.SetBackgroundHandlerHook(m.endBackgroundHandler)
	for _, id := range ids {
		if _, live := m.live[id]; live {
			// The script re-created the session itself at the top level: it has taken
			// the earlier work over already and there is nothing to hand it.
			continue
		}
		handlerID := m.newHandlerID()
		m.handlers[handlerID] = id
		m.awaiting[id] = handlerID
		ev := rt.VM().NewObject()
		_ = ev.Set("sessionId", id)
		_ = ev.Set("handlerId", handlerID)
		if err := rt.AppIOS().Dispatch("backgroundtransfer", ev); err != nil {
			return err
		}
	}
	return nil
}

// newHandlerID is "Session-<unix seconds with fraction>", the form Titanium uses, made
// unique within the runtime.
func (m *module) newHandlerID() string {
	for {
		now := time.Now()
		id := "Session-" + strconv.FormatInt(now.Unix(), 10) + "." + fmt.Sprintf("%06d", now.Nanosecond()/1000)
		if _, dup := m.handlers[id]; !dup {
			return id
		}
		time.Sleep(time.Microsecond)
	}
}

// endBackgroundHandler is Ti.App.iOS.endBackgroundHandler for our handlers: the app has
// taken the session's events, the journal may forget them.
func (m *module) endBackgroundHandler(handlerID string) {
	id, ok := m.handlers[handlerID]
	if !ok {
		m.rt.Logger().Warn(fmt.Sprintf("Ti.App.iOS.endBackgroundHandler: unknown handler id %q", handlerID))
		return
	}
	delete(m.handlers, handlerID)
	if m.awaiting[id] == handlerID {
		delete(m.awaiting, id)
	}
	e, err := m.engineFor()
	if err == nil {
		err = e.AcknowledgeBackground(id)
	}
	if err != nil {
		m.rt.Logger().Warn(fmt.Sprintf("Ti.App.iOS.endBackgroundHandler: %v", err))
	}
}

// adoptRecovered registers the tasks a background session took over from an earlier
// process, then lets their events flow and the running ones continue. Loop goroutine,
// inside createSession; e is the engine the session was made on.
func (s *session) adoptRecovered(e *engine.Engine) {
	if s.cfg.Kind != engine.KindBackground {
		return
	}
	recovered := s.es.Recovered()
	_, announced := s.m.awaiting[s.cfg.Identifier]
	if !announced {
		// The script took the session over without a backgroundtransfer handler, so no
		// endBackgroundHandler will come: what earlier processes delivered is done with.
		if err := e.AcknowledgeBackground(s.cfg.Identifier); err != nil {
			s.m.rt.Logger().Warn(fmt.Sprintf("%s: %v", ModuleID, err))
		}
	}
	if len(recovered) == 0 && !announced {
		return
	}
	s.mu.Lock()
	for _, t := range recovered {
		s.tasks[t.ID()] = &taskState{id: t.ID(), kind: kindDownload, h: s.taskRef(), et: t, handled: announced}
	}
	s.mu.Unlock()
	s.recoveredLeft = len(recovered)
	s.eventsPending = true
	s.es.DeliverRecovered()
	for _, t := range recovered {
		t.Resume() // a no-op for tasks that completed in the earlier process
	}
	if len(recovered) == 0 { // only delivered, unacknowledged events: nothing more will come
		h := s.m.rt.Loop().Ref()
		h.PostAndRelease(func(vm *goja.Runtime) error { return s.maybeEventsCompleted(vm) })
	}
}

// taskRef takes the loop reference that keeps the run alive until a task's
// sessioncompleted is delivered. With LeaveBackgroundTasks a background session's
// tasks do not hold the run: it may end and leave them to the next process.
func (s *session) taskRef() *loop.Handle {
	h := s.m.rt.Loop().Ref()
	if s.cfg.Kind == engine.KindBackground && s.m.rt.LeaveBackgroundTasks() {
		h.Release() // posting still works while the loop runs
	}
	return h
}

// delivered runs on the loop after an event's listeners returned without throwing.
func (s *session) delivered(vm *goja.Runtime, ts *taskState, name string) error {
	if ts.et == nil || !ts.et.Journaled() {
		return nil
	}
	if err := ts.et.MarkDelivered(name); err != nil {
		s.m.rt.Logger().Warn(fmt.Sprintf("%s: recording the delivery of %s: %v", ModuleID, name, err))
	}
	if name != "sessioncompleted" {
		return nil
	}
	if !ts.handled {
		// Delivered outside a backgroundtransfer handler (a task of this process, or one
		// the script took over without being asked): no endBackgroundHandler will
		// acknowledge it, and nobody later needs it.
		if err := ts.et.Forget(); err != nil {
			s.m.rt.Logger().Warn(fmt.Sprintf("%s: forgetting a delivered task: %v", ModuleID, err))
		}
		return nil
	}
	s.recoveredLeft--
	return s.maybeEventsCompleted(vm)
}

// maybeEventsCompleted fires sessioneventscompleted once every recovered task's events
// were delivered.
func (s *session) maybeEventsCompleted(vm *goja.Runtime) error {
	if !s.eventsPending || s.recoveredLeft > 0 {
		return nil
	}
	s.eventsPending = false
	ev := vm.NewObject()
	_ = ev.Set("sessionIdentifier", s.cfg.Identifier)
	return s.m.rt.AppIOS().Dispatch("sessioneventscompleted", ev)
}
