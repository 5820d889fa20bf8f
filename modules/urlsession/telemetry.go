package urlsession

import (
	"time"

	"github.com/dop251/goja"

	"github.com/tirun/tirun/telemetry"
)

// observe reports an event the module is about to dispatch to JS to the runtime's observer
// (tirun run --trace), with a plain copy of its payload: Blobs and Files are described by
// path and size, never by content. It runs on the loop, before Dispatch, so a listener that
// changes the event object cannot change what was recorded.
func (s *session) observe(name string, id uint64, ev *goja.Object) {
	obs := s.m.rt.Observer()
	if obs == nil {
		return
	}
	keys := ev.Keys()
	payload := make(map[string]any, len(keys))
	for _, k := range keys {
		payload[k] = s.m.plainValue(ev.Get(k))
	}
	obs.Observe(telemetry.Event{Time: time.Now(), Source: telemetry.SourceJS, Session: s.es.Name(),
		Task: id, Name: name, Payload: payload})
}

// plainValue turns a payload value into data another goroutine may encode.
func (m *module) plainValue(v goja.Value) any {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return nil
	}
	if _, isObject := v.(*goja.Object); !isObject {
		return v.Export() // numbers, strings, booleans
	}
	if src, ok := m.rt.BlobSource(v); ok { // only objects here: a string is not taken for a path
		if src.Path != "" {
			return telemetry.FileRef{Path: src.Path, Size: src.Size}
		}
		return map[string]any{"size": src.Size, "mimeType": src.MimeType}
	}
	return "[object]" // event payloads carry no other objects today; never export live ones
}
