package runtime

import (
	"strings"
	"testing"

	"github.com/dop251/goja"

	"github.com/tirun/tirun/internal/testkit"
)

const afterMainAppID = "com.tirun.aftermain-test"

func init() {
	// Only runtimes of the tests below see the hook do anything.
	RegisterAfterMain("test", func(rt *Runtime) error {
		if rt.AppID() != afterMainAppID {
			return nil
		}
		ev := rt.VM().NewObject()
		_ = ev.Set("leave", rt.LeaveBackgroundTasks())
		return rt.AppIOS().Dispatch("launched", ev)
	})
}

func TestAfterMainHookRunsAfterTopLevelCodeBeforeCallbacks(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{AppID: afterMainAppID, LeaveBackgroundTasks: true})
	ctx := testkit.Context(t)
	err := rt.RunString(ctx, "main.js", `
		var order = [];
		setTimeout(function () { order.push('timeout'); }, 0);
		Promise.resolve().then(function () { order.push('microtask'); });
		Ti.App.iOS.addEventListener('launched', function (e) { order.push('launched:' + e.leave); });
		order.push('top');
		setTimeout(function () { globalThis.result = order.join(','); }, 10);
	`)
	if err != nil {
		t.Fatal(err)
	}
	got := rt.VM().Get("result").String()
	// The microtask of the top-level code runs with the script, before the hook.
	if got != "top,microtask,launched:true,timeout" && got != "top,launched:true,microtask,timeout" {
		t.Fatalf("order = %s", got)
	}
	if !strings.HasPrefix(got, "top,") || !strings.Contains(got, "launched:true") {
		t.Fatalf("order = %s", got)
	}
}

func TestAfterMainHookListenerThrowingEndsTheRun(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{AppID: afterMainAppID})
	ctx := testkit.Context(t)
	err := rt.RunString(ctx, "main.js", `
		Ti.App.iOS.addEventListener('launched', function () { throw new Error('listener broke'); });
	`)
	var ex *goja.Exception
	if err == nil || !strings.Contains(err.Error(), "listener broke") {
		t.Fatalf("err = %v (%T), want the listener's exception", err, ex)
	}
}

func TestAfterMainHookSkippedWhenTheScriptThrows(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{AppID: afterMainAppID})
	ctx := testkit.Context(t)
	err := rt.RunString(ctx, "main.js", `
		Ti.App.iOS.addEventListener('launched', function () { globalThis.ran = true; });
		throw new Error('top-level failure');
	`)
	if err == nil || !strings.Contains(err.Error(), "top-level failure") {
		t.Fatalf("err = %v", err)
	}
	if v := rt.VM().Get("ran"); v != nil && !goja.IsUndefined(v) {
		t.Fatal("the hook ran after a failing main script")
	}
}
