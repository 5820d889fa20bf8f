package telemetry

import (
	"os"
	"time"
)

// Event is one thing a producer saw. Producers hand the Payload over: they must not change
// it after Observe, and its values must be plain data (numbers, strings, bools, nil, maps,
// slices, FileRef) so consumers on other goroutines can read and encode it.
type Event struct {
	Time    time.Time
	Source  string // SourceEngine or SourceJS
	Session string // the session's identifier, or a name the engine gave it
	Task    uint64 // 0 for session-level events
	Name    string
	Payload map[string]any
}

// Observer receives events. Observe may be called from many goroutines at once and must
// return quickly without blocking on I/O or on the consumer's own progress.
type Observer interface {
	Observe(Event)
}

// ObserverFunc adapts a function to Observer.
type ObserverFunc func(Event)

// Observe calls f.
func (f ObserverFunc) Observe(e Event) { f(e) }

// ExchangeObserver is implemented by observers that also want completed HTTP exchanges.
// RecordExchange has the same non-blocking duty as Observe.
type ExchangeObserver interface {
	RecordExchange(Exchange)
}

// Fanout delivers to every non-nil observer, in order. Observers that implement
// ExchangeObserver also get exchanges; the fanout itself is an ExchangeObserver only when
// one of them is, so producers that check for one (Transport) do not record exchanges that
// nobody wants. With no observers it returns nil, so producers can keep their cheap
// "if obs != nil" check.
func Fanout(observers ...Observer) Observer {
	var list fanout
	wantsExchanges := false
	for _, o := range observers {
		if o != nil {
			list = append(list, o)
			_, ok := o.(ExchangeObserver)
			wantsExchanges = wantsExchanges || ok
		}
	}
	switch {
	case len(list) == 0:
		return nil
	case len(list) == 1:
		return list[0]
	case wantsExchanges:
		return exchangeFanout{list}
	}
	return list
}

type fanout []Observer

func (f fanout) Observe(e Event) {
	for _, o := range f {
		o.Observe(e)
	}
}

// exchangeFanout is a fanout with at least one member that wants exchanges.
type exchangeFanout struct{ fanout }

func (f exchangeFanout) RecordExchange(x Exchange) {
	for _, o := range f.fanout {
		RecordExchange(o, x)
	}
}

// RecordExchange hands x to obs when it wants exchanges; a nil obs is fine.
func RecordExchange(obs Observer, x Exchange) {
	if xo, ok := obs.(ExchangeObserver); ok {
		xo.RecordExchange(x)
	}
}

// FileRef describes a file-backed value (a downloaded file, a blob) in a payload by path and
// size, never by content: traces stay small and never leak what was transferred.
type FileRef struct {
	Path string `json:"path"`
	Size int64  `json:"size"` // -1 when the file could not be inspected
}

// DescribeFile returns the FileRef of path; it stats the file, so call it where the file is
// known to exist (inside the delegate call that owns it).
func DescribeFile(path string) FileRef {
	ref := FileRef{Path: path, Size: -1}
	if st, err := os.Stat(path); err == nil {
		ref.Size = st.Size()
	}
	return ref
}
