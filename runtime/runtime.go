// Package runtime is the tirun JS host: a goja VM driven by an event loop, the Ti global,
// require with native modules, console and timers, behind a small embedding API.
package runtime

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/dop251/goja"

	"github.com/tirun/tirun/runtime/loop"
	"github.com/tirun/tirun/runtime/proxy"
	"github.com/tirun/tirun/runtime/tifs"
)

// Runtime is one JS world. Methods documented "loop goroutine" must be called from native code
// running on the loop; the others are safe from any goroutine.
type Runtime struct {
	opts    Options
	vm      *goja.Runtime
	loop    *loop.Loop
	logger  *slog.Logger
	dataDir string
	tempDir string

	ti, app, appIOS *proxy.Proxy
	process         *goja.Object
	fs              *tifs.FS
	closers         []io.Closer // native stores closed by Close after the hooks

	mu      sync.Mutex
	bgHook  func(id string)
	onClose []func()
	closed  bool
	runDone chan struct{} // non-nil while a script runs; closed when it returns
	exit    *ExitError    // set by process.exit during the current run (loop goroutine)
}

// closeWait bounds how long Close waits for an interrupted script to unwind before it
// releases resources anyway (only a native function stuck in Go can take that long).
const closeWait = 10 * time.Second

// New creates a runtime. Close it to release its loop, temp directory and native resources.
func New(opts Options) (*Runtime, error) {
	if opts.AppID == "" {
		opts.AppID = DefaultAppID
	}
	if opts.AppName == "" {
		opts.AppName = "tirun"
	}
	if opts.AppVersion == "" {
		opts.AppVersion = "1.0.0"
	}
	if opts.Stdout == nil {
		opts.Stdout = os.Stdout
	}
	if opts.Stderr == nil {
		opts.Stderr = os.Stderr
	}
	rt := &Runtime{opts: opts, logger: opts.Logger}
	if rt.logger == nil {
		rt.logger = NewLogger(opts.Stderr, opts.LogLevel)
	}
	var err error
	if rt.dataDir, err = resolveDataDir(opts.DataDir, opts.AppID); err != nil {
		return nil, err
	}
	if rt.tempDir, err = os.MkdirTemp("", "tirun-"); err != nil {
		return nil, fmt.Errorf("runtime: temp directory: %w", err)
	}
	rt.vm = goja.New()
	rt.loop = loop.New(rt.vm)
	for _, step := range []func() error{rt.installRequire, rt.installConsole, rt.installTi, rt.installProperties, rt.installFS} {
		if err := step(); err != nil {
			rt.Close()
			return nil, fmt.Errorf("runtime: setup: %w", err)
		}
	}
	return rt, nil
}

// resolveDataDir applies the default $XDG_DATA_HOME/tirun/<appid> and creates the directory.
func resolveDataDir(dir, appID string) (string, error) {
	if dir == "" {
		base := os.Getenv("XDG_DATA_HOME")
		if base == "" {
			home, err := os.UserHomeDir()
			if err != nil {
				return "", fmt.Errorf("runtime: no data directory: set Options.DataDir or $XDG_DATA_HOME: %w", err)
			}
			base = filepath.Join(home, ".local", "share")
		}
		if strings.ContainsAny(appID, `/\`) || appID == "." || appID == ".." {
			return "", fmt.Errorf("runtime: app id %q cannot be used as a directory name", appID)
		}
		dir = filepath.Join(base, "tirun", appID)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("runtime: data directory: %w", err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return "", fmt.Errorf("runtime: data directory: %w", err)
	}
	return abs, nil
}

// RunFile runs a script file, then the event loop until nothing is pending. The file's
// directory is the base of relative require() calls.
func (rt *Runtime) RunFile(ctx context.Context, path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	src, err := os.ReadFile(abs)
	if err != nil {
		return fmt.Errorf("cannot read script: %w", err)
	}
	return rt.run(ctx, abs, string(src))
}

// RunString runs src as a script named name (used in stack traces and as the base of relative
// requires), then the event loop until nothing is pending.
func (rt *Runtime) RunString(ctx context.Context, name, src string) error {
	return rt.run(ctx, name, src)
}

func (rt *Runtime) run(ctx context.Context, name, src string) error {
	rt.mu.Lock()
	if rt.closed {
		rt.mu.Unlock()
		return errors.New("runtime: closed")
	}
	done := make(chan struct{})
	rt.runDone = done
	rt.mu.Unlock()
	defer func() {
		rt.mu.Lock()
		rt.runDone = nil
		rt.mu.Unlock()
		close(done)
	}()
	prg, err := goja.Compile(name, src, false)
	if err != nil {
		return err
	}
	rt.exit = nil
	err = rt.loop.Run(ctx, func(vm *goja.Runtime) error {
		rt.setArgv(name)
		if _, err := vm.RunProgram(prg); err != nil {
			return err
		}
		return rt.runAfterMain()
	})
	if rt.exit != nil { // process.exit() interrupted the script on purpose
		return rt.exit
	}
	return err
}

// Close releases the loop, native resources (OnClose hooks, last registered first) and the temp
// directory. A run in progress is interrupted. Idempotent.
func (rt *Runtime) Close() error {
	rt.mu.Lock()
	if rt.closed {
		rt.mu.Unlock()
		return nil
	}
	rt.closed = true
	hooks := rt.onClose
	rt.onClose = nil
	running := rt.runDone
	rt.mu.Unlock()

	var errs []error
	if rt.loop != nil {
		rt.loop.Close() // interrupts a running script
	}
	if running != nil {
		// Native resources must outlive the script using them: wait for it to unwind.
		select {
		case <-running:
		case <-time.After(closeWait):
			errs = append(errs, fmt.Errorf("runtime: the running script did not stop within %v; closing anyway", closeWait))
		}
	}
	for i := len(hooks) - 1; i >= 0; i-- {
		if err := runHook(hooks[i]); err != nil {
			errs = append(errs, err)
		}
	}
	for i := len(rt.closers) - 1; i >= 0; i-- {
		if err := rt.closers[i].Close(); err != nil {
			errs = append(errs, err)
		}
	}
	if rt.tempDir != "" {
		if err := os.RemoveAll(rt.tempDir); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// runHook isolates cleanup hooks: one panicking hook must not skip the others.
func runHook(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("runtime: close hook panicked: %v", r)
		}
	}()
	f()
	return nil
}

// OnClose registers cleanup run by Close. Safe from any goroutine; after Close, f runs at once.
func (rt *Runtime) OnClose(f func()) {
	rt.mu.Lock()
	if !rt.closed {
		rt.onClose = append(rt.onClose, f)
		rt.mu.Unlock()
		return
	}
	rt.mu.Unlock()
	f()
}

// FireAppEvent fires name on Ti.App.iOS with payload (copied now). Safe from any goroutine;
// delivered asynchronously on the loop (dropped once the runtime is closed). Values must be
// convertible by goja (strings, numbers, bools, maps, slices).
func (rt *Runtime) FireAppEvent(name string, payload map[string]any) {
	data := maps.Clone(payload)
	rt.appIOS.FireAsync(nil, name, func(vm *goja.Runtime) *goja.Object {
		obj := vm.NewObject()
		for k, v := range data {
			_ = obj.Set(k, v)
		}
		return obj
	})
}

func (rt *Runtime) VM() *goja.Runtime            { return rt.vm }
func (rt *Runtime) Loop() *loop.Loop             { return rt.loop }
func (rt *Runtime) Ti() *proxy.Proxy             { return rt.ti }
func (rt *Runtime) App() *proxy.Proxy            { return rt.app }
func (rt *Runtime) AppIOS() *proxy.Proxy         { return rt.appIOS }
func (rt *Runtime) Logger() *slog.Logger         { return rt.logger }
func (rt *Runtime) DataDir() string              { return rt.dataDir }
func (rt *Runtime) TempDir() string              { return rt.tempDir }
func (rt *Runtime) Transport() http.RoundTripper { return rt.opts.Transport }
func (rt *Runtime) AppID() string                { return rt.opts.AppID }
func (rt *Runtime) Stdout() io.Writer            { return rt.opts.Stdout }
func (rt *Runtime) Stderr() io.Writer            { return rt.opts.Stderr }
func (rt *Runtime) Context() context.Context     { return rt.loop.Context() }
