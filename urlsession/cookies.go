package urlsession

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"sync"

	"golang.org/x/net/publicsuffix"
)

// CookieStorage is where a session reads and stores cookies. Any http.CookieJar
// works; a storage may also implement StorageClearer (used by Session.Reset) and
// StorageFlusher (used by Session.Flush and Reset).
type CookieStorage interface {
	http.CookieJar
}

// StorageClearer is implemented by stores that can forget everything.
type StorageClearer interface{ RemoveAll() error }

// StorageFlusher is implemented by stores that persist to disk.
type StorageFlusher interface{ Flush() error }

// memoryJar is the fallback storage: net/http/cookiejar (RFC 6265 rules with the
// public suffix list) plus RemoveAll, which the standard jar lacks.
type memoryJar struct {
	mu  sync.RWMutex
	jar *cookiejar.Jar
}

func newMemoryJar() *memoryJar {
	return &memoryJar{jar: newStdJar()}
}

func newStdJar() *cookiejar.Jar {
	// cookiejar.New only fails on a nil-safe options bug; it never returns an error today.
	j, _ := cookiejar.New(&cookiejar.Options{PublicSuffixList: publicsuffix.List})
	return j
}

func (m *memoryJar) SetCookies(u *url.URL, cookies []*http.Cookie) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	m.jar.SetCookies(u, cookies)
}

func (m *memoryJar) Cookies(u *url.URL) []*http.Cookie {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.jar.Cookies(u)
}

func (m *memoryJar) RemoveAll() error {
	m.mu.Lock()
	m.jar = newStdJar()
	m.mu.Unlock()
	return nil
}
