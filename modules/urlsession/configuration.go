package urlsession

import (
	"crypto/tls"
	"math"
	"slices"
	"time"

	"github.com/dop251/goja"

	"github.com/tirun/tirun/runtime/proxy"
	engine "github.com/tirun/tirun/urlsession"
)

// NSHTTPCookieAcceptPolicy values; the engine numbers its policies differently.
const (
	cookiePolicyAlways       = 0
	cookiePolicyNever        = 1
	cookiePolicyMainDocument = 2
)

// maxSeconds bounds timeouts so seconds*1e9 fits a time.Duration (about 292 years).
const maxSeconds = 1e9

// configuration is a SessionConfiguration proxy: an engine configuration edited from JS until a
// session copies it.
type configuration struct {
	m   *module
	p   *proxy.Proxy
	cfg engine.Configuration // its Kind is the configuration's type
}

// configProp is one settable property, accepted both in the creation dictionary and by
// assignment.
type configProp struct {
	name string
	get  func(c *configuration) goja.Value
	set  func(c *configuration, v goja.Value)
}

// newConfiguration builds a configuration from a creation dictionary. fn names the calling
// function in errors about creation-only keys.
func (m *module) newConfiguration(fn string, opts *goja.Object) *configuration {
	vm := m.vm
	id := ""
	if v := get(opts, "identifier"); !absent(v) {
		if !goja.IsString(v) || v.String() == "" {
			proxy.ThrowTypeError(vm, "%s: 'identifier' must be a non-empty string", fn)
		}
		id = v.String()
	}
	typ := typeBackground
	if v := get(opts, "type"); !absent(v) {
		n, ok := integer(v)
		if !ok || n < int64(typeDefault) || n > int64(typeBackground) {
			proxy.ThrowTypeError(vm, "%s: 'type' must be one of the SESSION_CONFIGURATION_TYPE_* constants", fn)
		}
		typ = int(n)
	}
	var cfg engine.Configuration
	switch typ {
	case typeBackground:
		if id == "" {
			proxy.ThrowTypeError(vm, "%s: 'identifier' must be a non-empty string (required for a background configuration)", fn)
		}
		cfg = engine.BackgroundConfiguration(id)
	case typeEphemeral:
		cfg = engine.EphemeralConfiguration()
	default:
		cfg = engine.DefaultConfiguration()
	}
	cfg.Identifier = id
	c := m.wrapConfiguration(cfg)
	// Creation keys are applied in a fixed order with the same validation as assignment.
	for _, pr := range configProps {
		if v := opts.Get(pr.name); v != nil && !goja.IsUndefined(v) {
			pr.set(c, v)
		}
	}
	return c
}

// wrapConfiguration makes the SessionConfiguration proxy around cfg.
func (m *module) wrapConfiguration(cfg engine.Configuration) *configuration {
	vm := m.vm
	c := &configuration{m: m, cfg: cfg}
	c.p = proxy.New(vm, m.rt.Loop(), apiConfiguration)
	c.p.SetNative(c)
	c.p.CreationOnly("identifier", func() goja.Value {
		if c.cfg.Identifier == "" {
			return goja.Undefined()
		}
		return vm.ToValue(c.cfg.Identifier)
	})
	c.p.CreationOnly("type", func() goja.Value { return vm.ToValue(int(c.cfg.Kind)) })
	for _, pr := range configProps {
		pr := pr
		c.p.Accessor(pr.name, func() goja.Value { return pr.get(c) }, func(v goja.Value) { pr.set(c, v) })
	}
	c.p.Method("setHTTPHeaderFields", func(call goja.FunctionCall) goja.Value {
		c.cfg.HTTPAdditionalHeaders = headersArg(vm, call.Argument(0), "SessionConfiguration.setHTTPHeaderFields: argument 'headers'")
		return goja.Undefined()
	})
	return c
}

// cloneConfiguration deep-copies the slices, so a session's copy and the script's object never
// share state.
func cloneConfiguration(cfg engine.Configuration) engine.Configuration {
	cfg.HTTPAdditionalHeaders = slices.Clone(cfg.HTTPAdditionalHeaders)
	cfg.TrustedHosts = slices.Clone(cfg.TrustedHosts)
	return cfg
}

var configProps = []configProp{
	{"HTTPHeaderFields",
		func(c *configuration) goja.Value { return headersObject(c.m.vm, c.cfg.HTTPAdditionalHeaders) },
		func(c *configuration, v goja.Value) {
			c.cfg.HTTPAdditionalHeaders = headersArg(c.m.vm, v, "SessionConfiguration.HTTPHeaderFields")
		}},
	secondsProp("timeoutIntervalForRequest", func(c *engine.Configuration) *time.Duration { return &c.TimeoutIntervalForRequest }),
	secondsProp("timeoutIntervalForResource", func(c *engine.Configuration) *time.Duration { return &c.TimeoutIntervalForResource }),
	{"HTTPMaximumConnectionsPerHost",
		func(c *configuration) goja.Value { return c.m.vm.ToValue(c.cfg.HTTPMaximumConnectionsPerHost) },
		func(c *configuration, v goja.Value) {
			n, ok := integer(v)
			if !ok || n < 1 || n > 65535 {
				proxy.ThrowTypeError(c.m.vm, "SessionConfiguration.HTTPMaximumConnectionsPerHost must be an integer from 1 to 65535")
			}
			c.cfg.HTTPMaximumConnectionsPerHost = int(n)
		}},
	boolProp("HTTPShouldSetCookies", func(c *engine.Configuration) *bool { return &c.HTTPShouldSetCookies }),
	{"HTTPCookieAcceptPolicy",
		func(c *configuration) goja.Value {
			return c.m.vm.ToValue(cookiePolicyToJS(c.cfg.HTTPCookieAcceptPolicy))
		},
		func(c *configuration, v goja.Value) {
			n, ok := integer(v)
			p, known := cookiePolicyFromJS(n)
			if !ok || !known {
				proxy.ThrowTypeError(c.m.vm, "SessionConfiguration.HTTPCookieAcceptPolicy must be one of the HTTP_COOKIE_ACCEPT_POLICY_* constants")
			}
			c.cfg.HTTPCookieAcceptPolicy = p
		}},
	{"requestCachePolicy",
		func(c *configuration) goja.Value { return c.m.vm.ToValue(int(c.cfg.RequestCachePolicy)) },
		func(c *configuration, v goja.Value) {
			n, ok := integer(v)
			if !ok || n < int64(engine.UseProtocolCachePolicy) || n > int64(engine.ReturnCacheDataDontLoad) {
				proxy.ThrowTypeError(c.m.vm, "SessionConfiguration.requestCachePolicy must be one of the REQUEST_CACHE_POLICY_* constants")
			}
			c.cfg.RequestCachePolicy = engine.CachePolicy(n)
		}},
	boolProp("allowsCellularAccess", func(c *engine.Configuration) *bool { return &c.AllowsCellularAccess }),
	boolProp("waitsForConnectivity", func(c *engine.Configuration) *bool { return &c.WaitsForConnectivity }),
	boolProp("discretionary", func(c *engine.Configuration) *bool { return &c.Discretionary }),
	boolProp("sessionSendsLaunchEvents", func(c *engine.Configuration) *bool { return &c.SessionSendsLaunchEvents }),
	{"TLSMinimumSupportedProtocolVersion",
		func(c *configuration) goja.Value {
			v := c.cfg.TLSMinimumVersion
			if v == 0 {
				v = tls.VersionTLS12 // the engine's documented default
			}
			return c.m.vm.ToValue(int(v))
		},
		func(c *configuration, v goja.Value) {
			n, ok := integer(v)
			if !ok || n < tls.VersionTLS10 || n > tls.VersionTLS13 {
				proxy.ThrowTypeError(c.m.vm, "SessionConfiguration.TLSMinimumSupportedProtocolVersion must be one of the TLS_VERSION_* constants")
			}
			c.cfg.TLSMinimumVersion = uint16(n)
		}},
}

// secondsProp is a timeout in seconds (NSTimeInterval), positive and finite.
func secondsProp(name string, field func(*engine.Configuration) *time.Duration) configProp {
	return configProp{name,
		func(c *configuration) goja.Value { return c.m.vm.ToValue(field(&c.cfg).Seconds()) },
		func(c *configuration, v goja.Value) {
			f := math.NaN()
			if goja.IsNumber(v) {
				f = v.ToFloat()
			}
			if !(f > 0 && f <= maxSeconds) { // also rejects NaN
				proxy.ThrowTypeError(c.m.vm, "SessionConfiguration.%s must be a positive number of seconds (at most %g)", name, float64(maxSeconds))
			}
			*field(&c.cfg) = time.Duration(f * float64(time.Second))
		}}
}

func boolProp(name string, field func(*engine.Configuration) *bool) configProp {
	return configProp{name,
		func(c *configuration) goja.Value { return c.m.vm.ToValue(*field(&c.cfg)) },
		func(c *configuration, v goja.Value) {
			b, ok := v.Export().(bool)
			if _, boxed := v.(*goja.Object); !ok || boxed { // primitives only, like the other checks

				proxy.ThrowTypeError(c.m.vm, "SessionConfiguration.%s must be a boolean", name)
			}
			*field(&c.cfg) = b
		}}
}

// integer accepts a JS number with no fractional part.
func integer(v goja.Value) (int64, bool) {
	if v == nil || !goja.IsNumber(v) {
		return 0, false
	}
	f := v.ToFloat()
	if math.IsNaN(f) || math.IsInf(f, 0) || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, false
	}
	return int64(f), true
}

func cookiePolicyToJS(p engine.CookieAcceptPolicy) int {
	switch p {
	case engine.CookieAcceptAlways:
		return cookiePolicyAlways
	case engine.CookieAcceptNever:
		return cookiePolicyNever
	default:
		return cookiePolicyMainDocument
	}
}

func cookiePolicyFromJS(n int64) (engine.CookieAcceptPolicy, bool) {
	switch n {
	case cookiePolicyAlways:
		return engine.CookieAcceptAlways, true
	case cookiePolicyNever:
		return engine.CookieAcceptNever, true
	case cookiePolicyMainDocument:
		return engine.CookieAcceptOnlyFromMainDocumentDomain, true
	}
	return 0, false
}
