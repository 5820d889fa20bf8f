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
	jar, err := cookiestore.Open(cookiestore.Options{Path: path})
	if errors.Is(err, cookiestore.ErrCorrupt) {
		aside := path + ".corrupt-" + time.Now().UTC().Format("20060102T150405Z")
		e.logger.Warn("urlsession: the cookie file is damaged; starting with no cookies", "file", path, "kept", aside, "err", err)
		if rerr := os.Rename(path, aside); rerr != nil {
			return nil, fmt.Errorf("urlsession: setting aside a damaged cookie file: %w", rerr)
		}
		jar, err = cookiestore.Open(cookiestore.Options{Path: path})
	}
	if err != nil {
		return nil, fmt.Errorf("urlsession: opening cookies: %w", err)
	}
	return jar, nil
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
