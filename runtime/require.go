package runtime

import (
	"errors"
	"fmt"
	"math"
	"os"
	"strings"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/buffer"
	"github.com/dop251/goja_nodejs/require"
	"github.com/dop251/goja_nodejs/url"
	_ "github.com/dop251/goja_nodejs/util" // registers require('util')

	"github.com/tirun/tirun/runtime/proxy"
)

// installRequire enables CommonJS require (relative paths, node_modules, JSON) with the native
// modules of this runtime, then Buffer, URL and process.
func (rt *Runtime) installRequire() error {
	reg := require.NewRegistry()
	for name, loader := range moduleLoaders(rt.opts.Modules) {
		reg.RegisterNativeModule(name, rt.adaptLoader(name, loader))
	}
	process := rt.newProcess()
	reg.RegisterNativeModule("process", func(_ *goja.Runtime, module *goja.Object) {
		_ = module.Set("exports", process)
	})
	req := reg.Enable(rt.vm)
	if err := rt.vm.Set("require", rt.requireFunc(req)); err != nil {
		return err
	}
	buffer.Enable(rt.vm)
	url.Enable(rt.vm)
	if err := rt.vm.Set("process", process); err != nil {
		return err
	}
	return rt.vm.Set("global", rt.vm.GlobalObject())
}

// requireFunc wraps goja_nodejs's require so a missing module throws Node's
// "Cannot find module 'x'" (code MODULE_NOT_FOUND) instead of a bare "Invalid module".
// Module files receive this same function: goja_nodejs passes them the global require.
func (rt *Runtime) requireFunc(req *require.RequireModule) func(goja.FunctionCall) goja.Value {
	return func(call goja.FunctionCall) goja.Value {
		name := call.Argument(0)
		if !goja.IsString(name) || name.String() == "" {
			proxy.ThrowTypeError(rt.vm, "require: argument 'id' must be a non-empty string")
		}
		v, err := req.Require(name.String())
		if err == nil {
			return v
		}
		var ex *goja.Exception
		if errors.As(err, &ex) {
			panic(ex)
		}
		if errors.Is(err, require.InvalidModuleError) || errors.Is(err, require.ModuleFileDoesNotExistError) {
			e := rt.vm.NewGoError(err)
			if ctor, ok := goja.AssertConstructor(rt.vm.Get("Error")); ok {
				if obj, cerr := ctor(nil, rt.vm.ToValue(fmt.Sprintf("Cannot find module '%s'", name.String()))); cerr == nil {
					e = obj
				}
			}
			_ = e.Set("code", "MODULE_NOT_FOUND")
			panic(e)
		}
		panic(rt.vm.NewGoError(fmt.Errorf("require('%s'): %w", name.String(), err)))
	}
}

// adaptLoader turns a ModuleLoader into goja_nodejs's form. Loader errors and Go panics become
// catchable JS errors thrown by require(), naming the module.
func (rt *Runtime) adaptLoader(name string, loader ModuleLoader) require.ModuleLoader {
	return func(vm *goja.Runtime, module *goja.Object) {
		var exports goja.Value
		var err error
		func() {
			defer func() {
				if r := recover(); r != nil {
					if v, ok := r.(goja.Value); ok {
						panic(v) // already a JS exception
					}
					err = fmt.Errorf("internal error: Go panic: %v", r)
				}
			}()
			exports, err = loader(rt)
		}()
		if err != nil {
			panic(vm.NewGoError(fmt.Errorf("require('%s'): %w", name, err)))
		}
		if exports != nil {
			_ = module.Set("exports", exports)
		}
	}
}

// newProcess builds a small Node-like process object: env (the host environment plus
// Options.Env), argv ['tirun', script, ...Args], platform and version.
func (rt *Runtime) newProcess() *goja.Object {
	vm := rt.vm
	env := vm.NewObject()
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok && k != "" {
			_ = env.Set(k, v)
		}
	}
	for k, v := range rt.opts.Env {
		_ = env.Set(k, v)
	}
	p := vm.NewObject()
	_ = p.Set("env", env)
	_ = p.Set("argv", vm.NewArray())
	_ = p.Set("platform", goosName())
	_ = p.Set("version", "v"+Version)
	_ = p.Set("exit", rt.processExit)
	_ = p.Set("cwd", func(goja.FunctionCall) goja.Value {
		wd, err := os.Getwd()
		if err != nil {
			panic(vm.NewGoError(err))
		}
		return vm.ToValue(wd)
	})
	rt.process = p
	rt.setArgv("<eval>")
	return p
}

// setArgv sets process.argv for the script about to run.
func (rt *Runtime) setArgv(script string) {
	argv := append([]any{"tirun", script}, toAny(rt.opts.Args)...)
	_ = rt.process.Set("argv", rt.vm.NewArray(argv...))
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// ExitError is returned by RunFile/RunString when the script called process.exit(code).
type ExitError struct{ Code int }

func (e *ExitError) Error() string { return fmt.Sprintf("process.exit(%d)", e.Code) }

// processExit ends the run now: the interrupt stops JS at its next instruction (it cannot be
// caught), and run() reports the exit instead of the interrupt.
func (rt *Runtime) processExit(call goja.FunctionCall) goja.Value {
	code := 0
	if v := call.Argument(0); !goja.IsUndefined(v) && !goja.IsNull(v) {
		f := v.ToFloat()
		if math.IsNaN(f) || f < 0 || f > 255 || f != math.Trunc(f) {
			proxy.ThrowTypeError(rt.vm, "process.exit: argument 'code' must be an integer from 0 to 255")
		}
		code = int(f)
	}
	e := &ExitError{Code: code}
	rt.exit = e
	rt.vm.Interrupt(e)
	return goja.Undefined()
}
