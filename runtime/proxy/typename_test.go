package proxy

import (
	"testing"

	"github.com/dop251/goja"

	"github.com/tirun/tirun/runtime/loop"
)

func TestTypeNameNamesEveryKindOfValue(t *testing.T) {
	vm := goja.New()
	l := loop.New(vm)
	p := New(vm, l, "Ti.Test.Thing")
	if err := vm.Set("thing", p.Object()); err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{
		"undefined":          "undefined",
		"null":               "null",
		"'x'":                "string",
		"1.5":                "number",
		"true":               "boolean",
		"(function () {})":   "function",
		"[1, 2]":             "array",
		"({a: 1})":           "object",
		"new Boolean(false)": "object",
		"thing":              "Ti.Test.Thing",
		"Symbol('s')":        "value",
	}
	for src, want := range cases {
		v, err := vm.RunString(src)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		if got := TypeName(v); got != want {
			t.Errorf("TypeName(%s) = %q, want %q", src, got, want)
		}
	}
	if got := TypeName(nil); got != "undefined" {
		t.Errorf("TypeName(nil) = %q", got)
	}
}
