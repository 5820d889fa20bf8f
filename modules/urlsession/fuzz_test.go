package urlsession

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"log/slog"
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/dop251/goja"

	"github.com/tirun/tirun/runtime"
	"github.com/tirun/tirun/runtime/loop"
)

// refuseAll is the fuzz runtime's transport: fuzzed URLs must never reach any network.
type refuseAll struct{}

func (refuseAll) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("fuzz: network disabled")
}

// Method and property names the fuzzer calls or assigns, per object.
var (
	fuzzModuleMethods = []string{"createSessionConfiguration", "createSession", "createURLSessionBackgroundConfiguration",
		"createURLSession", "backgroundDownloadTaskWithURL", "finishTasksAndInvalidate", "invalidateAndCancel",
		"addEventListener", "removeEventListener", "fireEvent", "applyProperties"}
	fuzzSessionMethods = []string{"dataTask", "downloadTask", "uploadTask", "finishTasksAndInvalidate",
		"invalidateAndCancel", "reset", "flush", "addEventListener", "removeEventListener", "fireEvent", "applyProperties"}
	fuzzConfigMethods = []string{"setHTTPHeaderFields", "applyProperties", "addEventListener", "fireEvent"}
	fuzzConfigProps   = []string{"HTTPHeaderFields", "timeoutIntervalForRequest", "timeoutIntervalForResource",
		"HTTPMaximumConnectionsPerHost", "HTTPShouldSetCookies", "HTTPCookieAcceptPolicy", "requestCachePolicy",
		"allowsCellularAccess", "waitsForConnectivity", "discretionary", "sessionSendsLaunchEvents",
		"TLSMinimumSupportedProtocolVersion", "identifier", "type", "bubbleParent"}
	fuzzKeys = []string{"url", "method", "requestHeaders", "data", "identifier", "type", "configuration",
		"HTTPHeaderFields", "timeoutIntervalForRequest", "HTTPMaximumConnectionsPerHost", "toJSON", "length",
		"Content-Type", "bubbles", "cancelBubble", "0"}
	fuzzStrings = []string{"", "http://127.0.0.1:1/", "https://127.0.0.1:1/x?y=1", "ftp://127.0.0.1/", "http://",
		"not a url", "GET", "POST", "PUT", "GE T", "Content-Type", "bad name", "line\r\nbreak", "/nonexistent/file",
		"file:///nonexistent", "downloadprogress", "sessioncompleted", "id", "\x00", "é☃"}
)

// fuzzGen builds JS values from fuzz bytes; running out of bytes yields zeros (undefined).
type fuzzGen struct {
	vm   *goja.Runtime
	data []byte
	pool []goja.Value // real proxies: the module, configurations, sessions, a blob, a file
}

func (g *fuzzGen) byte() byte {
	if len(g.data) == 0 {
		return 0
	}
	b := g.data[0]
	g.data = g.data[1:]
	return b
}

func (g *fuzzGen) pick(n int) int { return int(g.byte()) % n }

func (g *fuzzGen) str() string {
	if g.byte()%2 == 0 {
		return fuzzStrings[g.pick(len(fuzzStrings))]
	}
	n := g.pick(12)
	b := make([]byte, 0, n)
	for i := 0; i < n; i++ {
		b = append(b, g.byte())
	}
	return string(b)
}

func (g *fuzzGen) key() string {
	if g.byte()%3 == 0 {
		return g.str()
	}
	return fuzzKeys[g.pick(len(fuzzKeys))]
}

func (g *fuzzGen) value(depth int) goja.Value {
	vm := g.vm
	kind := g.pick(16)
	if depth > 3 && kind >= 7 && kind <= 9 {
		kind = 3 // no deeper nesting
	}
	switch kind {
	case 0:
		return goja.Undefined()
	case 1:
		return goja.Null()
	case 2:
		var b [8]byte
		for i := range b {
			b[i] = g.byte()
		}
		return vm.ToValue(math.Float64frombits(binary.LittleEndian.Uint64(b[:])))
	case 3:
		return vm.ToValue(int(int8(g.byte())))
	case 4:
		return vm.ToValue(g.byte()%2 == 0)
	case 5, 6:
		return vm.ToValue(g.str())
	case 7:
		obj := vm.NewObject()
		for n := g.pick(5); n > 0; n-- {
			_ = obj.Set(g.key(), g.value(depth+1))
		}
		return obj
	case 8:
		n := g.pick(5)
		items := make([]any, n)
		for i := range items {
			items[i] = g.value(depth + 1)
		}
		return vm.NewArray(items...)
	case 9:
		ret := g.value(depth + 1)
		throws := g.byte()%4 == 0
		return vm.ToValue(func(goja.FunctionCall) goja.Value {
			if throws {
				panic(vm.NewTypeError("fuzz: listener throws"))
			}
			return ret
		})
	case 10, 11:
		return g.pool[g.pick(len(g.pool))]
	case 12:
		return vm.ToValue([]float64{math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1), 1e300, 1 << 53, 0.5, 65536}[g.pick(8)])
	default:
		src := []string{
			`({get url() { throw new Error('getter') }, get data() { throw new Error('getter') }})`,
			`new Proxy({}, {get() { throw new Error('trap') }, ownKeys() { throw new Error('trap') }, getOwnPropertyDescriptor() { throw new Error('trap') }})`,
			`Symbol('fuzz')`, `10n`, `(function(){ const o = {}; o.self = o; return o })()`, `new Date(0)`, `/re/`,
			`({toJSON() { throw new Error('toJSON') }})`,
		}[g.pick(8)]
		v, err := vm.RunString(src)
		if err != nil {
			return goja.Undefined()
		}
		return v
	}
}

// fuzzRun makes one runtime, calls random methods with random arguments on real objects, and
// runs the loop until every task started on the way has completed.
func fuzzRun(t *testing.T, data []byte) {
	rt, err := runtime.New(runtime.Options{
		DataDir:   t.TempDir(),
		Transport: refuseAll{},
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
		Stdout:    io.Discard, Stderr: io.Discard,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = rt.Loop().Run(ctx, func(vm *goja.Runtime) error {
		mod, err := vm.RunString(`
			const U = require('com.appcelerator.urlSession');
			const cfg = U.createSessionConfiguration({identifier: 'fuzz'});
			const eph = U.createSessionConfiguration({type: U.SESSION_CONFIGURATION_TYPE_EPHEMERAL});
			const dead = U.createSession({configuration: U.createSessionConfiguration({identifier: 'dead'})});
			dead.invalidateAndCancel();
			const f = Ti.Filesystem.getFile(Ti.Filesystem.tempDirectory, 'fuzz.txt');
			f.write('fuzz body');
			[U, cfg, eph, U.createSession({configuration: cfg}), U.createSession({configuration: eph}), dead, f, f.read(), Ti.App.iOS];
		`)
		if err != nil {
			return err
		}
		objs := mod.(*goja.Object)
		pool := make([]goja.Value, 0, 9)
		for i := 0; i < 9; i++ {
			pool = append(pool, objs.Get(string(rune('0'+i))))
		}
		g := &fuzzGen{vm: vm, data: data, pool: pool}
		targets := []struct {
			obj     *goja.Object
			methods []string
		}{
			{pool[0].(*goja.Object), fuzzModuleMethods},
			{pool[1].(*goja.Object), fuzzConfigMethods},
			{pool[2].(*goja.Object), fuzzConfigMethods},
			{pool[3].(*goja.Object), fuzzSessionMethods},
			{pool[4].(*goja.Object), fuzzSessionMethods},
			{pool[5].(*goja.Object), fuzzSessionMethods},
		}
		for calls := g.pick(8) + 1; calls > 0 && len(g.data) > 0; calls-- {
			tg := targets[g.pick(len(targets))]
			if g.byte()%5 == 0 && (tg.obj == pool[1] || tg.obj == pool[2]) {
				prop := fuzzConfigProps[g.pick(len(fuzzConfigProps))]
				checkJSFailure(t, tg.obj.Set(prop, g.value(0)))
				continue
			}
			fn, ok := goja.AssertFunction(tg.obj.Get(tg.methods[g.pick(len(tg.methods))]))
			if !ok {
				t.Fatal("fuzz: a method is missing")
			}
			args := make([]goja.Value, g.pick(4))
			for i := range args {
				args[i] = g.value(0)
			}
			_, err := fn(tg.obj, args...)
			checkJSFailure(t, err)
		}
		return nil
	})
	var pe *loop.PanicError
	if errors.As(err, &pe) {
		t.Fatalf("a Go panic escaped to the host: %v\n%s", pe, pe.Stack)
	}
	var ue *loop.UncaughtError
	if err != nil && !errors.As(err, &ue) { // a throwing listener or callback is a JS error: fine
		t.Fatalf("run failed with a non-JS error: %v", err)
	}
}

// checkJSFailure accepts success or a JS exception; anything else is a defect.
func checkJSFailure(t *testing.T, err error) {
	t.Helper()
	var ex *goja.Exception
	if err != nil && !errors.As(err, &ex) {
		t.Fatalf("a call failed with a non-JS error %T: %v", err, err)
	}
}

// FuzzModuleMethods feeds random JS values to every module, configuration and session method.
// No Go panic may escape and every failure must be a JS exception. The seed corpus runs as a
// normal test.
func FuzzModuleMethods(f *testing.F) {
	for _, seed := range [][]byte{
		{},
		{0, 0, 3, 0, 7, 2, 0, 0, 1}, // module method with an object
		{5, 3, 0, 7, 4, 0, 1, 5, 0, 1, 6, 0, 2, 3},       // session.dataTask({url, ...})
		{7, 3, 1, 7, 3, 1, 5, 0, 1, 0, 3, 6, 10, 3},      // tasks with pool values as data
		{3, 1, 0, 5, 12, 2},                              // configuration property with a special number
		{8, 4, 6, 1, 15, 3, 6, 15, 5, 2, 13, 0, 9, 7, 1}, // reset/flush with functions and traps
		[]byte("fuzz the module with some plain text bytes to decode into values"),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzRun(t, data)
	})
}
