package urlsession

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"strings"
	"time"
)

// newTransport builds a session's connection pool. Compression is disabled because
// the engine decodes gzip/deflate/br itself (so it can also do so when the caller
// chose Accept-Encoding); the per-host limit is enforced by hostLimiter, so the pool
// only needs to keep that many idle connections.
func newTransport(cfg Configuration) (*http.Transport, error) {
	tlsCfg, err := newTLSConfig(cfg)
	if err != nil {
		return nil, err
	}
	dialer := &net.Dialer{Timeout: cfg.TimeoutIntervalForRequest, KeepAlive: 30 * time.Second}
	proxy := cfg.Proxy
	if proxy == nil {
		proxy = http.ProxyFromEnvironment
	}
	return &http.Transport{
		Proxy:                 proxy,
		DialContext:           dialer.DialContext,
		TLSClientConfig:       tlsCfg,
		TLSHandshakeTimeout:   cfg.TimeoutIntervalForRequest,
		ForceAttemptHTTP2:     true,
		DisableCompression:    true,
		MaxIdleConns:          0, // no global cap; per host below
		MaxIdleConnsPerHost:   max(cfg.HTTPMaximumConnectionsPerHost, 2),
		IdleConnTimeout:       90 * time.Second,
		ExpectContinueTimeout: time.Second,
		// Body reads use the caller's (large) buffer directly when the connection's
		// buffer is empty, so a small per-connection buffer costs no throughput and
		// keeps many concurrent transfers cheap.
		ReadBufferSize:  16 << 10,
		WriteBufferSize: 16 << 10,
	}, nil
}

// newTLSConfig verifies certificates normally. Only when the configuration trusts
// extra CAs or hosts does it verify by hand: system roots first, then TrustedCAs,
// and no check at all for a host listed in TrustedHosts.
func newTLSConfig(cfg Configuration) (*tls.Config, error) {
	minV := cfg.TLSMinimumVersion
	if minV == 0 {
		minV = tls.VersionTLS12
	}
	if minV < tls.VersionTLS10 || minV > tls.VersionTLS13 {
		return nil, errors.New("urlsession: Configuration.TLSMinimumVersion is not a TLS version")
	}
	c := &tls.Config{MinVersion: minV}
	if cfg.TrustedCAs == nil && len(cfg.TrustedHosts) == 0 {
		return c, nil
	}
	trusted := make(map[string]bool, len(cfg.TrustedHosts))
	for _, h := range cfg.TrustedHosts {
		trusted[strings.ToLower(strings.TrimSuffix(h, "."))] = true
	}
	extra := cfg.TrustedCAs
	// Verification is replaced, not skipped: VerifyConnection below does it.
	c.InsecureSkipVerify = true
	c.VerifyConnection = func(cs tls.ConnectionState) error {
		if trusted[strings.ToLower(cs.ServerName)] {
			return nil
		}
		if len(cs.PeerCertificates) == 0 {
			return errors.New("urlsession: the server sent no certificate")
		}
		opts := x509.VerifyOptions{DNSName: cs.ServerName, Intermediates: x509.NewCertPool()}
		for _, ic := range cs.PeerCertificates[1:] {
			opts.Intermediates.AddCert(ic)
		}
		leaf := cs.PeerCertificates[0]
		_, sysErr := leaf.Verify(opts)
		if sysErr == nil {
			return nil
		}
		if extra != nil {
			opts.Roots = extra
			if _, err := leaf.Verify(opts); err == nil {
				return nil
			}
		}
		return &tls.CertificateVerificationError{UnverifiedCertificates: cs.PeerCertificates, Err: sysErr}
	}
	return c, nil
}
