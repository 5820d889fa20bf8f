package cookiestore

import (
	"net/http"
	"time"
)

// Cookie is one stored cookie, as the jar keeps and persists it.
type Cookie struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	// Domain is canonical: lower case, ASCII (punycode), no leading dot.
	Domain string `json:"domain"`
	Path   string `json:"path"`
	// HostOnly cookies (no Domain attribute) match Domain exactly; others
	// also match its subdomains.
	HostOnly bool `json:"hostOnly"`
	Secure   bool `json:"secure"`
	HttpOnly bool `json:"httpOnly"`
	// SameSite is "", "Lax", "Strict" or "None".
	SameSite string `json:"sameSite,omitempty"`
	// Persistent cookies have an Expires time and survive the process;
	// session cookies have a zero Expires.
	Persistent bool      `json:"persistent"`
	Expires    time.Time `json:"expires,omitzero"`
	Created    time.Time `json:"created"`
	// Order breaks ties between cookies created in the same instant, so the
	// send order is the order the server set them in.
	Order      uint64    `json:"order"`
	LastAccess time.Time `json:"lastAccess"`
}

func (c *Cookie) key() string { return c.Domain + ";" + c.Path + ";" + c.Name }

func (c *Cookie) expired(now time.Time) bool {
	return c.Persistent && !c.Expires.After(now)
}

// HTTPCookie converts to the net/http form (for display or re-sending).
func (c *Cookie) HTTPCookie() *http.Cookie {
	hc := &http.Cookie{
		Name: c.Name, Value: c.Value, Path: c.Path, Secure: c.Secure,
		HttpOnly: c.HttpOnly, SameSite: sameSiteFromString(c.SameSite),
	}
	if !c.HostOnly {
		hc.Domain = c.Domain
	}
	if c.Persistent {
		hc.Expires = c.Expires
	}
	return hc
}

func sameSiteString(s http.SameSite) string {
	switch s {
	case http.SameSiteLaxMode:
		return "Lax"
	case http.SameSiteStrictMode:
		return "Strict"
	case http.SameSiteNoneMode:
		return "None"
	}
	return ""
}

func sameSiteFromString(s string) http.SameSite {
	switch s {
	case "Lax":
		return http.SameSiteLaxMode
	case "Strict":
		return http.SameSiteStrictMode
	case "None":
		return http.SameSiteNoneMode
	}
	return 0
}
