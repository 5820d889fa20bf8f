package httpcache_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/tirun/tirun/urlsession/httpcache"
)

// How the engine uses the cache for one hop of a data task.
func Example() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=60")
		io.WriteString(w, "hello")
	}))
	defer srv.Close()
	dir, _ := os.MkdirTemp("", "cache")
	defer os.RemoveAll(dir)

	cache, err := httpcache.Open(httpcache.Options{Dir: dir, MaxBytes: 10 << 20})
	if err != nil {
		panic(err)
	}
	defer cache.Close()
	fetch := srv.Client().Transport.RoundTrip // the engine's own round trip
	for range 2 {
		req, _ := http.NewRequest("GET", srv.URL+"/greeting", nil)
		resp, fromCache, err := cache.Do(req, httpcache.UseProtocolCachePolicy, fetch)
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body) // reading to EOF commits the entry
		resp.Body.Close()
		fmt.Println(string(body), fromCache)
	}
	// Output:
	// hello false
	// hello true
}
