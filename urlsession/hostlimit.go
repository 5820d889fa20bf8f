package urlsession

import (
	"context"
	"sync"
)

// hostLimiter bounds the number of tasks talking to one host:port at a time. It is
// done here rather than with http.Transport.MaxConnsPerHost so that a waiting task is
// visibly "queued": its timeouts start only once it holds a slot. Waiters are served
// in FIFO order (blocked channel senders are queued in order).
//
// Once a host answered over HTTP/2 every task shares one multiplexed connection, so
// the limit (which exists to bound connections) no longer applies to it.
type hostLimiter struct {
	limit       int
	mu          sync.Mutex
	hosts       map[string]*hostSlots
	multiplexed map[string]bool
}

type hostSlots struct {
	sem  chan struct{}
	refs int // tasks holding or waiting for a slot
}

// maxIdleHostEntries bounds the unused host entries kept for reuse; past it an entry
// is dropped as soon as no task uses it, so a session visiting many hosts stays small.
const maxIdleHostEntries = 64

func newHostLimiter(limit int) *hostLimiter {
	return &hostLimiter{limit: limit, hosts: make(map[string]*hostSlots), multiplexed: make(map[string]bool)}
}

// markMultiplexed records that key speaks HTTP/2.
func (h *hostLimiter) markMultiplexed(key string) {
	h.mu.Lock()
	h.multiplexed[key] = true
	h.mu.Unlock()
}

// acquire waits for a slot for key. A nil result with a nil error means the host is
// not limited. Every successful acquire must be followed by exactly one release.
func (h *hostLimiter) acquire(ctx context.Context, key string) (*hostSlots, error) {
	h.mu.Lock()
	if h.multiplexed[key] {
		h.mu.Unlock()
		return nil, nil
	}
	hs := h.hosts[key]
	if hs == nil {
		hs = &hostSlots{sem: make(chan struct{}, h.limit)}
		h.hosts[key] = hs
	}
	hs.refs++
	h.mu.Unlock()

	select { // fast path: a free slot needs no wait
	case hs.sem <- struct{}{}:
		return hs, nil
	default:
	}
	select {
	case hs.sem <- struct{}{}:
		return hs, nil
	case <-ctx.Done():
		h.unref(key, hs)
		return nil, context.Cause(ctx)
	}
}

// release gives back a slot returned by acquire (nil is fine).
func (h *hostLimiter) release(key string, hs *hostSlots) {
	if hs == nil {
		return
	}
	<-hs.sem
	h.unref(key, hs)
}

func (h *hostLimiter) unref(key string, hs *hostSlots) {
	h.mu.Lock()
	hs.refs--
	if hs.refs == 0 && len(h.hosts) > maxIdleHostEntries {
		delete(h.hosts, key)
	}
	h.mu.Unlock()
}
