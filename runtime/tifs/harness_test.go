package tifs

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/dop251/goja"

	"github.com/tirun/tirun/internal/testkit"
	"github.com/tirun/tirun/runtime/loop"
)

// jsPrelude gives fixtures small assertion helpers (the SDK suite uses should.js).
const jsPrelude = testkit.JSAsserts

const appJS = "// the app\nTi.API.info('hello');\n"

type env struct {
	vm   *goja.Runtime
	loop *loop.Loop
	fs   *FS
	dirs Dirs
}

// newEnv installs Ti.Filesystem over fresh directories; Resources holds app.js.
func newEnv(t *testing.T) *env {
	t.Helper()
	root := t.TempDir()
	dirs := Dirs{
		ApplicationData: filepath.Join(root, "data"),
		Temp:            filepath.Join(root, "tmp"),
		Resources:       filepath.Join(root, "res"),
	}
	if err := os.MkdirAll(dirs.Resources, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dirs.Resources, "app.js"), []byte(appJS), 0o644); err != nil {
		t.Fatal(err)
	}
	e := &env{vm: goja.New(), dirs: dirs}
	e.loop = loop.New(e.vm)
	ti := e.vm.NewObject()
	_ = e.vm.Set("Ti", ti)
	fs, err := Install(e.vm, e.loop, ti, dirs)
	if err != nil {
		t.Fatal(err)
	}
	e.fs = fs
	t.Cleanup(func() { _ = fs.Close(); e.loop.Close() })
	return e
}

// run executes src on the loop; setup (optional) runs first on the loop, e.g. to hand Go-made
// blobs to the script.
func (e *env) run(t *testing.T, src string, setup ...func(vm *goja.Runtime)) {
	t.Helper()
	if err := e.runErr(src, setup...); err != nil {
		t.Fatalf("script failed: %v", err)
	}
}

func (e *env) runErr(src string, setup ...func(vm *goja.Runtime)) error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	return e.loop.Run(ctx, func(vm *goja.Runtime) error {
		for _, s := range setup {
			s(vm)
		}
		_, err := vm.RunScript("fixture.js", jsPrelude+src)
		return err
	})
}
