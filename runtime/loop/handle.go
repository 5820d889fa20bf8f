package loop

import "github.com/dop251/goja"

// Handle is one reference on the loop (libuv's uv_ref): while it is held, Run does not return.
// All methods are safe from any goroutine.
type Handle struct {
	l        *Loop
	epoch    uint64 // the run generation the reference belongs to
	released bool   // guarded by l.mu
}

// Post queues f to run on the loop goroutine; it may be called any number of times. It returns
// false when the loop has stopped (closed, or the run this handle belonged to ended with an
// error or was cancelled): f will never run. After Release, Post behaves like RunOnLoop.
func (h *Handle) Post(f func(vm *goja.Runtime) error) bool {
	return h.post(f, false)
}

// Release drops the reference. Idempotent.
func (h *Handle) Release() {
	l := h.l
	l.mu.Lock()
	wake := h.releaseLocked()
	l.mu.Unlock()
	if wake {
		l.poke()
	}
}

// PostAndRelease queues f and drops the reference atomically, so the loop cannot decide to
// exit between the two.
func (h *Handle) PostAndRelease(f func(vm *goja.Runtime) error) bool {
	return h.post(f, true)
}

func (h *Handle) post(f func(vm *goja.Runtime) error, release bool) bool {
	l := h.l
	l.mu.Lock()
	alive := !l.closed && h.epoch == l.epoch
	if alive {
		l.queue = append(l.queue, f)
	}
	if release {
		h.releaseLocked()
	}
	l.mu.Unlock()
	if alive || release {
		l.poke()
	}
	return alive
}

// releaseLocked drops the reference if it still counts; reports whether the loop should look
// again at its exit condition.
func (h *Handle) releaseLocked() bool {
	if h.released {
		return false
	}
	h.released = true
	if h.epoch != h.l.epoch || h.l.closed {
		return false // already discarded when its run ended
	}
	h.l.refs--
	return h.l.refs == 0
}
