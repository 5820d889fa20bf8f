package loop

import (
	"container/heap"
	"math"
	"time"

	"github.com/dop251/goja"
)

// timer is one setTimeout/setInterval/setImmediate registration. Owned by the loop goroutine.
type timer struct {
	id       int64
	due      time.Time
	seq      uint64        // creation order, breaks ties between equal due times
	interval time.Duration // > 0 for setInterval
	fn       goja.Callable
	args     []goja.Value
	index    int // position in the heap, -1 when not in it
	cleared  bool
}

// call runs the timer's callback as a loop job.
func (t *timer) call(*goja.Runtime) error {
	_, err := t.fn(goja.Undefined(), t.args...)
	return err
}

// timerHeap orders timers by due time, then creation order (Node's ordering).
type timerHeap []*timer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if h[i].due.Equal(h[j].due) {
		return h[i].seq < h[j].seq
	}
	return h[i].due.Before(h[j].due)
}
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *timerHeap) Push(x any) { t := x.(*timer); t.index = len(*h); *h = append(*h, t) }
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	t.index = -1
	return t
}

// timerSet holds the armed timers and pending immediates of a loop.
type timerSet struct {
	heap       timerHeap
	immediates []*timer
	byID       map[int64]*timer
	nextID     int64
	seq        uint64
}

func (s *timerSet) init() { s.byID = make(map[int64]*timer) }

func (s *timerSet) hasImmediates() bool { return len(s.immediates) > 0 }

// nextDue reports the earliest due time of an armed timer.
func (s *timerSet) nextDue() (time.Time, bool) {
	if len(s.heap) == 0 {
		return time.Time{}, false
	}
	return s.heap[0].due, true
}

func (s *timerSet) add(fn goja.Callable, args []goja.Value, delay time.Duration, repeat bool) int64 {
	s.nextID++
	s.seq++
	t := &timer{id: s.nextID, seq: s.seq, fn: fn, args: args, due: time.Now().Add(delay)}
	if repeat {
		t.interval = delay
	}
	s.byID[t.id] = t
	heap.Push(&s.heap, t)
	return t.id
}

func (s *timerSet) addImmediate(fn goja.Callable, args []goja.Value) int64 {
	s.nextID++
	t := &timer{id: s.nextID, fn: fn, args: args, index: -1}
	s.byID[t.id] = t
	s.immediates = append(s.immediates, t)
	return t.id
}

// clear cancels a timer (immediate reports whether id must name an immediate).
func (s *timerSet) clear(id int64, immediate bool) {
	t, ok := s.byID[id]
	if !ok || t.due.IsZero() != immediate { // immediates have no due time
		return
	}
	t.cleared = true
	delete(s.byID, id)
	if t.index >= 0 {
		heap.Remove(&s.heap, t.index)
	}
}

func (s *timerSet) clearAll() {
	s.heap = nil
	s.immediates = nil
	s.byID = make(map[int64]*timer)
}

// runDueTimers runs every timer due at the start of the phase, one macrotask each.
func (l *Loop) runDueTimers() error {
	s := &l.timers
	now := time.Now()
	for len(s.heap) > 0 && !s.heap[0].due.After(now) {
		t := heap.Pop(&s.heap).(*timer)
		if t.interval == 0 {
			delete(s.byID, t.id)
		}
		err := l.runJob(t.call)
		if err != nil {
			return err
		}
		if t.interval > 0 && !t.cleared && t.index < 0 {
			s.seq++
			t.seq = s.seq
			t.due = time.Now().Add(t.interval)
			heap.Push(&s.heap, t)
		}
	}
	return nil
}

// runImmediates runs the immediates queued before this phase; ones they queue wait for the
// next iteration, as in Node.
func (l *Loop) runImmediates() error {
	s := &l.timers
	batch := s.immediates
	s.immediates = nil
	for _, t := range batch {
		if t.cleared {
			continue
		}
		delete(s.byID, t.id)
		err := l.runJob(t.call)
		if err != nil {
			return err
		}
	}
	return nil
}

// maxDelayMs is the largest delay Node accepts; anything outside [1, maxDelayMs] becomes 1 ms.
const maxDelayMs = math.MaxInt32

func delayArg(call goja.FunctionCall) time.Duration {
	ms := call.Argument(1).ToFloat()
	if math.IsNaN(ms) || ms < 1 || ms > maxDelayMs {
		ms = 1
	}
	return time.Duration(ms * float64(time.Millisecond))
}

func callbackArg(vm *goja.Runtime, fnName string, call goja.FunctionCall) goja.Callable {
	fn, ok := goja.AssertFunction(call.Argument(0))
	if !ok {
		panic(vm.NewTypeError("%s: argument 'callback' must be a function", fnName))
	}
	return fn
}

// extraArgs copies the arguments after skip: goja's FunctionCall must not be retained.
func extraArgs(call goja.FunctionCall, skip int) []goja.Value {
	if len(call.Arguments) <= skip {
		return nil
	}
	return append([]goja.Value(nil), call.Arguments[skip:]...)
}

// idArg reads a timer id; anything that is not a number clears nothing.
func idArg(call goja.FunctionCall) (int64, bool) {
	v := call.Argument(0)
	if goja.IsUndefined(v) || goja.IsNull(v) {
		return 0, false
	}
	f := v.ToFloat()
	if math.IsNaN(f) || f != math.Trunc(f) {
		return 0, false
	}
	return int64(f), true
}

func (l *Loop) installTimers(vm *goja.Runtime) {
	set := func(name string, fn func(call goja.FunctionCall) goja.Value) {
		if err := vm.Set(name, fn); err != nil {
			panic(err) // only fails for invalid names: a programming error
		}
	}
	set("setTimeout", func(call goja.FunctionCall) goja.Value {
		fn := callbackArg(vm, "setTimeout", call)
		return vm.ToValue(l.timers.add(fn, extraArgs(call, 2), delayArg(call), false))
	})
	set("setInterval", func(call goja.FunctionCall) goja.Value {
		fn := callbackArg(vm, "setInterval", call)
		return vm.ToValue(l.timers.add(fn, extraArgs(call, 2), delayArg(call), true))
	})
	set("setImmediate", func(call goja.FunctionCall) goja.Value {
		fn := callbackArg(vm, "setImmediate", call)
		return vm.ToValue(l.timers.addImmediate(fn, extraArgs(call, 1)))
	})
	clearTimer := func(call goja.FunctionCall) goja.Value {
		if id, ok := idArg(call); ok {
			l.timers.clear(id, false)
		}
		return goja.Undefined()
	}
	set("clearTimeout", clearTimer) // like browsers, either clear works for either kind
	set("clearInterval", clearTimer)
	set("clearImmediate", func(call goja.FunctionCall) goja.Value {
		if id, ok := idArg(call); ok {
			l.timers.clear(id, true)
		}
		return goja.Undefined()
	})
}
