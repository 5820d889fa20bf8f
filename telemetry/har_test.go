package telemetry

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// exchanges collects what a transport records.
type exchanges struct {
	mu   sync.Mutex
	list []Exchange
}

func (e *exchanges) Observe(Event) {}
func (e *exchanges) RecordExchange(x Exchange) {
	e.mu.Lock()
	e.list = append(e.list, x)
	e.mu.Unlock()
}

func TestTransportRecordsEachRequestWithTimings(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/redirect":
			http.Redirect(w, r, "/body?x=1&x=2&y=%20", http.StatusFound)
		case "/body":
			http.SetCookie(w, &http.Cookie{Name: "sid", Value: "abc", Path: "/", HttpOnly: true})
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			io.Copy(io.Discard, r.Body)
			w.Write(bytes.Repeat([]byte("z"), 5000))
		}
	}))
	defer srv.Close()

	rec := &exchanges{}
	har := NewHARRecorder("tirun", "test")
	client := &http.Client{Transport: Transport(http.DefaultTransport.(*http.Transport).Clone(), Fanout(rec, har))}
	defer client.CloseIdleConnections()

	ctx := WithTask(context.Background(), "dl", 7)
	req, _ := http.NewRequestWithContext(ctx, "POST", srv.URL+"/redirect", strings.NewReader("hello"))
	req.Header.Set("Content-Type", "text/plain")
	req.Header.Set("Cookie", "a=1; b=2")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if len(body) != 5000 {
		t.Fatalf("body %d", len(body))
	}

	rec.mu.Lock()
	list := append([]Exchange(nil), rec.list...)
	rec.mu.Unlock()
	if len(list) != 2 {
		t.Fatalf("%d exchanges, want 2 (redirect + final)", len(list))
	}
	first, final := list[0], list[1]
	if first.Status != 302 || first.RedirectURL != "/body?x=1&x=2&y=%20" || first.RequestBodySize != 5 ||
		first.Session != "dl" || first.Task != 7 || first.Method != "POST" {
		t.Fatalf("redirect exchange %+v", first)
	}
	if final.Status != 200 || final.ResponseBodySize != 5000 || final.MIMEType != "text/plain" ||
		final.Proto != "HTTP/1.1" || final.Method != "GET" || final.ServerIP != "127.0.0.1" || final.Error != "" {
		t.Fatalf("final exchange %+v", final)
	}
	if final.Timings.Send < 0 || final.Timings.Wait < 0 || final.Timings.Receive < 0 || final.Timings.Blocked < 0 {
		t.Fatalf("timings of a completed request must be known: %+v", final.Timings)
	}
	if first.Timings.Connect < 0 || final.Timings.Connect >= 0 {
		t.Fatalf("first request dials, the second reuses the connection: %+v / %+v", first.Timings, final.Timings)
	}

	var out bytes.Buffer
	if _, err := har.WriteTo(&out); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Log struct {
			Version string
			Creator struct{ Name, Version string }
			Entries []map[string]any
		}
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Log.Version != "1.2" || doc.Log.Creator.Name != "tirun" || len(doc.Log.Entries) != 2 {
		t.Fatalf("log %+v", doc.Log)
	}
	for i, e := range doc.Log.Entries {
		checkHAREntry(t, i, e)
	}
	req0 := doc.Log.Entries[0]["request"].(map[string]any)
	if cookies := req0["cookies"].([]any); len(cookies) != 2 {
		t.Fatalf("request cookies %v", cookies)
	}
	if pd := req0["postData"].(map[string]any); pd["mimeType"] != "text/plain" {
		t.Fatalf("postData %v", pd)
	}
	req1 := doc.Log.Entries[1]["request"].(map[string]any)
	qs, _ := json.Marshal(req1["queryString"])
	if string(qs) != `[{"name":"x","value":"1"},{"name":"x","value":"2"},{"name":"y","value":" "}]` {
		t.Fatalf("queryString %s", qs)
	}
	resp1 := doc.Log.Entries[1]["response"].(map[string]any)
	raw, _ := json.Marshal(resp1["cookies"])
	var cookies []harCookie
	if err := json.Unmarshal(raw, &cookies); err != nil || len(cookies) != 1 ||
		cookies[0] != (harCookie{Name: "sid", Value: "abc", Path: "/", HTTPOnly: true}) {
		t.Fatalf("response cookies %s", raw)
	}
	if resp1["content"].(map[string]any)["size"].(float64) != 5000 {
		t.Fatalf("content %v", resp1["content"])
	}
}

// checkHAREntry checks the fields HAR 1.2 requires, with their types.
func checkHAREntry(t *testing.T, i int, e map[string]any) {
	t.Helper()
	if _, err := time.Parse(time.RFC3339Nano, e["startedDateTime"].(string)); err != nil {
		t.Fatalf("entry %d startedDateTime: %v", i, err)
	}
	for _, k := range []string{"time", "request", "response", "cache", "timings"} {
		if _, ok := e[k]; !ok {
			t.Fatalf("entry %d lacks %s", i, k)
		}
	}
	req := e["request"].(map[string]any)
	for _, k := range []string{"method", "url", "httpVersion", "cookies", "headers", "queryString", "headersSize", "bodySize"} {
		if _, ok := req[k]; !ok {
			t.Fatalf("entry %d request lacks %s", i, k)
		}
	}
	resp := e["response"].(map[string]any)
	for _, k := range []string{"status", "statusText", "httpVersion", "cookies", "headers", "content", "redirectURL", "headersSize", "bodySize"} {
		if _, ok := resp[k]; !ok {
			t.Fatalf("entry %d response lacks %s", i, k)
		}
	}
	content := resp["content"].(map[string]any)
	if _, ok := content["size"].(float64); !ok {
		t.Fatalf("entry %d content.size %v", i, content)
	}
	if _, ok := content["mimeType"].(string); !ok {
		t.Fatalf("entry %d content.mimeType %v", i, content)
	}
	tm := e["timings"].(map[string]any)
	for _, k := range []string{"send", "wait", "receive"} {
		if v, ok := tm[k].(float64); !ok || v < 0 {
			t.Fatalf("entry %d timings.%s = %v (required, >= 0)", i, k, tm[k])
		}
	}
	for _, k := range []string{"blocked", "dns", "connect", "ssl"} {
		if v, ok := tm[k].(float64); !ok || v < -1 {
			t.Fatalf("entry %d timings.%s = %v", i, k, tm[k])
		}
	}
}

func TestTransportRecordsFailedRequests(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now: the dial is refused

	rec := &exchanges{}
	tr := Transport(&http.Transport{}, rec)
	defer tr.(interface{ CloseIdleConnections() }).CloseIdleConnections()
	req, _ := http.NewRequest("GET", "http://"+addr+"/gone", nil)
	if _, err := tr.RoundTrip(req); err == nil {
		t.Fatal("expected a dial error")
	}
	if len(rec.list) != 1 || rec.list[0].Error == "" || rec.list[0].Status != 0 || rec.list[0].ResponseBodySize != -1 {
		t.Fatalf("failed exchange %+v", rec.list)
	}
	har := NewHARRecorder("tirun", "test")
	har.RecordExchange(rec.list[0])
	var out bytes.Buffer
	har.WriteTo(&out)
	var doc struct {
		Log struct{ Entries []map[string]any }
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil || len(doc.Log.Entries) != 1 {
		t.Fatalf("%v %s", err, out.String())
	}
	checkHAREntry(t, 0, doc.Log.Entries[0])
	if doc.Log.Entries[0]["_error"] == "" {
		t.Fatal("the error must be in the entry")
	}
}

func TestTransportIsUntouchedWithoutAnExchangeObserver(t *testing.T) {
	inner := &http.Transport{}
	if got := Transport(inner, ObserverFunc(func(Event) {})); got != inner {
		t.Fatal("a plain observer must not wrap the transport")
	}
	if got := Transport(inner, nil); got != inner {
		t.Fatal("nil observer must not wrap the transport")
	}
}

func TestFanoutSkipsNilAndForwardsExchanges(t *testing.T) {
	if Fanout(nil, nil) != nil {
		t.Fatal("Fanout of nothing must be nil")
	}
	var seen []string
	a := ObserverFunc(func(e Event) { seen = append(seen, "a:"+e.Name) })
	rec := &exchanges{}
	f := Fanout(a, nil, rec)
	f.Observe(Event{Name: "x"})
	RecordExchange(f, Exchange{URL: "u"})
	RecordExchange(nil, Exchange{}) // no observer: nothing happens
	if strings.Join(seen, ",") != "a:x" || len(rec.list) != 1 {
		t.Fatalf("seen %v, exchanges %d", seen, len(rec.list))
	}
	if Fanout(a) == nil {
		t.Fatal("single observer lost")
	}
}

func TestFanoutWantsExchangesOnlyWhenAMemberDoes(t *testing.T) {
	inner := &http.Transport{}
	plain := ObserverFunc(func(Event) {})
	if got := Transport(inner, Fanout(plain, NewSummary())); got != inner {
		t.Fatal("observers that ignore exchanges must not make the transport record them")
	}
	rec := &exchanges{}
	f := Fanout(plain, NewSummary(), rec)
	if got := Transport(inner, f); got == http.RoundTripper(inner) {
		t.Fatal("an exchange observer in the fanout must get a recording transport")
	}
	RecordExchange(f, Exchange{URL: "u"})
	if len(rec.list) != 1 {
		t.Fatalf("exchanges %d, want 1", len(rec.list))
	}
}
