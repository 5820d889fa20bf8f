package runtime

import (
	"context"
	"log/slog"
	"strings"

	"github.com/dop251/goja"

	"github.com/tirun/tirun/runtime/proxy"
)

// installTi builds the Ti/Titanium global (one object) with Ti.API, Ti.App and Ti.App.iOS.
func (rt *Runtime) installTi() error {
	vm := rt.vm
	rt.ti = proxy.New(vm, rt.loop, "Ti")
	rt.ti.Constant("version", vm.ToValue(Version))

	api := proxy.New(vm, rt.loop, "Ti.API")
	for _, lv := range []struct {
		name  string
		level slog.Level
	}{{"info", slog.LevelInfo}, {"debug", slog.LevelDebug}, {"warn", slog.LevelWarn}, {"error", slog.LevelError}, {"trace", LevelTrace}} {
		api.Method(lv.name, rt.logMethod(lv.level))
	}
	api.Method("log", rt.apiLog)
	rt.ti.Constant("API", api.Object())

	app := proxy.New(vm, rt.loop, "Ti.App")
	app.Constant("id", vm.ToValue(rt.opts.AppID))
	app.Constant("name", vm.ToValue(rt.opts.AppName))
	app.Constant("version", vm.ToValue(rt.opts.AppVersion))
	rt.app = app

	rt.appIOS = proxy.New(vm, rt.loop, "Ti.App.iOS")
	rt.appIOS.Method("endBackgroundHandler", func(call goja.FunctionCall) goja.Value {
		id := call.Argument(0)
		if !goja.IsString(id) {
			proxy.ThrowTypeError(vm, "Ti.App.iOS.endBackgroundHandler: argument 'handlerId' must be a string")
		}
		if hook := rt.backgroundHook(); hook != nil {
			hook(id.String())
		}
		return goja.Undefined()
	})
	app.Constant("iOS", rt.appIOS.Object())
	rt.ti.Constant("App", app.Object())

	if err := vm.Set("Ti", rt.ti.Object()); err != nil {
		return err
	}
	return vm.Set("Titanium", rt.ti.Object())
}

// apiLog is Ti.API.log(level, message) and Ti.API.log(message).
func (rt *Runtime) apiLog(call goja.FunctionCall) goja.Value {
	args := call.Arguments
	if len(args) < 2 {
		rt.log(slog.LevelInfo, formatArgs(rt.vm, args))
		return goja.Undefined()
	}
	name := strings.ToLower(args[0].String())
	msg := formatArgs(rt.vm, args[1:])
	if level, ok := levelNames[name]; ok {
		rt.log(level, msg)
	} else { // Titanium prints custom levels (and "" or padded names) as their own tag
		rt.log(slog.LevelInfo, "["+strings.ToUpper(name)+"] "+msg)
	}
	return goja.Undefined()
}

// logMethod is a Ti.API or console method logging its arguments at level.
func (rt *Runtime) logMethod(level slog.Level) func(call goja.FunctionCall) goja.Value {
	return func(call goja.FunctionCall) goja.Value {
		rt.log(level, formatArgs(rt.vm, call.Arguments))
		return goja.Undefined()
	}
}

func (rt *Runtime) log(level slog.Level, msg string) {
	rt.logger.Log(context.Background(), level, msg)
}

// SetBackgroundHandlerHook registers the Go function Ti.App.iOS.endBackgroundHandler calls with
// the handler id (nil removes it). Safe from any goroutine.
func (rt *Runtime) SetBackgroundHandlerHook(f func(id string)) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	rt.bgHook = f
}

func (rt *Runtime) backgroundHook() func(string) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.bgHook
}

// installConsole defines console.log/info/debug/warn/error/trace on the same logger as Ti.API.
// Own implementation: goja_nodejs's console maps info and debug onto one printer method.
func (rt *Runtime) installConsole() error {
	vm := rt.vm
	console := vm.NewObject()
	for name, level := range map[string]slog.Level{
		"log": slog.LevelInfo, "info": slog.LevelInfo, "debug": slog.LevelDebug,
		"warn": slog.LevelWarn, "error": slog.LevelError, "trace": LevelTrace,
	} {
		if err := console.Set(name, rt.logMethod(level)); err != nil {
			return err
		}
	}
	return vm.Set("console", console)
}
