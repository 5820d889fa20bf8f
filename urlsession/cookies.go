package urlsession

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/tirun/tirun/urlsession/cookiestore"
)

// CookieStorage is where a session reads and stores cookies. Any http.CookieJar
// works. A storage may also implement StorageClearer (used by Session.Reset),
// StorageFlusher (Session.Flush and Reset) and policyStorage (accept policies with
// a main document); *cookiestore.Jar implements all three.
type CookieStorage interface {
	http.CookieJar
}

// StorageClearer is implemented by stores that can forget everything.
type StorageClearer interface{ Clear() error }

// StorageFlusher is implemented by stores that persist to disk.
type StorageFlusher interface{ Flush() error }

// policyStorage stores cookies under an NSHTTPCookieAcceptPolicy.
type policyStorage interface {
	SetCookiesWithPolicy(u, mainDocument *url.URL, p cookiestore.AcceptPolicy, cookies []*http.Cookie) int
}

const cookieFileName = "cookies.json"

// openSharedCookies opens the jar shared by default and background sessions:
// persistent in dir, or in memory when dir is empty. A damaged file is set aside
// (renamed, never deleted) and a fresh jar started, so a bad file cannot stop the
// engine from starting.
func openSharedCookies(dir string, e *Engine) (*cookiestore.Jar, error) {
	if dir == "" {
		return cookiestore.NewMemory(), nil
	}
	path := filepath.Join(dir, cookieFileName)
	return openSettingAside(e, path, "cookies", cookiestore.ErrCorrupt, func() (*cookiestore.Jar, error) {
		return cookiestore.Open(cookiestore.Options{Path: path})
	})
}

// openSettingAside opens a persistent store with open. A damaged file (an error matching
// corrupt) is renamed aside, never deleted, with a warning, and a fresh store is started, so a
// bad file cannot stop the engine from starting.
func openSettingAside[T any](e *Engine, path, what string, corrupt error, open func() (T, error)) (T, error) {
	st, err := open()
	if errors.Is(err, corrupt) {
		aside := path + ".corrupt-" + time.Now().UTC().Format("20060102T150405Z")
		e.logger.Warn("urlsession: a store file is damaged; starting it empty", "store", what, "file", path, "kept", aside, "err", err)
		if rerr := os.Rename(path, aside); rerr != nil {
			var zero T
			return zero, fmt.Errorf("urlsession: setting aside a damaged %s file: %w", what, rerr)
		}
		st, err = open()
	}
	if err != nil {
		var zero T
		return zero, fmt.Errorf("urlsession: opening %s: %w", what, err)
	}
	return st, nil
}

func acceptPolicy(p CookieAcceptPolicy) cookiestore.AcceptPolicy {
	switch p {
	case CookieAcceptNever:
		return cookiestore.AcceptNever
	case CookieAcceptOnlyFromMainDocumentDomain:
		return cookiestore.AcceptOnlyFromMainDocumentDomain
	}
	return cookiestore.AcceptAlways
}
