package urlsession

import (
	"os"

	"github.com/dop251/goja"

	engine "github.com/tirun/tirun/urlsession"
)

// Payloads follow Titanium's TiApp (the newest variant): the same keys, in the same order, with
// sessionIdentifier only when the configuration has an identifier. Everything here runs on the
// loop; a payload is built only when some listener would receive it.

// completion is what sessioncompleted reports, captured on the engine's goroutine.
type completion struct {
	id      uint64
	success bool
	code    int
	message string
	status  int
	text    string
	hasText bool
}

// fire dispatches name on the Session (bubbling to the module and Ti.App.iOS). A listener's
// exception is returned, ending the loop run as an uncaught error like any other event.
func (s *session) fire(vm *goja.Runtime, name string, id uint64, fill func(ev *goja.Object)) error {
	if !s.p.HasListeners(name) {
		return nil
	}
	ev := vm.NewObject()
	_ = ev.Set("taskIdentifier", int64(id))
	if s.idValue != nil {
		_ = ev.Set("sessionIdentifier", s.idValue)
	}
	fill(ev)
	s.observe(name, id, ev) // tirun run --trace (telemetry.go)
	return s.p.Dispatch(name, ev)
}

func (s *session) fireProgress(vm *goja.Runtime, name string, id uint64, p progressSlot, deltaKey, totalKey, expectedKey string) error {
	return s.fire(vm, name, id, func(ev *goja.Object) {
		_ = ev.Set(deltaKey, p.delta)
		_ = ev.Set(totalKey, p.total)
		_ = ev.Set(expectedKey, expectedForJS(p.expected))
	})
}

// expectedForJS reports an unknown length as 0, as Titanium's documentation says (the native
// module leaks NSURLSessionTransferSizeUnknown as 2^64-1).
func expectedForJS(n int64) int64 {
	if n == engine.SizeUnknown || n < 0 {
		return 0
	}
	return n
}

// fireDownloadCompleted hands the adopted file to JS as a file-backed Blob. When nobody listens
// the file is deleted at once instead of waiting for the runtime to close.
func (s *session) fireDownloadCompleted(vm *goja.Runtime, id uint64, path, mime string, journaled bool) error {
	if !s.p.HasListeners("downloadcompleted") {
		if path != "" && !journaled {
			_ = os.Remove(path)
		}
		return nil
	}
	return s.fire(vm, "downloadcompleted", id, func(ev *goja.Object) {
		data := goja.Null() // the file could not be kept (logged when it happened)
		if path != "" {
			data = s.m.rt.NewFileBlob(path, mime)
		}
		_ = ev.Set("data", data)
	})
}

func (s *session) fireCompleted(vm *goja.Runtime, c completion) error {
	return s.fire(vm, "sessioncompleted", c.id, func(ev *goja.Object) {
		_ = ev.Set("success", c.success)
		_ = ev.Set("errorCode", c.code)
		if !c.success {
			_ = ev.Set("message", c.message)
			return
		}
		_ = ev.Set("statusCode", c.status)
		if c.hasText {
			_ = ev.Set("responseText", c.text)
		}
	})
}
