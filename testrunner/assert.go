package testrunner

import (
	_ "embed"
	"fmt"
	"sync"

	"github.com/dop251/goja"

	"github.com/tirun/tirun/runtime"
)

// The assert module is written in JavaScript (assert.js): it is mostly
// value comparison and message building, which is simpler and faster in the
// VM than through Go reflection of JS values.
//
//go:embed assert.js
var assertSource string

// compiledAssert compiles assert.js once per process; a Program can run in
// any number of runtimes.
var compiledAssert = sync.OnceValues(func() (*goja.Program, error) {
	return goja.Compile("tirun:assert.js", assertSource, true)
})

type assertKey struct{}

// loadAssert evaluates the module once per runtime, so require('assert')
// and require('node:assert') return the same object, as in Node.
func loadAssert(rt *runtime.Runtime) (*goja.Object, error) {
	var err error
	v := rt.Loop().Local(assertKey{}, func() any {
		prg, cerr := compiledAssert()
		if cerr != nil {
			err = cerr
			return nil
		}
		val, rerr := rt.VM().RunProgram(prg)
		if rerr != nil {
			err = rerr
			return nil
		}
		return val.ToObject(rt.VM())
	})
	if err != nil {
		return nil, fmt.Errorf("loading assert: %w", err)
	}
	obj, ok := v.(*goja.Object)
	if !ok {
		return nil, fmt.Errorf("loading assert: module failed to initialise earlier")
	}
	return obj, nil
}

func init() {
	whole := func(rt *runtime.Runtime) (goja.Value, error) { return loadAssert(rt) }
	strict := func(rt *runtime.Runtime) (goja.Value, error) {
		a, err := loadAssert(rt)
		if err != nil {
			return nil, err
		}
		return a.Get("strict"), nil
	}
	runtime.RegisterModule("assert", whole)
	runtime.RegisterModule("node:assert", whole)
	runtime.RegisterModule("assert/strict", strict)
	runtime.RegisterModule("node:assert/strict", strict)
}
