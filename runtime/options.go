package runtime

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"sync"

	"github.com/dop251/goja"

	"github.com/tirun/tirun/telemetry"
)

// Version is the tirun version reported by Ti.version and `tirun version`.
const Version = "0.1.0"

// DefaultAppID is used when Options.AppID is empty.
const DefaultAppID = "com.tirun.app"

// Options configure a Runtime. The zero value is usable.
type Options struct {
	DataDir string // default: $XDG_DATA_HOME (or ~/.local/share)/tirun/<AppID>
	AppID   string // default DefaultAppID
	// ResourcesDir is Ti.Filesystem.resourcesDirectory and the base of relative blob paths
	// (default: the working directory; `tirun run` uses the script's directory).
	ResourcesDir string
	AppName      string            // Ti.App.name, default "tirun"
	AppVersion   string            // Ti.App.version, default "1.0.0"
	Logger       *slog.Logger      // default: levelled text logger on Stderr, "[INFO] msg"
	LogLevel     slog.Level        // minimum level of the default logger
	Transport    http.RoundTripper // optional override handed to native modules (tests, proxies)
	Modules      map[string]ModuleLoader
	Args         []string          // process.argv tail (after the script path)
	Env          map[string]string // extra process.env entries (e.g. TIRUN_FIXTURE_URL)
	Stdout       io.Writer         // default os.Stdout
	Stderr       io.Writer         // default os.Stderr
	// Observer receives what native modules see of transfers (tirun run's progress bars,
	// --trace, --har); nil means nobody listens. It must not block (see package telemetry).
	Observer telemetry.Observer
	// LeaveBackgroundTasks lets a run end while transfers of background sessions are still
	// going: they are journaled and the next runtime on the same DataDir continues them.
	// By default a run waits for them like for any other pending work.
	LeaveBackgroundTasks bool
}

// Observer is Options.Observer, for native modules (nil when nothing observes).
func (rt *Runtime) Observer() telemetry.Observer { return rt.opts.Observer }

// ModuleLoader builds the exports of a native module. It is called on the loop goroutine, once
// per runtime, the first time a script requires the module.
type ModuleLoader func(rt *Runtime) (goja.Value, error)

var (
	registryMu sync.RWMutex
	registry   = map[string]ModuleLoader{}
)

// RegisterModule makes require(name) resolve to loader in every runtime created afterwards.
// Call it from init(); registering a name twice is a programming error and panics.
func RegisterModule(name string, loader ModuleLoader) {
	if name == "" || loader == nil {
		panic("runtime.RegisterModule: name and loader are required")
	}
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := registry[name]; dup {
		panic(fmt.Sprintf("runtime.RegisterModule: module %q registered twice", name))
	}
	registry[name] = loader
}

// RegisteredModules lists the globally registered native module names, sorted.
func RegisteredModules() []string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// moduleLoaders merges the global registry with per-runtime modules (which win).
func moduleLoaders(extra map[string]ModuleLoader) map[string]ModuleLoader {
	registryMu.RLock()
	all := make(map[string]ModuleLoader, len(registry)+len(extra))
	for n, l := range registry {
		all[n] = l
	}
	registryMu.RUnlock()
	for n, l := range extra {
		if l != nil {
			all[n] = l
		}
	}
	return all
}
