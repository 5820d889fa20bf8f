package urlsession

import (
	"context"
	"fmt"
	"testing"
	"time"
)

func TestHostLimiterQueuesFIFOAndStaysSmall(t *testing.T) {
	h := newHostLimiter(1)
	first, err := h.acquire(context.Background(), "a")
	if err != nil {
		t.Fatal(err)
	}
	// A waiter gives up when its context ends.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := h.acquire(ctx, "a"); err == nil {
		t.Fatal("second acquire on a full host succeeded")
	}
	got := make(chan int, 2)
	for i := 0; i < 2; i++ {
		go func() {
			s, err := h.acquire(context.Background(), "a")
			if err == nil {
				got <- i
				time.Sleep(10 * time.Millisecond)
				h.release("a", s)
			}
		}()
		time.Sleep(20 * time.Millisecond) // make the arrival order certain
	}
	h.release("a", first)
	for want := 0; want < 2; want++ {
		select {
		case i := <-got:
			if i != want {
				t.Fatalf("waiter %d served before waiter %d", i, want)
			}
		case <-time.After(testTimeout):
			t.Fatal("waiter never served")
		}
	}
	for i := 0; i < 500; i++ {
		key := fmt.Sprintf("host-%d", i)
		s, _ := h.acquire(context.Background(), key)
		h.release(key, s)
	}
	h.mu.Lock()
	n := len(h.hosts)
	h.mu.Unlock()
	if n > maxIdleHostEntries+1 {
		t.Fatalf("%d host entries kept", n)
	}
	h.markMultiplexed("h2")
	if s, err := h.acquire(context.Background(), "h2"); s != nil || err != nil {
		t.Fatal("a multiplexed host was limited")
	}
}
