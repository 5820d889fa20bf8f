package termui

import (
	"fmt"
	"math"
	"net/url"
	"path"
	"strings"
	"sync/atomic"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/tirun/tirun/telemetry"
)

// labelWidth is the column the bars start at; longer labels are shortened in the middle.
const labelWidth = 28

// taskLabel names a task for a person: the file name of a download or upload, else the
// method and the URL without its scheme.
func taskLabel(kind, method, raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return shorten(raw, labelWidth)
	}
	if kind == "download" || kind == "upload" {
		if base := path.Base(u.Path); base != "" && base != "/" && base != "." {
			return shorten(base, labelWidth)
		}
	}
	label := u.Host + u.EscapedPath()
	if method != "" && method != "GET" {
		label = method + " " + label
	}
	return shorten(label, labelWidth)
}

// shorten keeps both ends of s, which usually carry the meaning (host, file extension).
func shorten(s string, width int) string {
	r := []rune(s)
	if len(r) <= width {
		return s
	}
	head := (width - 1) / 2
	tail := width - 1 - head
	return string(r[:head]) + "…" + string(r[len(r)-tail:])
}

// taskBar is one task's bar; its fields are owned by the view's goroutine.
type taskBar struct {
	bar       *mpb.Bar
	total     int64 // last total given to mpb, -1 unknown
	current   int64
	at        time.Time // when current was last given (for the rate)
	failCode  atomic.Int64
	inOverall bool
}

func newTaskBar(p *mpb.Progress, label string) *taskBar {
	b := &taskBar{total: -1, at: time.Now()}
	// Total 0: mpb treats the size as unknown and never completes the bar by itself; the
	// task's completion event does, so a short or unknown-length body still ends right.
	b.bar = p.New(0, mpb.BarStyle().Lbound("[").Rbound("]"),
		mpb.PrependDecorators(decor.Name(label, decor.WC{W: labelWidth + 1, C: decor.DindentRight})),
		appendStats(&b.failCode))
	return b
}

func (b *taskBar) update(st taskState, now time.Time) {
	if st.total >= 0 && st.total != b.total {
		b.total = st.total
		b.bar.SetTotal(st.total, false)
	}
	if st.current != b.current {
		b.bar.EwmaSetCurrent(st.current, now.Sub(b.at))
		b.current, b.at = st.current, now
	}
}

// finish completes the bar at its current size (100%), or marks it failed.
func (b *taskBar) finish(st taskState) {
	if st.failed || !st.finished {
		code := int64(st.failCode)
		if !st.finished {
			code = math.MinInt64 // the run ended while the task was still going
		}
		b.failCode.Store(code)
		b.bar.Abort(false)
		return
	}
	b.bar.SetTotal(-1, true)
}

// appendStats is what follows a bar, task or overall: size, percentage, speed, and the ETA
// until the outcome (code, when failed) replaces it.
func appendStats(code *atomic.Int64) mpb.BarOption {
	return mpb.AppendDecorators(sizeDecorator(), percentDecorator(),
		decor.EwmaSpeed(decor.SizeB1024(0), " % .1f", 30, decor.WC{W: 13}),
		outcomeOr(decor.EwmaETA(decor.ET_STYLE_GO, 30, decor.WC{W: 8}), code))
}

func sizeDecorator() decor.Decorator {
	return decor.Any(func(s decor.Statistics) string {
		if s.Total <= 0 && !s.Completed {
			return telemetry.FormatBytes(s.Current)
		}
		return telemetry.FormatBytes(s.Current) + " / " + telemetry.FormatBytes(s.Total)
	}, decor.WC{W: 22})
}

func percentDecorator() decor.Decorator {
	return decor.Any(func(s decor.Statistics) string {
		switch {
		case s.Completed:
			return "100%"
		case s.Total <= 0:
			return ""
		}
		return fmt.Sprintf("%d%%", min(100*s.Current/s.Total, 100))
	}, decor.WC{W: 5})
}

// outcome shows the ETA while a sized task runs, then how it ended. It wraps an mpb EWMA
// decorator, so it forwards Unwrap: mpb finds EWMA decorators through wrappers to feed them.
type outcome struct {
	decor.Decorator
	code *atomic.Int64
}

func outcomeOr(eta decor.Decorator, code *atomic.Int64) decor.Decorator {
	return outcome{eta, code}
}

func (o outcome) Unwrap() decor.Decorator { return o.Decorator }

func (o outcome) Decor(s decor.Statistics) (string, int) {
	switch {
	case s.Aborted && o.code.Load() == math.MinInt64:
		return o.Format(" stopped")
	case s.Aborted:
		return o.Format(fmt.Sprintf(" failed (%d)", o.code.Load()))
	case s.Completed:
		return o.Format(" done")
	case s.Total <= 0:
		return o.Format("")
	}
	str, _ := o.Decorator.Decor(s)
	return o.Format(" " + strings.TrimSpace(str))
}

// overallBar sums the tasks that ran while it was shown.
type overallBar struct {
	bar                   *mpb.Bar
	members               atomic.Int64
	doneCurrent, doneSize int64 // members that finished
	total, current        int64
	at                    time.Time
}

func (v *View) addToOverall(b *taskBar) {
	if v.overall != nil {
		b.inOverall = true
		v.overall.members.Add(1)
	}
}

func (v *View) leaveOverall(b *taskBar, st taskState) {
	o := v.overall
	if o == nil || !b.inOverall {
		return
	}
	o.doneCurrent += st.current
	o.doneSize += max(st.total, st.current) // an unknown size is known now: what arrived
}

// updateOverall shows the overall bar while two or more task bars run and drops it when
// the last one ends (the summary takes over).
func (v *View) updateOverall(now time.Time, final bool) {
	if v.overall == nil && len(v.bars) >= 2 && !final {
		o := &overallBar{total: -1, at: now}
		o.bar = v.progress.New(0, mpb.BarStyle().Lbound("[").Rbound("]").Filler("="),
			// At the bottom; when done it draws its last frame and goes (no line left behind).
			mpb.BarPriority(math.MaxInt32), mpb.BarNoPop(), mpb.BarRemoveOnComplete(),
			mpb.PrependDecorators(decor.Any(func(decor.Statistics) string {
				return fmt.Sprintf("all %d tasks", o.members.Load())
			}, decor.WC{W: labelWidth + 1, C: decor.DindentRight})),
			appendStats(new(atomic.Int64)))
		for _, b := range v.bars {
			b.inOverall = true
			o.members.Add(1)
		}
		v.overall = o
	}
	o := v.overall
	if o == nil {
		return
	}
	if len(v.bars) == 0 || final {
		o.bar.EwmaSetCurrent(o.doneCurrent, now.Sub(o.at))
		o.bar.SetTotal(-1, true)
		v.overall = nil
		return
	}
	current, size, unknown := o.doneCurrent, o.doneSize, false
	for _, b := range v.bars {
		if !b.inOverall {
			continue
		}
		current += b.current
		if b.total < 0 {
			unknown = true // show bytes only until every running member's size is known
		}
		size += max(b.total, b.current)
	}
	if !unknown && size != o.total {
		o.total = size
		o.bar.SetTotal(size, false)
	}
	if current != o.current {
		o.bar.EwmaSetCurrent(current, now.Sub(o.at))
		o.current, o.at = current, now
	}
}
