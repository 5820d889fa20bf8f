package urlsession

import (
	"fmt"
	"sync"

	"github.com/dop251/goja"

	"github.com/tirun/tirun/runtime/proxy"
)

// warned records which deprecated calls have logged their warning: once per process, so a
// loop calling an old API does not flood the log.
var warned sync.Map // string -> struct{}

// deprecated logs, the first time api is used in this process, what replaces it.
func (m *module) deprecated(api, replacement string) {
	if _, seen := warned.LoadOrStore(api, struct{}{}); seen {
		return
	}
	m.rt.Logger().Warn(fmt.Sprintf("%s: %s is deprecated; use %s instead", apiModule, api, replacement))
}

// installDeprecated defines the module-level calls of the module's 1.x/2.0 API. Each still
// works and says once what replaces it.
func (m *module) installDeprecated() {
	vm, p := m.vm, m.proxy
	p.Method("createURLSessionBackgroundConfiguration", func(call goja.FunctionCall) goja.Value {
		m.deprecated("createURLSessionBackgroundConfiguration(identifier)", "createSessionConfiguration({identifier: identifier})")
		id := call.Argument(0)
		if !goja.IsString(id) || id.String() == "" {
			proxy.ThrowTypeError(vm, "createURLSessionBackgroundConfiguration: argument 'identifier' must be a non-empty string")
		}
		opts := vm.NewObject()
		_ = opts.Set("identifier", id)
		return m.newConfiguration("createURLSessionBackgroundConfiguration", opts).p.Object()
	})
	p.Method("createURLSession", func(call goja.FunctionCall) goja.Value {
		m.deprecated("createURLSession", "createSession")
		return m.createSession("createURLSession", call.Argument(0))
	})
	p.Method("backgroundDownloadTaskWithURL", func(call goja.FunctionCall) goja.Value {
		m.deprecated("backgroundDownloadTaskWithURL(session, url)", "session.downloadTask({url: url})")
		s := m.sessionArg("backgroundDownloadTaskWithURL", call.Argument(0))
		u := call.Argument(1)
		if !goja.IsString(u) || u.String() == "" {
			proxy.ThrowTypeError(vm, "backgroundDownloadTaskWithURL: argument 'url' must be a non-empty string")
		}
		args := vm.NewObject()
		_ = args.Set("url", u)
		return s.startTask("backgroundDownloadTaskWithURL", kindDownload, args)
	})
	p.Method("finishTasksAndInvalidate", func(call goja.FunctionCall) goja.Value {
		m.deprecated("finishTasksAndInvalidate(session)", "session.finishTasksAndInvalidate()")
		m.sessionArg("finishTasksAndInvalidate", call.Argument(0)).finishTasksAndInvalidate()
		return goja.Undefined()
	})
	p.Method("invalidateAndCancel", func(call goja.FunctionCall) goja.Value {
		m.deprecated("invalidateAndCancel(session)", "session.invalidateAndCancel()")
		m.sessionArg("invalidateAndCancel", call.Argument(0)).invalidateAndCancel()
		return goja.Undefined()
	})
}

// sessionArg requires a Session made by this runtime's module.
func (m *module) sessionArg(fn string, v goja.Value) *session {
	if s, ok := sessionFrom(v); ok && s.m == m {
		return s
	}
	proxy.ThrowTypeError(m.vm, "%s: argument 'session' must be a Session made by createSession", fn)
	return nil
}
