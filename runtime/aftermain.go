package runtime

import (
	"fmt"
	"sync"

	"github.com/dop251/goja"
)

// AfterMainHook runs on the loop goroutine once the main script's top-level code has
// run without throwing, before any queued callback: the point where an iOS app has
// installed its listeners and the system delivers launch events such as
// backgroundtransfer. A returned error ends the run like an uncaught exception.
type AfterMainHook func(rt *Runtime) error

var (
	afterMainMu    sync.RWMutex
	afterMainHooks []afterMainEntry
)

type afterMainEntry struct {
	name string
	hook AfterMainHook
}

// RegisterAfterMain adds a hook run after the main script of every runtime (each
// RunFile/RunString). Call it from init(); name identifies it in errors.
func RegisterAfterMain(name string, hook AfterMainHook) {
	if name == "" || hook == nil {
		panic("runtime.RegisterAfterMain: name and hook are required")
	}
	afterMainMu.Lock()
	defer afterMainMu.Unlock()
	afterMainHooks = append(afterMainHooks, afterMainEntry{name, hook})
}

// runAfterMain runs the registered hooks in registration order; a panicking hook
// becomes an error instead of taking down the host.
func (rt *Runtime) runAfterMain() error {
	afterMainMu.RLock()
	hooks := append([]afterMainEntry(nil), afterMainHooks...)
	afterMainMu.RUnlock()
	for _, h := range hooks {
		if err := callAfterMain(rt, h); err != nil {
			return err
		}
	}
	return nil
}

func callAfterMain(rt *Runtime, h afterMainEntry) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if ex, ok := r.(*goja.Exception); ok {
				err = ex // a JS listener threw inside the hook: the script's error
				return
			}
			err = fmt.Errorf("runtime: after-main hook %s panicked: %v", h.name, r)
		}
	}()
	return h.hook(rt)
}

// LeaveBackgroundTasks reports Options.LeaveBackgroundTasks: runs may end while background
// transfers are still going, and the next runtime on the same data directory continues them.
func (rt *Runtime) LeaveBackgroundTasks() bool { return rt.opts.LeaveBackgroundTasks }
