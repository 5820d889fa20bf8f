package loop

import (
	"container/heap"
	"testing"
	"time"
)

// Equal due times must come out in creation order (the tie-break a wall clock rarely exercises).
func TestTimerHeapTieBreaksByCreationOrder(t *testing.T) {
	var s timerSet
	s.init()
	due := time.Now().Add(time.Second)
	for i := 0; i < 50; i++ {
		s.seq++
		s.nextID++
		heap.Push(&s.heap, &timer{id: s.nextID, seq: s.seq, due: due})
	}
	earlier := &timer{id: 999, seq: 1000, due: due.Add(-time.Millisecond)}
	heap.Push(&s.heap, earlier)
	if got := heap.Pop(&s.heap).(*timer); got != earlier {
		t.Fatalf("first popped id %d, want the earliest due", got.id)
	}
	for want := int64(1); want <= 50; want++ {
		if got := heap.Pop(&s.heap).(*timer); got.id != want {
			t.Fatalf("popped id %d, want %d", got.id, want)
		}
	}
}
