package urlsession

import (
	"sync"

	"github.com/dop251/goja"

	"github.com/tirun/tirun/runtime/loop"
	"github.com/tirun/tirun/runtime/proxy"
	engine "github.com/tirun/tirun/urlsession"
)

// session is a Session proxy over one engine session.
type session struct {
	m   *module
	p   *proxy.Proxy
	es  *engine.Session
	cfg engine.Configuration // the copy the session was made with

	// Loop goroutine only.
	idValue     goja.Value   // sessionIdentifier for payloads, converted once; nil without identifier
	cfgObj      *goja.Object // `configuration`, built on first read
	invalidated bool
	// Background sessions taking over an earlier process's work (background.go).
	recoveredLeft int  // recovered tasks whose sessioncompleted is still to be delivered
	eventsPending bool // sessioneventscompleted is still to be fired

	mu         sync.Mutex            // guards the fields below; the engine's delegate goroutine shares them
	tasks      map[uint64]*taskState // running tasks, until their sessioncompleted is posted
	invalidRef *loop.Handle          // keeps the loop up from invalidation until the session drops its listeners
}

func newSession(m *module, e *engine.Engine, cfg engine.Configuration) (*session, error) {
	vm := m.vm
	s := &session{m: m, cfg: cfg, tasks: make(map[uint64]*taskState)}
	es, err := e.NewSession(cfg, &delegate{s: s})
	if err != nil {
		return nil, err
	}
	s.es = es
	if cfg.Identifier != "" {
		s.idValue = vm.ToValue(cfg.Identifier)
	}
	s.p = proxy.New(vm, m.rt.Loop(), apiSession)
	s.p.SetParent(m.proxy)
	s.p.SetNative(s)

	s.p.CreationOnly("configuration", func() goja.Value {
		if s.cfgObj == nil {
			// A copy of the copy: editing it changes neither the session nor this snapshot.
			s.cfgObj = m.wrapConfiguration(cloneConfiguration(s.cfg)).p.Object()
		}
		return s.cfgObj
	})
	for name, kind := range map[string]taskKind{"dataTask": kindData, "downloadTask": kindDownload, "uploadTask": kindUpload} {
		fn, kind := "Session."+name, kind
		s.p.Method(name, func(call goja.FunctionCall) goja.Value {
			return s.startTask(fn, kind, call.Argument(0))
		})
	}
	s.p.Method("finishTasksAndInvalidate", func(goja.FunctionCall) goja.Value {
		s.finishTasksAndInvalidate()
		return goja.Undefined()
	})
	s.p.Method("invalidateAndCancel", func(goja.FunctionCall) goja.Value {
		s.invalidateAndCancel()
		return goja.Undefined()
	})
	s.p.Method("reset", func(call goja.FunctionCall) goja.Value {
		s.whenDone("Session.reset", call.Argument(0), s.es.Reset)
		return goja.Undefined()
	})
	s.p.Method("flush", func(call goja.FunctionCall) goja.Value {
		s.whenDone("Session.flush", call.Argument(0), s.es.Flush)
		return goja.Undefined()
	})
	s.adoptRecovered(e)
	return s, nil
}

// finishTasksAndInvalidate lets running tasks finish and refuses new ones.
func (s *session) finishTasksAndInvalidate() {
	s.beginInvalidation()
	s.es.FinishTasksAndInvalidate()
}

// invalidateAndCancel cancels running tasks (each completes with -999) and refuses new ones.
func (s *session) invalidateAndCancel() {
	s.beginInvalidation()
	s.es.InvalidateAndCancel()
}

// beginInvalidation runs on the loop. From here the identifier is free for a new session, and
// a reference keeps the loop up until the engine reports the session invalid, so the last
// events and the listener cleanup are delivered.
func (s *session) beginInvalidation() {
	if s.invalidated {
		return
	}
	s.invalidated = true
	s.m.forget(s)
	h := s.m.rt.Loop().Ref()
	s.mu.Lock()
	s.invalidRef = h
	s.mu.Unlock()
}

// whenDone implements reset and flush: the engine's completion becomes callback.call(session,
// {completed: true}) on the loop, always asynchronously.
func (s *session) whenDone(fn string, cb goja.Value, op func(done func())) {
	call, ok := goja.AssertFunction(cb)
	if !ok {
		proxy.ThrowTypeError(s.m.vm, "%s: argument 'callback' must be a function", fn)
	}
	h := s.m.rt.Loop().Ref()
	op(func() {
		h.PostAndRelease(func(vm *goja.Runtime) error {
			ev := vm.NewObject()
			_ = ev.Set("completed", true)
			_, err := call(s.p.Object(), ev)
			return err
		})
	})
}

// startTask creates, registers and resumes a task; it returns the task identifier.
func (s *session) startTask(fn string, kind taskKind, arg goja.Value) goja.Value {
	vm := s.m.vm
	opts, ok := plainObject(arg)
	if !ok {
		proxy.ThrowTypeError(vm, "%s: argument 'args' must be an object such as {url: 'https://...'}", fn)
	}
	req := s.m.request(fn, kind, opts)
	if s.invalidated {
		proxy.ThrowError(vm, "%s: the session has been invalidated; create a new session to start tasks", fn)
	}
	// The reference is taken now, on the loop, so the loop cannot end before the task's
	// sessioncompleted is delivered.
	h := s.taskRef()
	var t *engine.Task
	var err error
	switch kind {
	case kindDownload:
		t, err = s.es.DownloadTask(req)
	case kindUpload:
		t, err = s.es.UploadTask(req)
	default:
		t, err = s.es.DataTask(req)
	}
	if err != nil {
		h.Release()
		proxy.ThrowError(vm, "%s: %v", fn, err)
	}
	s.mu.Lock()
	s.tasks[t.ID()] = &taskState{id: t.ID(), kind: kind, h: h, et: t}
	s.mu.Unlock()
	t.Resume()
	return vm.ToValue(int64(t.ID()))
}
