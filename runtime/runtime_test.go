package runtime

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dop251/goja"
	"go.uber.org/goleak"

	"github.com/tirun/tirun/internal/testkit"
	"github.com/tirun/tirun/runtime/loop"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// syncBuffer collects output written by other goroutines.
type syncBuffer = testkit.SyncBuffer

var globalLoaderCalls atomic.Int32

func init() {
	RegisterModule("test.global.module", func(rt *Runtime) (goja.Value, error) {
		globalLoaderCalls.Add(1)
		obj := rt.VM().NewObject()
		_ = obj.Set("answer", 42)
		_ = obj.Set("appID", rt.AppID())
		return obj, nil
	})
}

func newTestRuntime(t *testing.T, opts Options) (*Runtime, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	if opts.Stderr == nil {
		opts.Stderr = logs
	}
	if opts.DataDir == "" {
		opts.DataDir = t.TempDir()
	}
	rt, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := rt.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return rt, logs
}

func runJS(t *testing.T, rt *Runtime, src string) error {
	t.Helper()
	ctx := testkit.Context(t)
	return rt.RunString(ctx, t.Name()+".js", src)
}

const jsAssert = `function assert(c, m) { if (!c) throw new Error('assertion failed: ' + m); }
`

func mustRunJS(t *testing.T, rt *Runtime, src string) {
	t.Helper()
	if err := runJS(t, rt, jsAssert+src); err != nil {
		t.Fatal(err)
	}
}

func TestTiGlobal(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{AppID: "com.example.test", AppName: "Example", AppVersion: "2.3.4"})
	mustRunJS(t, rt, `
		assert(Ti === Titanium, 'one object');
		assert(Ti.apiName === 'Ti' && Ti.API.apiName === 'Ti.API' && Ti.App.apiName === 'Ti.App', 'apiNames');
		assert(Ti.App.iOS.apiName === 'Ti.App.iOS', 'Ti.App.iOS apiName');
		assert(Ti.App.Properties.apiName === 'Ti.App.Properties', 'properties wired');
		assert(typeof Ti.version === 'string' && Ti.version === '`+Version+`', 'version');
		assert(Ti.App.id === 'com.example.test' && Ti.App.name === 'Example' && Ti.App.version === '2.3.4', 'app info');
		assert(typeof Ti.App.iOS.addEventListener === 'function', 'Ti.App.iOS is a proxy');
		assert(globalThis.global === globalThis, 'global');
		assert(Ti.API.info('x') === undefined, 'info returns undefined');
	`)
}

func TestTiAPIAndConsoleLogLevels(t *testing.T) {
	rt, logs := newTestRuntime(t, Options{LogLevel: slog.LevelDebug})
	mustRunJS(t, rt, `
		Ti.API.info('hello', 'world');
		Ti.API.debug({ a: 1 });
		Ti.API.warn('careful %d%%', 5);
		Ti.API.error(new Error('bad'));
		Ti.API.trace('too verbose');
		Ti.API.log('error', 'via log');
		Ti.API.log('just a message');
		Ti.API.log('custom', 'tagged');
		console.log('console %s', 'log', [1, 2]);
		console.debug('console debug');
		console.warn('console warn');
		console.error('console error');
	`)
	out := logs.String()
	for _, want := range []string{
		"[INFO] hello world\n", `[DEBUG] {"a":1}` + "\n", "[WARN] careful 5%\n", "[ERROR] Error: bad",
		"[ERROR] via log\n", "[INFO] just a message\n", "[INFO] [CUSTOM] tagged\n",
		"[INFO] console log [1,2]\n", "[DEBUG] console debug\n", "[WARN] console warn\n", "[ERROR] console error\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "too verbose") {
		t.Error("trace must be filtered at debug level")
	}
	// The Error's stack names the script line.
	if !strings.Contains(out, t.Name()+".js:6:16\n") {
		t.Errorf("logged Error must include its stack:\n%s", out)
	}
}

func TestLogLevelFiltersDebug(t *testing.T) {
	rt, logs := newTestRuntime(t, Options{LogLevel: slog.LevelWarn})
	mustRunJS(t, rt, `Ti.API.info('hidden'); console.debug('hidden'); Ti.API.warn('shown');`)
	if out := logs.String(); out != "[WARN] shown\n" {
		t.Fatalf("output = %q", out)
	}
}

func TestEndBackgroundHandler(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{})
	mustRunJS(t, rt, `Ti.App.iOS.endBackgroundHandler('before-hook');`) // no hook: no-op
	var got []string
	rt.SetBackgroundHandlerHook(func(id string) { got = append(got, id) })
	mustRunJS(t, rt, `
		Ti.App.iOS.endBackgroundHandler('com.test.Session-1');
		try { Ti.App.iOS.endBackgroundHandler(3); throw new Error('no throw'); }
		catch (e) { assert(e instanceof TypeError && e.message === "Ti.App.iOS.endBackgroundHandler: argument 'handlerId' must be a string", e.message); }
	`)
	if strings.Join(got, ",") != "com.test.Session-1" {
		t.Fatalf("hook saw %v", got)
	}
}

func TestRequireLocalModuleAndNodeModules(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"lib/math.js":                        "exports.add = function (a, b) { return a + b; };\nexports.where = __filename;",
		"lib/data.json":                      `{"name": "data", "list": [1, 2]}`,
		"node_modules/greeter/package.json":  `{"name": "greeter", "main": "src/main.js"}`,
		"node_modules/greeter/src/main.js":   "var helper = require('./helper');\nmodule.exports = function (n) { return helper.prefix + n; };",
		"node_modules/greeter/src/helper.js": "exports.prefix = 'hello ';",
		"node_modules/plain/index.js":        "module.exports = { plain: true };",
		"main.js": `
			var math = require('./lib/math');
			var data = require('./lib/data.json');
			var greet = require('greeter');
			assert(math.add(2, 3) === 5, 'relative module');
			assert(math.where === ` + "require('path-check')" + `, 'filename');
			assert(data.name === 'data' && data.list.length === 2, 'json');
			assert(greet('bob') === 'hello bob', 'node_modules package with main');
			assert(require('plain').plain === true, 'node_modules index.js');
			assert(require('./lib/math') === math, 'cached');
			try { require('./missing'); throw new Error('no throw'); } catch (e) { assert(e.message === "Cannot find module './missing'" && e.code === 'MODULE_NOT_FOUND', 'missing module error: ' + e); }
			Ti.API.info('main done ' + process.argv[1]);
		`,
	}
	for name, src := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if name == "main.js" {
			src = jsAssert + src
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mathPath := filepath.Join(dir, "lib", "math.js")
	if resolved, err := filepath.EvalSymlinks(mathPath); err == nil {
		mathPath = resolved
	}
	rt, logs := newTestRuntime(t, Options{Modules: map[string]ModuleLoader{
		"path-check": func(rt *Runtime) (goja.Value, error) { return rt.VM().ToValue(mathPath), nil },
	}})
	ctx := testkit.Context(t)
	if err := rt.RunFile(ctx, filepath.Join(dir, "main.js")); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "[INFO] main done "+filepath.Join(dir, "main.js")) {
		t.Fatalf("logs: %s", logs.String())
	}
}

func TestNativeModules(t *testing.T) {
	var perRuntimeCalls int
	rt, _ := newTestRuntime(t, Options{AppID: "com.native.test", Modules: map[string]ModuleLoader{
		"com.example.local": func(rt *Runtime) (goja.Value, error) {
			perRuntimeCalls++
			return rt.VM().ToValue(map[string]any{"kind": "local"}), nil
		},
		"com.example.broken": func(rt *Runtime) (goja.Value, error) { return nil, errors.New("no backend") },
		"com.example.panics": func(rt *Runtime) (goja.Value, error) { panic("loader bug") },
	}})
	before := globalLoaderCalls.Load()
	mustRunJS(t, rt, `
		var g = require('test.global.module');
		assert(g.answer === 42 && g.appID === 'com.native.test', 'global registry');
		assert(require('test.global.module') === g, 'loaded once');
		assert(require('com.example.local').kind === 'local', 'Options.Modules');
		require('com.example.local');
		try { require('com.example.broken'); throw new Error('no throw'); }
		catch (e) { assert(String(e.message).indexOf("require('com.example.broken'): no backend") >= 0, e.message); }
		try { require('com.example.panics'); throw new Error('no throw'); }
		catch (e) { assert(String(e.message).indexOf('loader bug') >= 0, e.message); }
	`)
	if got := globalLoaderCalls.Load() - before; got != 1 || perRuntimeCalls != 1 {
		t.Fatalf("loaders called %d and %d times, want once each", got, perRuntimeCalls)
	}
	if !strings.Contains(strings.Join(RegisteredModules(), ","), "test.global.module") {
		t.Fatal("RegisteredModules")
	}
}

func TestNodeCompatModulesAndProcess(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{Env: map[string]string{"TIRUN_FIXTURE_URL": "http://127.0.0.1:1"}, Args: []string{"a", "b"}})
	mustRunJS(t, rt, `
		assert(process.env.TIRUN_FIXTURE_URL === 'http://127.0.0.1:1', 'Options.Env');
		assert(typeof process.env.PATH === 'string', 'host env');
		assert(process.argv.length === 4 && process.argv[0] === 'tirun' && process.argv[2] === 'a' && process.argv[3] === 'b', 'argv ' + process.argv);
		assert(require('process') === process, 'require process');
		assert(Buffer.from('hi').toString('base64') === 'aGk=', 'buffer');
		assert(new URL('http://127.0.0.1:8080/a?b=c').searchParams.get('b') === 'c', 'url');
		assert(require('util').format('%s=%d', 'x', 1) === 'x=1', 'util');
		assert(typeof require('buffer').Buffer === 'function', 'require buffer');
	`)
}

func TestFireAppEventFromGoroutine(t *testing.T) {
	rt, logs := newTestRuntime(t, Options{})
	ctx := testkit.Context(t)
	var wg sync.WaitGroup
	err := rt.Loop().Run(ctx, func(vm *goja.Runtime) error {
		_, err := vm.RunString(`
			var keepAlive = setTimeout(function () { throw new Error('event never arrived'); }, 5000);
			Ti.App.iOS.addEventListener('sessioncompleted', function (e) {
				Ti.API.info(e.type + ' ' + e.taskIdentifier + ' ' + e.success + ' ' + (e.source === Ti.App.iOS));
				clearTimeout(keepAlive);
			});
		`)
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(10 * time.Millisecond)
			rt.FireAppEvent("sessioncompleted", map[string]any{"taskIdentifier": 7, "success": true})
		}()
		return err
	})
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "[INFO] sessioncompleted 7 true true") {
		t.Fatalf("logs: %s", logs.String())
	}
}

func TestUncaughtErrorFromFileHasFileLine(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "throws.js")
	if err := os.WriteFile(path, []byte("#!/usr/bin/env tirun\nfunction fail() {\n  throw new Error('kaput');\n}\nsetTimeout(fail, 1);\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rt, _ := newTestRuntime(t, Options{})
	err := rt.RunFile(testkit.Context(t), path)
	var ue *loop.UncaughtError
	if !errors.As(err, &ue) || ue.Message != "Error: kaput" || !strings.Contains(ue.Stack, "throws.js:3:") {
		t.Fatalf("err = %v", err)
	}
}

func TestSyntaxErrorIsReturned(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{})
	err := rt.RunString(testkit.Context(t), "syntax.js", "var x = ;")
	if err == nil || !strings.Contains(err.Error(), "syntax.js") {
		t.Fatalf("err = %v", err)
	}
}

func TestGoPanicInNativeFunctionBecomesError(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{Modules: map[string]ModuleLoader{
		"com.example.buggy": func(rt *Runtime) (goja.Value, error) {
			return rt.VM().ToValue(map[string]any{"crash": func(goja.FunctionCall) goja.Value {
				var p *Runtime
				return p.vm.ToValue(1) // nil dereference
			}}), nil
		},
	}})
	err := runJS(t, rt, "require('com.example.buggy').crash();")
	var pe *loop.PanicError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v (%T), want *loop.PanicError", err, err)
	}
	// The runtime is still usable for another script.
	mustRunJS(t, rt, "assert(1 + 1 === 2, 'alive');")
}

func TestContextCancelStopsInfiniteLoop(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- rt.RunString(ctx, "spin.js", "while (true) {}") }()
	select {
	case err := <-done:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("while(true) was not interrupted")
	}
}

func TestCloseReleasesEverything(t *testing.T) {
	logs := &syncBuffer{}
	rt, err := New(Options{DataDir: t.TempDir(), Stderr: logs})
	if err != nil {
		t.Fatal(err)
	}
	tmp := rt.TempDir()
	if st, err := os.Stat(tmp); err != nil || !st.IsDir() {
		t.Fatalf("temp dir: %v", err)
	}
	var hooks []string
	rt.OnClose(func() { hooks = append(hooks, "first") })
	rt.OnClose(func() { panic("bad hook") })
	rt.OnClose(func() { hooks = append(hooks, "last") })
	// Leave a pending timer and a goroutine-held ref behind: Close must still release all.
	h := rt.Loop().Ref()
	go func() {
		<-rt.Context().Done()
		h.Release()
	}()
	done := make(chan error, 1)
	go func() { done <- rt.RunString(testkit.Context(t), "pending.js", "setTimeout(function () {}, 60000);") }()
	time.Sleep(20 * time.Millisecond)
	if err := rt.Close(); err == nil || !strings.Contains(err.Error(), "bad hook") {
		t.Fatalf("Close = %v, want the hook panic reported", err)
	}
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("an interrupted run must return an error")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not stop the running script")
	}
	if strings.Join(hooks, ",") != "last,first" {
		t.Fatalf("hooks ran %v", hooks)
	}
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Fatalf("temp dir not removed: %v", err)
	}
	if rt.Close() != nil {
		t.Fatal("second Close must be a no-op")
	}
	if err := rt.RunString(testkit.Context(t), "x.js", "1"); err == nil {
		t.Fatal("Run after Close must fail")
	}
	goleak.VerifyNone(t) // tests here are not parallel: nothing else may be running
}

func TestDefaultDataDir(t *testing.T) {
	base := t.TempDir()
	t.Setenv("XDG_DATA_HOME", base)
	rt, err := New(Options{AppID: "com.example.dirs", Stderr: &syncBuffer{}})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	if want := filepath.Join(base, "tirun", "com.example.dirs"); rt.DataDir() != want {
		t.Fatalf("DataDir = %q, want %q", rt.DataDir(), want)
	}
	if _, err := New(Options{AppID: "../escape", Stderr: &syncBuffer{}}); err == nil {
		t.Fatal("an app id with a path separator must be rejected")
	}
}

func TestFilesystemAndBlobBridge(t *testing.T) {
	resources := t.TempDir()
	if err := os.WriteFile(filepath.Join(resources, "asset.txt"), []byte("asset!"), 0o644); err != nil {
		t.Fatal(err)
	}
	rt, _ := newTestRuntime(t, Options{ResourcesDir: resources})
	var sources []BlobSource
	rt.VM().Set("inspectSource", func(call goja.FunctionCall) goja.Value {
		src, ok := rt.BlobSource(call.Argument(0))
		if !ok {
			return rt.VM().ToValue(false)
		}
		sources = append(sources, src)
		return rt.VM().ToValue(true)
	})
	rt.VM().Set("fileBlob", func(call goja.FunctionCall) goja.Value {
		return rt.NewFileBlob(call.Argument(0).String(), "")
	})
	mustRunJS(t, rt, `
		assert(Ti.Filesystem.apiName === 'Ti.Filesystem', 'Ti.Filesystem installed');
		var f = Ti.Filesystem.getFile(Ti.Filesystem.applicationDataDirectory, 'note.txt');
		assert(f.write('hello') === true && f.exists(), 'write into the data directory');
		assert(inspectSource(f) && inspectSource('asset.txt') && inspectSource(f.read()), 'sources');
		assert(!inspectSource(42), 'numbers are not sources');
		var b = fileBlob(f.resolve());
		assert(b.apiName === 'Ti.Blob' && b.text === 'hello' && b.mimeType === 'text/plain', 'file blob ' + b.mimeType);
	`)
	if len(sources) != 3 || sources[0].Path != filepath.Join(rt.DataDir(), "note.txt") || sources[0].Size != 5 {
		t.Fatalf("file source = %+v", sources)
	}
	if sources[1].Path != filepath.Join(resources, "asset.txt") || sources[1].Size != 6 {
		t.Fatalf("path string source must resolve against ResourcesDir: %+v", sources[1])
	}
	if sources[2].Path != sources[0].Path || sources[2].Data != nil {
		t.Fatalf("a file-backed blob must resolve to its path, not bytes: %+v", sources[2])
	}
}

// Close must not free native resources under a script still inside a native call.
func TestCloseWaitsForRunningScript(t *testing.T) {
	rt, err := New(Options{DataDir: t.TempDir(), Stderr: &syncBuffer{}})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var order []string
	record := func(s string) { mu.Lock(); order = append(order, s); mu.Unlock() }
	started := make(chan struct{})
	rt.VM().Set("slowNative", func(goja.FunctionCall) goja.Value {
		close(started)
		time.Sleep(200 * time.Millisecond) // Go code: an interrupt cannot stop it
		record("native returned")
		return goja.Undefined()
	})
	rt.OnClose(func() { record("hook") })
	done := make(chan error, 1)
	go func() { done <- rt.RunString(testkit.Context(t), "slow.js", "slowNative(); while (true) {}") }()
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("script did not start")
	}
	if err := rt.Close(); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(order, ","); got != "native returned,hook" {
		t.Fatalf("order = %q: resources were released under a running script", got)
	}
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("the interrupted run must fail")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not end")
	}
}

func TestProcessExit(t *testing.T) {
	rt, logs := newTestRuntime(t, Options{})
	err := runJS(t, rt, `
		setTimeout(function () {
			Ti.API.info('before');
			try { process.exit(3); } catch (e) { Ti.API.info('caught'); }
			Ti.API.info('after');
		}, 1);
		setTimeout(function () { Ti.API.info('later timer'); }, 50);
	`)
	var exit *ExitError
	if !errors.As(err, &exit) || exit.Code != 3 {
		t.Fatalf("err = %v, want ExitError 3", err)
	}
	if out := logs.String(); out != "[INFO] before\n" {
		t.Fatalf("nothing may run after process.exit, got %q", out)
	}
	if err := runJS(t, rt, "process.exit()"); !errors.As(err, &exit) || exit.Code != 0 {
		t.Fatalf("process.exit() = %v", err)
	}
	mustRunJS(t, rt, `
		try { process.exit('x'); throw new Error('no throw'); }
		catch (e) { assert(e instanceof TypeError && e.message.indexOf("process.exit: argument 'code'") === 0, e.message); }
	`)
}
