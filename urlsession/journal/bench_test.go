package journal

import (
	"sync/atomic"
	"testing"
)

// One task reporting progress: one fsynced transaction per call.
func BenchmarkUpdateProgress(b *testing.B) {
	j, err := Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer j.Close()
	if err := j.PutTask(sampleTask("s", 1)); err != nil {
		b.Fatal(err)
	}
	n := int64(0)
	for b.Loop() {
		n++
		if err := j.UpdateProgress("s", 1, Progress{BytesReceived: n, ExpectedLength: -1}); err != nil {
			b.Fatal(err)
		}
	}
}

// Many tasks reporting at once: calls share transactions and fsyncs.
func BenchmarkUpdateProgressParallel(b *testing.B) {
	j, err := Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer j.Close()
	const tasks = 64
	for id := uint64(1); id <= tasks; id++ {
		if err := j.PutTask(sampleTask("s", id)); err != nil {
			b.Fatal(err)
		}
	}
	var next atomic.Uint64
	b.SetParallelism(tasks / 2) // 64 goroutines on 2 CPUs
	b.RunParallel(func(pb *testing.PB) {
		id := next.Add(1)%tasks + 1
		n := int64(0)
		for pb.Next() {
			n++
			if err := j.UpdateProgress("s", id, Progress{BytesReceived: n, ExpectedLength: -1}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// PutTask as a script calls it, one after another: a redo-log append each,
// commits folded behind them.
func BenchmarkPutTask(b *testing.B) { benchPutTask(b, false) }

// PutTask then Sync: the cost of one durable commit on its own.
func BenchmarkPutTaskSync(b *testing.B) { benchPutTask(b, true) }

func benchPutTask(b *testing.B, syncEach bool) {
	j, err := Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer j.Close()
	id := uint64(0)
	for b.Loop() {
		id++
		if err := j.PutTask(sampleTask("s", id)); err != nil {
			b.Fatal(err)
		}
		if syncEach {
			if err := j.Sync(); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := j.Sync(); err != nil {
		b.Fatal(err)
	}
}
