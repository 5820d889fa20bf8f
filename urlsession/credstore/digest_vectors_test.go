package credstore

import (
	"net/http"
	"strings"
	"testing"
)

// RFC 7616 §3.9.1: the same exchange with MD5 and SHA-256.
func TestDigestRFC7616Vectors(t *testing.T) {
	for _, tc := range []struct{ algorithm, response string }{
		{"MD5", "8ca523f5e9506fed4657c9700eebdbec"},
		{"SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"},
	} {
		t.Run(tc.algorithm, func(t *testing.T) {
			s := NewMemory()
			s.testCnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"
			req, _ := http.NewRequest("GET", "http://www.example.org/dir/index.html", nil)
			resp := &http.Response{StatusCode: 401, Header: http.Header{"Www-Authenticate": {
				`Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=` + tc.algorithm +
					`, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`,
			}}}
			ans, ok := s.Respond(req, resp, &Credential{User: "Mufasa", Password: "Circle of Life"})
			if !ok {
				t.Fatal("no answer")
			}
			for _, want := range []string{
				`username="Mufasa"`, `uri="/dir/index.html"`, `nc=00000001`, `qop=auth`,
				`response="` + tc.response + `"`, `opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`,
				`algorithm=` + tc.algorithm,
			} {
				if !strings.Contains(ans.Value, want) {
					t.Errorf("%s lacks %s", ans.Value, want)
				}
			}
		})
	}
}
