package loop

import "github.com/dop251/goja"

// rejectionTracker remembers promises rejected with no handler, in rejection order, and
// forgets them when a handler is attached later (goja's HostPromiseRejectionTracker hook).
type rejectionTracker struct {
	order   []*goja.Promise
	pending map[*goja.Promise]struct{}
}

func (r *rejectionTracker) install(vm *goja.Runtime) {
	r.pending = make(map[*goja.Promise]struct{})
	vm.SetPromiseRejectionTracker(func(p *goja.Promise, op goja.PromiseRejectionOperation) {
		switch op {
		case goja.PromiseRejectionReject:
			if _, ok := r.pending[p]; !ok {
				r.pending[p] = struct{}{}
				r.order = append(r.order, p)
			}
		case goja.PromiseRejectionHandle:
			delete(r.pending, p)
		}
	})
}

// leftover returns the first rejection still unhandled after a macrotask and its microtasks,
// as an *UncaughtError; nil when every rejection found a handler.
func (r *rejectionTracker) leftover() error {
	if len(r.order) == 0 {
		return nil
	}
	defer r.reset()
	for _, p := range r.order {
		if _, ok := r.pending[p]; ok {
			return fromRejectionValue(p.Result(), true)
		}
	}
	return nil
}

func (r *rejectionTracker) reset() {
	r.order = r.order[:0]
	clear(r.pending)
}
