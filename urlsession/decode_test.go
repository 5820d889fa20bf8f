package urlsession

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
)

func encode(t *testing.T, enc string, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	var w io.WriteCloser
	switch enc {
	case "gzip":
		w = gzip.NewWriter(&b)
	case "deflate":
		w = zlib.NewWriter(&b)
	case "rawdeflate":
		w, _ = flate.NewWriter(&b, flate.DefaultCompression)
	case "br":
		w = brotli.NewWriter(&b)
	}
	w.Write(data)
	w.Close()
	return b.Bytes()
}

func TestContentEncodingsAreDecoded(t *testing.T) {
	plain := []byte(strings.Repeat("Hello World! ", 5000))
	bodies := map[string][]byte{
		"gzip":       encode(t, "gzip", plain),
		"deflate":    encode(t, "deflate", plain),
		"rawdeflate": encode(t, "rawdeflate", plain),
		"br":         encode(t, "br", plain),
		"br-gzip":    encode(t, "gzip", encode(t, "br", plain)), // applied br, then gzip
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/")
		switch name {
		case "rawdeflate":
			w.Header().Set("Content-Encoding", "deflate")
		case "br-gzip":
			w.Header().Set("Content-Encoding", "br, gzip")
		case "broken":
			w.Header().Set("Content-Encoding", "gzip")
			w.Write([]byte("this is not gzip at all"))
			return
		default:
			w.Header().Set("Content-Encoding", name)
		}
		w.Write(bodies[name])
	}))
	defer srv.Close()
	e := newTestEngine(t)
	s, rec := newTestSession(t, e, DefaultConfiguration())
	for _, name := range []string{"gzip", "deflate", "rawdeflate", "br", "br-gzip"} {
		// The caller's own Accept-Encoding must not turn decoding off.
		task := start(t, s, KindDataTask, Request{URL: srv.URL + "/" + name, Header: []Header{{"Accept-Encoding", "gzip"}}})
		wantCode(t, rec.wait(t, task.ID()), 0)
		if !bytes.Equal(task.Body(), plain) {
			t.Errorf("%s: got %d bytes, want %d decoded", name, len(task.Body()), len(plain))
		}
		if task.Response().ExpectedContentLength != SizeUnknown || task.CountOfBytesExpectedToReceive() != SizeUnknown {
			t.Errorf("%s: expected length %d, want unknown", name, task.Response().ExpectedContentLength)
		}
	}
	dl := start(t, s, KindDownloadTask, Request{URL: srv.URL + "/gzip"})
	wantCode(t, rec.wait(t, dl.ID()), 0)
	if last := rec.lastWrite(dl.ID()); last.total != int64(len(plain)) || last.expected != SizeUnknown {
		t.Errorf("download progress %+v, want decoded total %d and unknown expected", last, len(plain))
	}
	broken := start(t, s, KindDataTask, Request{URL: srv.URL + "/broken"})
	wantCode(t, rec.wait(t, broken.ID()), CodeCannotDecodeRawData)
	brokenDL := start(t, s, KindDownloadTask, Request{URL: srv.URL + "/broken"})
	wantCode(t, rec.wait(t, brokenDL.ID()), CodeDownloadDecodingFailedMidStream)
	head := start(t, s, KindDataTask, Request{URL: srv.URL + "/gzip", Method: "HEAD"})
	wantCode(t, rec.wait(t, head.ID()), 0)
	rec.check(t)
}
