package runtime

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
)

// LevelTrace is below slog.LevelDebug: Ti.API.trace and console.trace.
const LevelTrace = slog.LevelDebug - 4

// levelNames are the lower-case level names ParseLevel and Ti.API.log(level, message) accept.
var levelNames = map[string]slog.Level{
	"trace": LevelTrace, "debug": slog.LevelDebug, "info": slog.LevelInfo,
	"warn": slog.LevelWarn, "warning": slog.LevelWarn, "error": slog.LevelError,
}

// ParseLevel accepts trace, debug, info, warn (warning) and error, in any case and padded;
// empty means info.
func ParseLevel(s string) (slog.Level, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	if name == "" {
		return slog.LevelInfo, nil
	}
	if level, ok := levelNames[name]; ok {
		return level, nil
	}
	return 0, fmt.Errorf("unknown log level %q (want debug, info, warn or error)", s)
}

func levelLabel(l slog.Level) string {
	switch {
	case l <= LevelTrace:
		return "TRACE"
	case l < slog.LevelInfo:
		return "DEBUG"
	case l < slog.LevelWarn:
		return "INFO"
	case l < slog.LevelError:
		return "WARN"
	}
	return "ERROR"
}

// NewLogger returns the default logger: one "[LEVEL] message key=value" line per record, the
// format Titanium prints, which slog's TextHandler cannot produce.
func NewLogger(w io.Writer, level slog.Leveler) *slog.Logger {
	return slog.New(&lineHandler{w: w, level: level, mu: new(sync.Mutex)})
}

type lineHandler struct {
	w      io.Writer
	level  slog.Leveler
	mu     *sync.Mutex // shared by handlers derived with WithAttrs/WithGroup
	prefix string      // pre-rendered attributes
	group  string
}

func (h *lineHandler) Enabled(_ context.Context, l slog.Level) bool {
	return l >= h.level.Level()
}

func (h *lineHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteByte('[')
	b.WriteString(levelLabel(r.Level))
	b.WriteString("] ")
	b.WriteString(r.Message)
	b.WriteString(h.prefix)
	r.Attrs(func(a slog.Attr) bool {
		writeAttr(&b, h.group, a)
		return true
	})
	b.WriteByte('\n')
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := io.WriteString(h.w, b.String())
	return err
}

func (h *lineHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	var b strings.Builder
	b.WriteString(h.prefix)
	for _, a := range attrs {
		writeAttr(&b, h.group, a)
	}
	c := *h
	c.prefix = b.String()
	return &c
}

func (h *lineHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	c := *h
	c.group = h.group + name + "."
	return &c
}

func writeAttr(b *strings.Builder, group string, a slog.Attr) {
	a.Value = a.Value.Resolve()
	if a.Equal(slog.Attr{}) {
		return
	}
	if a.Value.Kind() == slog.KindGroup {
		for _, g := range a.Value.Group() {
			writeAttr(b, group+a.Key+".", g)
		}
		return
	}
	fmt.Fprintf(b, " %s%s=%q", group, a.Key, a.Value.String())
}
