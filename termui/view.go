package termui

import (
	"errors"
	"io"
	"sync"
	"time"

	"github.com/vbauerster/mpb/v8"

	"github.com/tirun/tirun/telemetry"
)

// ViewOptions tune the progress view. The zero value suits a person at a terminal.
type ViewOptions struct {
	// ShowAfter hides tasks that finish quickly: a bar appears once a task has run this
	// long (default 250ms; negative shows every task at once).
	ShowAfter time.Duration
	// Refresh is the redraw interval (default 120ms).
	Refresh time.Duration
	// Width of the bars in columns (default: mpb's, 80).
	Width int
	// ForceTTY draws even when out does not look like a terminal (tests).
	ForceTTY bool
}

// View draws one bar per running transfer (and an overall bar while several run) on a
// terminal, and prints log lines above them. Observe only records the newest state under a
// mutex and wakes the view's goroutine, which applies the changes to the bars: many
// progress events for a task between two redraws cost one update.
type View struct {
	opts     ViewOptions
	direct   io.Writer
	progress *mpb.Progress

	mu      sync.Mutex
	tasks   map[taskKey]*taskState
	dirty   map[taskKey]struct{}
	closed  bool
	writers []*LineWriter

	refresh  chan any // mpb redraws when the view's goroutine says so
	shutdown chan any // closed by mpb when it stops (also after a failed redraw)
	stop     chan struct{}
	done     chan struct{}

	// owned by the view's goroutine
	bars    map[taskKey]*taskBar
	overall *overallBar
}

type taskKey struct {
	session string
	task    uint64
}

// taskState is the newest known state of a task, written by Observe.
type taskState struct {
	label    string
	started  time.Time
	total    int64 // -1 unknown
	current  int64
	finished bool
	failed   bool
	failCode int
}

// NewView starts drawing on out, which should be a terminal.
func NewView(out io.Writer, opts ViewOptions) *View {
	if opts.ShowAfter == 0 {
		opts.ShowAfter = 250 * time.Millisecond
	}
	if opts.Refresh <= 0 {
		opts.Refresh = 120 * time.Millisecond
	}
	v := &View{opts: opts, direct: out, tasks: make(map[taskKey]*taskState),
		dirty: make(map[taskKey]struct{}), bars: make(map[taskKey]*taskBar),
		refresh: make(chan any), shutdown: make(chan any), stop: make(chan struct{}), done: make(chan struct{})}
	// Manual refresh: the view applies the newest state and then redraws, on one clock, and
	// Close can ask for a last frame so lines written just before it are not lost.
	v.progress = mpb.New(mpb.WithOutput(out), mpb.WithManualRefresh(v.refresh),
		mpb.WithShutdownNotifier(v.shutdown),
		mpb.ContainerOptional(mpb.WithWidth(opts.Width), opts.Width > 0),
		mpb.ContainerOptional(mpb.ForceTTY(), opts.ForceTTY),
		mpb.PopCompletedMode()) // finished bars leave one line behind and scroll up with the logs
	go v.run()
	return v
}

// Observe records engine events; it never blocks on drawing: the view's goroutine picks the
// newest state up at its next redraw.
func (v *View) Observe(e telemetry.Event) {
	if e.Source != telemetry.SourceEngine || e.Task == 0 {
		return
	}
	k := taskKey{e.Session, e.Task}
	v.mu.Lock()
	if v.closed {
		v.mu.Unlock()
		return
	}
	st := v.tasks[k]
	if st == nil {
		st = &taskState{total: -1, started: e.Time}
		v.tasks[k] = st
	}
	if !st.finished && applyEvent(st, e) {
		v.dirty[k] = struct{}{}
	}
	v.mu.Unlock()
}

// applyEvent folds e into st and reports whether anything visible changed.
func applyEvent(st *taskState, e telemetry.Event) bool {
	p := e.Payload
	switch e.Name {
	case telemetry.EventTaskStart:
		kind, _ := p["kind"].(string)
		method, _ := p["method"].(string)
		url, _ := p["url"].(string)
		st.label = taskLabel(kind, method, url)
		st.started = e.Time
	case telemetry.EventResponse:
		if n, ok := telemetry.PayloadInt64(p["expectedLength"]); ok && n >= 0 {
			st.total = n
		}
	case telemetry.EventDownloadProgress:
		setProgress(st, p["totalWritten"], p["totalExpected"])
	case telemetry.EventUploadProgress:
		setProgress(st, p["totalSent"], p["totalExpected"])
	case telemetry.EventComplete:
		st.finished = true
		if code, ok := telemetry.PayloadInt64(p["code"]); ok {
			st.failed, st.failCode = true, int(code)
		}
	default:
		return false
	}
	// No taskStart seen: name the task by the URL a response or completion carries. Progress
	// events carry none, so the frequent ones skip this.
	if url, ok := p["url"].(string); ok && st.label == "" {
		st.label = taskLabel("", "", url)
	}
	return true
}

func setProgress(st *taskState, current, expected any) {
	if n, ok := telemetry.PayloadInt64(current); ok {
		st.current = n
	}
	if n, ok := telemetry.PayloadInt64(expected); ok && n >= 0 {
		st.total = n
	}
}

// Writer returns a writer whose lines print above the bars; after Close, lines go to
// fallback directly. colour colours level tags. Each writer keeps its partial line until
// the newline comes, so two writers never mix inside a line.
func (v *View) Writer(fallback io.Writer, colour bool) io.Writer {
	var lw *LineWriter
	lw = newLineWriter(func(line []byte) error {
		_, err := v.progress.Write(line)
		var done mpb.ErrDone[*mpb.Progress]
		if errors.As(err, &done) {
			_, err = fallback.Write(line)
		}
		return err
	}, colour)
	v.mu.Lock()
	v.writers = append(v.writers, lw)
	v.mu.Unlock()
	return lw
}

// Close finishes the bars (a task still running is shown as stopped), prints pending lines
// and stops drawing. The terminal is left below the last bar. Idempotent.
func (v *View) Close() {
	v.mu.Lock()
	if v.closed {
		v.mu.Unlock()
		return
	}
	v.closed = true
	writers := v.writers
	v.mu.Unlock()
	for _, w := range writers {
		_ = w.Flush()
	}
	close(v.stop)
	<-v.done
	v.progress.Wait()
}

// run applies state changes to the bars and redraws, every Refresh, until Close.
func (v *View) run() {
	defer close(v.done)
	tick := time.NewTicker(v.opts.Refresh)
	defer tick.Stop()
	for {
		select {
		case now := <-tick.C:
			v.apply(now, false)
			if !v.redraw(now) {
				return
			}
		case <-v.stop:
			now := time.Now()
			v.apply(now, true)
			v.redraw(now)
			return
		}
	}
}

// redraw asks mpb for a frame; false when mpb has stopped (it does after a write to the
// terminal failed), so the view never waits on a renderer that is gone.
func (v *View) redraw(now time.Time) bool {
	select {
	case v.refresh <- now:
		return true
	case <-v.shutdown:
		return false
	}
}

// apply copies what changed out of the locked maps, then talks to mpb without the lock.
func (v *View) apply(now time.Time, final bool) {
	type change struct {
		key taskKey
		st  taskState
	}
	var changes []change
	v.mu.Lock()
	for k, st := range v.tasks {
		_, isDirty := v.dirty[k]
		_, hasBar := v.bars[k]
		if !isDirty && (hasBar || st.finished) && !final {
			continue
		}
		changes = append(changes, change{k, *st})
		delete(v.dirty, k)
		if st.finished {
			delete(v.tasks, k) // its last state is in changes; nothing more will come
		}
	}
	v.mu.Unlock()

	for _, c := range changes {
		b := v.bars[c.key]
		if b == nil {
			if !v.shouldShow(c.st, now) {
				continue // quick tasks never get a bar: they would flood the screen
			}
			b = newTaskBar(v.progress, c.st.label)
			v.bars[c.key] = b
			v.addToOverall(b)
		}
		b.update(c.st, now)
		if c.st.finished || final {
			b.finish(c.st)
			v.leaveOverall(b, c.st)
			delete(v.bars, c.key)
		}
	}
	v.updateOverall(now, final)
}

// shouldShow: a task gets a bar once it has run for ShowAfter. The summary still counts
// the quick ones.
func (v *View) shouldShow(st taskState, now time.Time) bool {
	return v.opts.ShowAfter < 0 || now.Sub(st.started) >= v.opts.ShowAfter
}
