package urlsession

import (
	"github.com/dop251/goja"

	"github.com/tirun/tirun/runtime/proxy"
)

// nativeOf returns the Go value of type T a proxy of this package keeps behind its JS object
// (proxy.SetNative). proxy.FromValue only accepts the proxy's own object, so neither an object
// inheriting from a Session nor a look-alike passes.
func nativeOf[T any](v goja.Value) (T, bool) {
	if p, ok := proxy.FromValue(v); ok {
		n, ok := p.Native().(T)
		return n, ok
	}
	var zero T
	return zero, false
}

func configurationFrom(v goja.Value) (*configuration, bool) { return nativeOf[*configuration](v) }

func sessionFrom(v goja.Value) (*session, bool) { return nativeOf[*session](v) }
