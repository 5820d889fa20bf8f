package credstore

import (
	"reflect"
	"testing"

	"go.uber.org/goleak"
)

func TestParseChallenges(t *testing.T) {
	got := ParseChallenges([]string{
		`Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple, really"`,
		`Digest realm="r", nonce="n,1", qop="auth, auth-int", algorithm=SHA-256`,
		`Negotiate abc+/def==, Bearer`,
		`   ,  `,
	})
	want := []Challenge{
		{Scheme: "Newauth", Params: map[string]string{"realm": "apps", "type": "1", "title": `Login to "apps"`}},
		{Scheme: "Basic", Params: map[string]string{"realm": "simple, really"}},
		{Scheme: "Digest", Params: map[string]string{"realm": "r", "nonce": "n,1", "qop": "auth, auth-int", "algorithm": "SHA-256"}},
		{Scheme: "Negotiate", Params: map[string]string{}, Token68: "abc+/def=="},
		{Scheme: "Bearer", Params: map[string]string{}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %#v\nwant %#v", got, want)
	}
}

func TestQuoteRoundTrip(t *testing.T) {
	v := `a "quoted" \ value`
	got := ParseChallenges([]string{"X p=" + quote(v)})
	if len(got) != 1 || got[0].Params["p"] != v {
		t.Fatalf("round trip: %#v", got)
	}
}

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
