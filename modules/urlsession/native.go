package urlsession

import (
	"github.com/dop251/goja"
)

// nativeSymbol links a Session or SessionConfiguration object to its Go value. It is private
// to this package; a script can still reach it through Object.getOwnPropertySymbols, so the
// lookups below also check that the Go value belongs to that very object.
var nativeSymbol = goja.NewSymbol("tirun.urlsession")

func attach(vm *goja.Runtime, obj *goja.Object, native any) {
	if err := obj.DefineDataPropertySymbol(nativeSymbol, vm.ToValue(native), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE); err != nil {
		panic(err) // a fresh proxy object is extensible: only a programming error gets here
	}
}

func nativeOf(v goja.Value) any {
	obj, ok := v.(*goja.Object)
	if !ok {
		return nil
	}
	n := obj.GetSymbol(nativeSymbol)
	if n == nil {
		return nil
	}
	return n.Export()
}

func configurationFrom(v goja.Value) (*configuration, bool) {
	c, ok := nativeOf(v).(*configuration)
	if ok && c.p.Object() != v {
		return nil, false // the symbol was read from another object's prototype chain
	}
	return c, ok
}

func sessionFrom(v goja.Value) (*session, bool) {
	s, ok := nativeOf(v).(*session)
	if ok && s.p.Object() != v {
		return nil, false
	}
	return s, ok
}
