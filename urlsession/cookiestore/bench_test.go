package cookiestore

import (
	"fmt"
	"net/http"
	"testing"
)

// A full jar is scanned linearly per request; this keeps that cost visible.
func BenchmarkCookiesFullJar(b *testing.B) {
	jar := fullJar()
	u := mustParse("http://h1.example1.com/path")
	for b.Loop() {
		jar.Cookies(u)
	}
}

func BenchmarkSetCookieFullJar(b *testing.B) {
	jar := fullJar()
	u := mustParse("http://h1.example1.com/path")
	for i := 0; b.Loop(); i++ {
		jar.SetCookies(u, []*http.Cookie{{Name: fmt.Sprint("n", i%10), Value: "v"}})
	}
}

// fullJar holds DefaultMaxCookies cookies, DefaultMaxCookiesPerDomain per
// domain. (b.Loop leaves the setup before it out of the timing.)
func fullJar() *Jar {
	jar := NewMemory()
	for i := range DefaultMaxCookies {
		u := mustParse(fmt.Sprintf("http://h%d.example%d.com/", i%DefaultMaxCookiesPerDomain, i/DefaultMaxCookiesPerDomain))
		jar.SetCookies(u, []*http.Cookie{{Name: fmt.Sprint("c", i), Value: "v"}})
	}
	return jar
}
