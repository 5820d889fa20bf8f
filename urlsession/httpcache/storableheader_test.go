package httpcache

import (
	"net/http"
	"reflect"
	"testing"
)

func TestStorableHeaderDropsConnectionFieldsAndCopies(t *testing.T) {
	h := http.Header{
		"Content-Type":      {"application/json"},
		"Set-Cookie":        {"a=1", "b=2"},
		"Connection":        {"keep-alive, x-trace"},
		"Keep-Alive":        {"timeout=5"},
		"X-Trace":           {"abc"},
		"Transfer-Encoding": {"chunked"},
		"Etag":              {`"v1"`},
		"X-Empty":           nil,
	}
	got := storableHeader(h)
	want := http.Header{
		"Content-Type": {"application/json"},
		"Set-Cookie":   {"a=1", "b=2"},
		"Etag":         {`"v1"`},
		"X-Empty":      nil,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	got["Set-Cookie"][0] = "changed"
	got["Set-Cookie"] = append(got["Set-Cookie"], "c=3")
	if h["Set-Cookie"][0] != "a=1" || len(h["Set-Cookie"]) != 2 {
		t.Error("the stored copy shares values with the response header")
	}
	if got["Content-Type"][0] != "application/json" {
		t.Error("appending to one field overwrote another")
	}
}
