package urlsession

import (
	"crypto/x509"
	"net/http"
	"net/url"
	"slices"
	"time"
)

// Kind says how a session keeps its state (cookies, cache, credentials).
type Kind int

const (
	// KindDefault shares the engine's cookie storage.
	KindDefault Kind = iota
	// KindEphemeral keeps everything in memory, private to the session.
	KindEphemeral
	// KindBackground has an identifier and shares the engine's persistent storage.
	// There is no system daemon on this platform: transfers run in-process.
	KindBackground
)

func (k Kind) String() string {
	switch k {
	case KindDefault:
		return "default"
	case KindEphemeral:
		return "ephemeral"
	case KindBackground:
		return "background"
	}
	return "unknown"
}

// Header is one request header. Name goes on the wire exactly as spelled.
type Header struct{ Name, Value string }

// CookieAcceptPolicy controls which Set-Cookie headers are stored.
type CookieAcceptPolicy int

const (
	// CookieAcceptOnlyFromMainDocumentDomain is Apple's default; with no "main document"
	// concept here it behaves like CookieAcceptAlways (the jar still enforces domain rules).
	CookieAcceptOnlyFromMainDocumentDomain CookieAcceptPolicy = iota
	CookieAcceptAlways
	CookieAcceptNever
)

// CachePolicy mirrors NSURLRequestCachePolicy. It is stored and reported back; the
// engine consults an HTTP cache only when one is wired in (see EngineOptions).
type CachePolicy int

const (
	UseProtocolCachePolicy CachePolicy = iota
	ReloadIgnoringLocalCacheData
	ReturnCacheDataElseLoad
	ReturnCacheDataDontLoad
)

// Defaults shared by the constructors.
const (
	DefaultRequestTimeout   = 60 * time.Second
	DefaultResourceTimeout  = 7 * 24 * time.Hour
	DefaultMaxConnsPerHost  = 6
	DefaultProgressInterval = 50 * time.Millisecond
	DefaultMaxDataBodyBytes = 64 << 20
	// MaxRedirects is the number of redirects followed before failing with
	// CodeHTTPTooManyRedirects (Apple documents 16).
	MaxRedirects = 16
)

// Configuration is copied by the session when it is created; later changes to the
// caller's value have no effect on that session.
type Configuration struct {
	Identifier string
	Kind       Kind

	// HTTPAdditionalHeaders are added to every request unless the request sets the
	// same header (names compared case-insensitively).
	HTTPAdditionalHeaders []Header

	// TimeoutIntervalForRequest is an idle timeout: it restarts on every byte sent or
	// received and only counts once the request has a connection. Zero means the default.
	TimeoutIntervalForRequest time.Duration
	// TimeoutIntervalForResource bounds the whole task. Zero means the default.
	TimeoutIntervalForResource time.Duration
	// HTTPMaximumConnectionsPerHost limits concurrent tasks per host:port; extra tasks
	// wait in FIFO order and their timeouts do not run while waiting. Zero means 6.
	HTTPMaximumConnectionsPerHost int

	HTTPShouldSetCookies   bool
	HTTPCookieAcceptPolicy CookieAcceptPolicy
	RequestCachePolicy     CachePolicy

	// TLSMinimumVersion is a crypto/tls version constant; zero means TLS 1.2.
	TLSMinimumVersion uint16
	// TrustedCAs are accepted in addition to the system roots.
	TrustedCAs *x509.CertPool
	// TrustedHosts are host names (no port) whose certificates are not verified.
	// Use only for development servers.
	TrustedHosts []string

	// Proxy picks a proxy per request; nil means the environment (HTTP_PROXY etc.).
	Proxy func(*http.Request) (*url.URL, error)

	// Flags that have no effect on this platform; stored and reported back.
	AllowsCellularAccess     bool
	Discretionary            bool
	SessionSendsLaunchEvents bool
	WaitsForConnectivity     bool

	// ProgressInterval is the minimum time between two progress events of one task.
	// Zero means 50 ms.
	ProgressInterval time.Duration
	// MaxDataBodyBytes caps the in-memory body of data and upload tasks; beyond it the
	// task fails with CodeDataLengthExceedsMaximum. Zero means 64 MiB.
	MaxDataBodyBytes int64
}

// DefaultConfiguration returns Apple's defaults for a default session.
func DefaultConfiguration() Configuration {
	return Configuration{
		Kind:                          KindDefault,
		TimeoutIntervalForRequest:     DefaultRequestTimeout,
		TimeoutIntervalForResource:    DefaultResourceTimeout,
		HTTPMaximumConnectionsPerHost: DefaultMaxConnsPerHost,
		HTTPShouldSetCookies:          true,
		HTTPCookieAcceptPolicy:        CookieAcceptOnlyFromMainDocumentDomain,
		RequestCachePolicy:            UseProtocolCachePolicy,
		AllowsCellularAccess:          true,
		ProgressInterval:              DefaultProgressInterval,
		MaxDataBodyBytes:              DefaultMaxDataBodyBytes,
	}
}

// EphemeralConfiguration is DefaultConfiguration with private in-memory storage.
func EphemeralConfiguration() Configuration {
	c := DefaultConfiguration()
	c.Kind = KindEphemeral
	return c
}

// BackgroundConfiguration is DefaultConfiguration for a named background session.
// NewSession rejects an empty identifier for this kind.
func BackgroundConfiguration(identifier string) Configuration {
	c := DefaultConfiguration()
	c.Kind = KindBackground
	c.Identifier = identifier
	c.SessionSendsLaunchEvents = true
	return c
}

// clone deep-copies the slices so the session's copy cannot be changed from outside.
func (c Configuration) clone() Configuration {
	c.HTTPAdditionalHeaders = slices.Clone(c.HTTPAdditionalHeaders)
	c.TrustedHosts = slices.Clone(c.TrustedHosts)
	return c
}

// withDefaults fills zero values with the documented defaults.
func (c Configuration) withDefaults() Configuration {
	if c.TimeoutIntervalForRequest <= 0 {
		c.TimeoutIntervalForRequest = DefaultRequestTimeout
	}
	if c.TimeoutIntervalForResource <= 0 {
		c.TimeoutIntervalForResource = DefaultResourceTimeout
	}
	if c.HTTPMaximumConnectionsPerHost <= 0 {
		c.HTTPMaximumConnectionsPerHost = DefaultMaxConnsPerHost
	}
	if c.ProgressInterval <= 0 {
		c.ProgressInterval = DefaultProgressInterval
	}
	if c.MaxDataBodyBytes <= 0 {
		c.MaxDataBodyBytes = DefaultMaxDataBodyBytes
	}
	return c
}
