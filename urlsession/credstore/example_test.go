package credstore_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/tirun/tirun/urlsession/credstore"
)

// The engine's one-retry answer to a 401.
func Example() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); ok && u == "ann" && p == "pw" {
			io.WriteString(w, "in")
			return
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="site"`)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer srv.Close()
	store := credstore.NewMemory()
	req, _ := http.NewRequest("GET", srv.URL+"/", nil)
	// Empty realm and method: a credential for any realm of this server.
	store.Set(credstore.SpaceFor(req.URL, "", ""), credstore.Credential{User: "ann", Password: "pw"})

	resp, _ := http.DefaultClient.Do(req)
	resp.Body.Close()
	if resp.StatusCode == http.StatusUnauthorized {
		if ans, ok := store.Respond(req, resp, nil); ok {
			retry, _ := http.NewRequest("GET", srv.URL+"/", nil)
			retry.Header.Set(ans.Header, ans.Value)
			resp, _ = http.DefaultClient.Do(retry)
			resp.Body.Close()
		}
	}
	fmt.Println(resp.StatusCode)
	// Output: 200
}
