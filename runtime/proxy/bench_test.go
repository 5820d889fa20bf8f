package proxy

import (
	"context"
	"testing"
	"time"

	"github.com/dop251/goja"

	"github.com/tirun/tirun/runtime/loop"
)

// BenchmarkFireAsync measures events fired from a Go goroutine to one JS listener, each with
// a fresh 2-property payload. Run: go test -run=^$ -bench=FireAsync -benchtime=1000000x
func BenchmarkFireAsync(b *testing.B) {
	vm := goja.New()
	l := loop.New(vm)
	p := New(vm, l, "Bench.Proxy")
	vm.Set("proxy", p.Object())
	if _, err := vm.RunString(`var count = 0, bytes = 0;
		proxy.addEventListener('progress', function (e) { count++; bytes += e.bytesWritten; });`); err != nil {
		b.Fatal(err)
	}
	n := b.N
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	err := l.Run(context.Background(), func(vm *goja.Runtime) error {
		h := l.Ref()
		go func() {
			for i := 0; i < n; i++ {
				written := int64(i)
				p.FireAsync(h, "progress", func(vm *goja.Runtime) *goja.Object {
					o := vm.NewObject()
					_ = o.Set("bytesWritten", written)
					_ = o.Set("totalBytesWritten", written)
					return o
				})
			}
			h.Release()
		}()
		return nil
	})
	elapsed := time.Since(start)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	if got := vm.Get("count").ToInteger(); got != int64(n) {
		b.Fatalf("listener saw %d of %d events", got, n)
	}
	b.ReportMetric(float64(n)/elapsed.Seconds(), "events/s")
}
