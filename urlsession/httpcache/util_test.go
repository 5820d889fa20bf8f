package httpcache

import (
	"net/url"
	"testing"

	"go.uber.org/goleak"
)

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
