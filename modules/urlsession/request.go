package urlsession

import (
	"errors"

	"github.com/dop251/goja"

	"github.com/tirun/tirun/runtime/proxy"
	engine "github.com/tirun/tirun/urlsession"
)

type taskKind int

const (
	kindData taskKind = iota
	kindDownload
	kindUpload
)

// request turns a task's argument dictionary into an engine request, throwing a TypeError that
// names fn and the argument for anything malformed. Problems only the engine can judge (a URL
// it cannot parse, a scheme it does not speak, a missing upload file) are left to it: they
// arrive as a failed sessioncompleted, as on iOS.
func (m *module) request(fn string, kind taskKind, opts *goja.Object) engine.Request {
	vm := m.vm
	u := get(opts, "url")
	if !goja.IsString(u) || u.String() == "" {
		proxy.ThrowTypeError(vm, "%s: 'url' must be a non-empty string", fn)
	}
	req := engine.Request{URL: u.String()}
	if v := get(opts, "method"); !absent(v) {
		if !goja.IsString(v) || !validMethod(v.String()) {
			proxy.ThrowTypeError(vm, "%s: 'method' must be an HTTP method name such as 'GET' or 'PUT'", fn)
		}
		req.Method = v.String()
	}
	if v := get(opts, "requestHeaders"); !absent(v) {
		req.Header = headersArg(vm, v, fn+": 'requestHeaders'")
	}
	data := get(opts, "data")
	switch kind {
	case kindUpload:
		m.uploadBody(fn, data, &req)
		if req.Method == "" {
			req.Method = "POST"
		}
	case kindData:
		if !absent(data) {
			m.dataBody(fn, data, &req)
		}
		if req.Method == "" {
			// Deliberate deviation: the native module always POSTs; a GET without a body is
			// what a script asking for a URL means.
			req.Method = "GET"
			if !absent(data) {
				req.Method = "POST"
			}
		}
	default: // download: 'data' is not part of its arguments and is ignored
		if req.Method == "" {
			req.Method = "GET"
		}
	}
	return req
}

// uploadBody takes a Blob, a Ti.Filesystem.File or a file path. Files are streamed by the
// engine, never read here.
func (m *module) uploadBody(fn string, data goja.Value, req *engine.Request) {
	src, ok := m.rt.BlobSource(data) // not ok for undefined and null too
	if !ok {
		proxy.ThrowTypeError(m.vm, "%s: 'data' must be a Blob, a Ti.Filesystem.File or a file path", fn)
	}
	setBody(req, src.Path, src.Data)
}

// dataBody takes a string (sent as is, UTF-8), a Blob or File (streamed), or an object or
// array (sent as JSON).
func (m *module) dataBody(fn string, data goja.Value, req *engine.Request) {
	if goja.IsString(data) {
		req.Body = []byte(data.String())
		return
	}
	if src, ok := m.rt.BlobSource(data); ok { // strings were taken above: never a path here
		setBody(req, src.Path, src.Data)
		return
	}
	obj, ok := plainObjectOrArray(data)
	if !ok {
		proxy.ThrowTypeError(m.vm, "%s: 'data' must be an object, an array, a string or a Blob", fn)
	}
	if m.stringify == nil {
		proxy.ThrowError(m.vm, "%s: JSON is not available in this runtime", fn)
	}
	out, err := m.stringify(goja.Undefined(), obj)
	if err != nil {
		var ex *goja.Exception
		if !errors.As(err, &ex) {
			panic(err) // an interrupt (the run is being stopped) must not become a catchable error
		}
		proxy.ThrowTypeError(m.vm, "%s: 'data' cannot be sent as JSON: %s", fn, ex.Value().String())
	}
	if !goja.IsString(out) {
		proxy.ThrowTypeError(m.vm, "%s: 'data' cannot be sent as JSON: it serialises to nothing", fn)
	}
	req.Body = []byte(out.String())
	if !hasHeader(req.Header, "Content-Type") {
		req.Header = append(req.Header, engine.Header{Name: "Content-Type", Value: "application/json"})
	}
}

// setBody makes an in-memory body non-nil even when empty: the engine tells "no body" from
// "empty body" by nil.
func setBody(req *engine.Request, path string, data []byte) {
	if path != "" {
		req.BodyFile = path
		return
	}
	if data == nil {
		data = []byte{}
	}
	req.Body = data
}

// plainObjectOrArray accepts any non-function object.
func plainObjectOrArray(v goja.Value) (*goja.Object, bool) {
	obj, ok := v.(*goja.Object)
	if !ok {
		return nil, false
	}
	if _, fn := goja.AssertFunction(obj); fn {
		return nil, false
	}
	return obj, true
}
