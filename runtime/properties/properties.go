// Package properties implements Ti.App.Properties: typed application settings that persist in
// the application data directory (see Store for the durability rules).
package properties

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/dop251/goja"

	"github.com/tirun/tirun/runtime/loop"
	"github.com/tirun/tirun/runtime/proxy"
)

const apiName = "Ti.App.Properties"

// Options tune InstallOptions. The zero value is what Install uses.
type Options struct {
	// Presets are read-only properties, like those a Titanium app declares in tiapp.xml:
	// string, bool, any integer, float64, or any JSON-encodable list/object.
	Presets map[string]any
	// Warn receives non-fatal problems (a preset a script tried to change, a failed write,
	// a corrupt store file moved aside). Nil discards them.
	Warn func(msg string)
}

// Properties is the installed Ti.App.Properties; Close flushes it.
type Properties struct {
	vm    *goja.Runtime
	loop  *loop.Loop
	proxy *proxy.Proxy
	store *Store
	json  jsonFuncs
	warn  func(string)

	flushQueued bool // loop goroutine only
}

// Install defines app.Properties (apiName 'Ti.App.Properties') backed by dataDir. Call it on the
// loop goroutine (or before Run); the returned Closer writes pending changes.
func Install(vm *goja.Runtime, l *loop.Loop, app *goja.Object, dataDir string) (io.Closer, error) {
	return InstallOptions(vm, l, app, dataDir, Options{})
}

// InstallOptions is Install with presets and a warning sink.
func InstallOptions(vm *goja.Runtime, l *loop.Loop, app *goja.Object, dataDir string, opts Options) (*Properties, error) {
	if vm == nil || l == nil || app == nil {
		return nil, errors.New("properties: Install needs a VM, a loop and the Ti.App object")
	}
	store, err := Open(dataDir)
	if err != nil {
		return nil, err
	}
	j, ok := captureJSON(vm)
	if !ok {
		return nil, errors.New("properties: the VM has no usable JSON object")
	}
	warn := opts.Warn
	if warn == nil {
		warn = func(string) {}
	}
	if w := store.Warning(); w != "" {
		warn(w)
	}
	for name, v := range opts.Presets {
		e, err := presetEntry(v)
		if err != nil {
			return nil, fmt.Errorf("properties: preset %q: %w", name, err)
		}
		store.SetPreset(name, e)
	}
	p := &Properties{vm: vm, loop: l, proxy: proxy.New(vm, l, apiName), store: store, json: j, warn: warn}
	p.bind()
	if err := app.DefineDataProperty("Properties", p.proxy.Object(), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_TRUE); err != nil {
		return nil, fmt.Errorf("properties: define Ti.App.Properties: %w", err)
	}
	return p, nil
}

func presetEntry(v any) (Entry, error) {
	kind := KindObject
	switch x := v.(type) {
	case string:
		kind = KindString
	case bool:
		kind = KindBool
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		kind = KindInt
	case float32, float64:
		kind = KindDouble
		if f, ok := x.(float64); ok {
			return Entry{Kind: kind, Value: encodeDouble(f)}, nil
		}
	case []any:
		kind = KindList
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return Entry{}, err
	}
	return Entry{Kind: kind, Value: raw}, nil
}

// Proxy is the Ti.App.Properties proxy (for bubbling or Go-side listeners).
func (p *Properties) Proxy() *proxy.Proxy { return p.proxy }

// Store is the underlying store.
func (p *Properties) Store() *Store { return p.store }

// Close writes pending changes and reports the last write error, if any. Safe from any
// goroutine once the loop no longer runs JS; calling it twice is harmless.
func (p *Properties) Close() error { return p.store.Flush() }

// changed persists and announces a change made by a script. The write happens once per loop
// turn, however many properties the script sets; the 'change' event fires once per call, as
// Titanium fires it for every set.
func (p *Properties) changed(name string, persist bool) {
	if persist && !p.flushQueued {
		p.flushQueued = p.loop.RunOnLoop(func(*goja.Runtime) error {
			p.flushQueued = false
			p.flush()
			return nil
		})
	}
	if p.proxy.HasListeners("change") {
		p.proxy.FireAsync(nil, "change", func(vm *goja.Runtime) *goja.Object {
			ev := vm.NewObject()
			if name != "" {
				_ = ev.Set("property", name)
			}
			return ev
		})
	}
}

func (p *Properties) flush() {
	if err := p.store.Flush(); err != nil {
		// The change stays pending: the next set or Close retries it.
		p.warn(err.Error())
	}
}
