package urlsession

import (
	"crypto/tls"
	"fmt"

	"github.com/dop251/goja"

	"github.com/tirun/tirun/runtime"
	"github.com/tirun/tirun/runtime/proxy"
	engine "github.com/tirun/tirun/urlsession"
)

// ModuleID is the name scripts require.
const ModuleID = "com.appcelerator.urlSession"

// moduleGUID is the native module's manifest guid, exposed like the native module does.
const moduleGUID = "276644d1-41e7-4c67-88a3-55d4fbfa0f24"

const (
	apiModule        = "Modules.URLSession"
	apiSession       = "Modules.URLSession.Session"
	apiConfiguration = "Modules.URLSession.SessionConfiguration"
)

// Configuration types exposed as SESSION_CONFIGURATION_TYPE_*: the engine numbers its kinds
// as Titanium numbers the types (0, 1, 2), so a configuration's type is its engine Kind.
const (
	typeDefault    = int(engine.KindDefault)
	typeEphemeral  = int(engine.KindEphemeral)
	typeBackground = int(engine.KindBackground)
)

func init() {
	runtime.RegisterModule(ModuleID, func(rt *runtime.Runtime) (goja.Value, error) {
		return moduleFor(rt).proxy.Object(), nil
	})
}

// module is one runtime's instance of the module, owned by the loop goroutine (require, the
// after-main hook, JS calls and posted jobs are its only users).
type module struct {
	rt    *runtime.Runtime
	vm    *goja.Runtime
	proxy *proxy.Proxy
	// stringify is JSON.stringify as it was at load time, so a script replacing the global
	// cannot change what dataTask sends.
	stringify goja.Callable
	// live maps an identifier to the session created with it until that session is invalidated.
	live map[string]*session
	// Background sessions announced by backgroundtransfer (background.go).
	announced bool
	handlers  map[string]string // handlerId -> session identifier, until endBackgroundHandler
	awaiting  map[string]string // session identifier -> its handlerId

	engine *engine.Engine // created by the first engineFor
}

func newModule(rt *runtime.Runtime) *module {
	vm := rt.VM()
	m := &module{rt: rt, vm: vm, live: make(map[string]*session),
		handlers: make(map[string]string), awaiting: make(map[string]string)}
	if j, ok := vm.Get("JSON").(*goja.Object); ok {
		m.stringify, _ = goja.AssertFunction(j.Get("stringify"))
	}
	p := proxy.New(vm, rt.Loop(), apiModule)
	p.SetParent(rt.AppIOS()) // session events end on Ti.App.iOS, where Titanium scripts listen
	m.proxy = p

	p.Constant("moduleId", vm.ToValue(ModuleID))
	p.Constant("moduleGUID", vm.ToValue(moduleGUID))
	for name, v := range map[string]int{
		"SESSION_CONFIGURATION_TYPE_DEFAULT":                       typeDefault,
		"SESSION_CONFIGURATION_TYPE_EPHEMERAL":                     typeEphemeral,
		"SESSION_CONFIGURATION_TYPE_BACKGROUND":                    typeBackground,
		"REQUEST_CACHE_POLICY_USE_PROTOCOL":                        int(engine.UseProtocolCachePolicy),
		"REQUEST_CACHE_POLICY_RELOAD_IGNORING_LOCAL_CACHE":         int(engine.ReloadIgnoringLocalCacheData),
		"REQUEST_CACHE_POLICY_RETURN_CACHE_ELSE_LOAD":              int(engine.ReturnCacheDataElseLoad),
		"REQUEST_CACHE_POLICY_RETURN_CACHE_DONT_LOAD":              int(engine.ReturnCacheDataDontLoad),
		"HTTP_COOKIE_ACCEPT_POLICY_ALWAYS":                         cookiePolicyAlways,
		"HTTP_COOKIE_ACCEPT_POLICY_NEVER":                          cookiePolicyNever,
		"HTTP_COOKIE_ACCEPT_POLICY_ONLY_FROM_MAIN_DOCUMENT_DOMAIN": cookiePolicyMainDocument,
		"TLS_VERSION_1_0":                                          tls.VersionTLS10,
		"TLS_VERSION_1_1":                                          tls.VersionTLS11,
		"TLS_VERSION_1_2":                                          tls.VersionTLS12,
		"TLS_VERSION_1_3":                                          tls.VersionTLS13,
	} {
		p.Constant(name, vm.ToValue(v))
	}

	p.Method("createSessionConfiguration", m.jsCreateSessionConfiguration)
	p.Method("createSession", func(call goja.FunctionCall) goja.Value {
		return m.createSession("createSession", call.Argument(0))
	})
	m.installDeprecated()
	return m
}

// engineFor returns the runtime's engine, created on first use under the data directory and
// closed with the runtime. A failure is not remembered: the next session tries again.
func (m *module) engineFor() (*engine.Engine, error) {
	if m.engine != nil {
		return m.engine, nil
	}
	e, err := engine.NewEngine(engine.EngineOptions{
		DataDir:   m.rt.DataDir(),
		Transport: m.rt.Transport(),
		Logger:    m.rt.Logger(),
		Observer:  m.rt.Observer(), // progress bars, --trace and --har of tirun run
	})
	if err != nil {
		return nil, err
	}
	m.engine = e
	m.rt.OnClose(func() {
		if err := e.Close(); err != nil {
			m.rt.Logger().Warn(fmt.Sprintf("%s: closing the transfer engine: %v", ModuleID, err))
		}
	})
	return e, nil
}

// forget drops s from the identifier table if it is still the session registered there.
func (m *module) forget(s *session) {
	if id := s.cfg.Identifier; id != "" && m.live[id] == s {
		delete(m.live, id)
	}
}

// jsCreateSessionConfiguration is createSessionConfiguration({identifier, type, ...}).
func (m *module) jsCreateSessionConfiguration(call goja.FunctionCall) goja.Value {
	opts, ok := plainObject(call.Argument(0))
	if !ok {
		proxy.ThrowTypeError(m.vm, "createSessionConfiguration: argument 'options' must be an object")
	}
	return m.newConfiguration("createSessionConfiguration", opts).p.Object()
}

// createSession implements createSession and createURLSession: {configuration} or, deprecated,
// a bare SessionConfiguration.
func (m *module) createSession(fn string, arg goja.Value) goja.Value {
	var cfg *configuration
	if c, ok := configurationFrom(arg); ok {
		m.deprecated(fn+"(configuration)", "createSession({configuration: configuration})")
		cfg = c
	} else {
		opts, ok := plainObject(arg)
		if !ok {
			proxy.ThrowTypeError(m.vm, "%s: argument 'options' must be an object with a 'configuration'", fn)
		}
		if cfg, ok = configurationFrom(opts.Get("configuration")); !ok {
			proxy.ThrowTypeError(m.vm, "%s: 'configuration' must be a SessionConfiguration made by createSessionConfiguration", fn)
		}
	}
	snapshot := cloneConfiguration(cfg.cfg)
	if id := snapshot.Identifier; id != "" {
		if s, ok := m.live[id]; ok {
			return s.p.Object() // as the module's README promises: one live session per identifier
		}
	}
	e, err := m.engineFor()
	if err != nil {
		proxy.ThrowError(m.vm, "%s: the transfer engine could not start: %v", fn, err)
	}
	s, err := newSession(m, e, snapshot)
	if err != nil {
		proxy.ThrowError(m.vm, "%s: %v", fn, err)
	}
	if id := snapshot.Identifier; id != "" {
		m.live[id] = s
	}
	return s.p.Object()
}

// plainObject accepts a JS object that is neither a function nor an array, the shape of a
// Titanium creation dictionary.
func plainObject(v goja.Value) (*goja.Object, bool) {
	obj, ok := plainObjectOrArray(v)
	if !ok || obj.ClassName() == "Array" {
		return nil, false
	}
	return obj, true
}

// get reads obj[key], mapping a missing property to undefined.
func get(obj *goja.Object, key string) goja.Value {
	if v := obj.Get(key); v != nil {
		return v
	}
	return goja.Undefined()
}

// absent is true for undefined and null: optional arguments may be either.
func absent(v goja.Value) bool {
	return v == nil || goja.IsUndefined(v) || goja.IsNull(v)
}
