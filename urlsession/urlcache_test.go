package urlsession

import "testing"

func TestLookupTaskURLSharesParsedURLsButNotCredentials(t *testing.T) {
	const raw = "HTTP://Example.COM:8080/a/b?q=1"
	a, uerr := lookupTaskURL(raw)
	if uerr != nil {
		t.Fatal(uerr)
	}
	if a.str != "http://Example.COM:8080/a/b?q=1" || a.host != "http://example.com:8080" {
		t.Errorf("str %q host %q", a.str, a.host)
	}
	b, _ := lookupTaskURL(raw)
	if a != b {
		t.Error("a second lookup of the same URL parsed it again")
	}

	withCreds := "http://user:secret@example.com/"
	c, _ := lookupTaskURL(withCreds)
	d, _ := lookupTaskURL(withCreds)
	if c == d {
		t.Error("a URL with credentials was kept in the table")
	}
	if p, _ := d.u.User.Password(); p != "secret" {
		t.Errorf("password %q", p)
	}

	for _, bad := range []string{"", "ftp://example.com/", "http:///nohost", "http://example.com:99999/"} {
		if _, uerr := lookupTaskURL(bad); uerr == nil {
			t.Errorf("%q accepted", bad)
		} else if _, again := lookupTaskURL(bad); again == nil {
			t.Errorf("%q accepted on the second lookup", bad)
		}
	}
}
