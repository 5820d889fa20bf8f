package telemetry

import "sync"

// queue hands items from any number of producers to one worker goroutine without ever
// blocking a producer: push appends under a mutex and wakes the worker; past limit items
// are dropped and counted rather than stalling the engine or the JS loop.
type queue[T any] struct {
	mu      sync.Mutex
	items   []T
	limit   int
	dropped int64
	closed  bool
	wake    chan struct{} // capacity 1: one pending wake-up is enough
	done    chan struct{}
}

// newQueue starts the worker; handle gets batches in push order, idle is called when the
// queue has just been drained (a good moment to flush buffers).
func newQueue[T any](limit int, handle func([]T), idle func()) *queue[T] {
	q := &queue[T]{limit: limit, wake: make(chan struct{}, 1), done: make(chan struct{})}
	go q.work(handle, idle)
	return q
}

func (q *queue[T]) push(v T) bool {
	q.mu.Lock()
	if q.closed || len(q.items) >= q.limit {
		if !q.closed {
			q.dropped++
		}
		q.mu.Unlock()
		return false
	}
	q.items = append(q.items, v)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
	return true
}

func (q *queue[T]) work(handle func([]T), idle func()) {
	defer close(q.done)
	var batch []T
	for {
		q.mu.Lock()
		batch, q.items = q.items, batch[:0]
		closed := q.closed
		q.mu.Unlock()
		if len(batch) > 0 {
			handle(batch)
			clear(batch) // let payloads be collected
			continue
		}
		if idle != nil {
			idle()
		}
		if closed {
			return
		}
		<-q.wake
	}
}

// close stops accepting items, waits until everything queued was handled and returns how
// many items were dropped because the queue was full. Idempotent.
func (q *queue[T]) close() int64 {
	q.mu.Lock()
	q.closed = true
	dropped := q.dropped
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
	<-q.done
	return dropped
}
