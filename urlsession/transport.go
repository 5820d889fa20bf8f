package urlsession

import (
	"context"
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
	minV := cfg.TLSMinimumVersion
	if minV == 0 {
		minV = tls.VersionTLS12
	}
	if minV < tls.VersionTLS10 || minV > tls.VersionTLS13 {
		return nil, errors.New("urlsession: Configuration.TLSMinimumVersion is not a TLS version")
	}
	dialer := &net.Dialer{Timeout: cfg.TimeoutIntervalForRequest, KeepAlive: 30 * time.Second}
	proxy := cfg.Proxy
	if proxy == nil {
		proxy = http.ProxyFromEnvironment
	}
	tr := &http.Transport{
		Proxy:                 proxy,
		DialContext:           dialer.DialContext,
		TLSClientConfig:       &tls.Config{MinVersion: minV},
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
	}
	if cfg.TrustedCAs != nil || len(cfg.TrustedHosts) > 0 {
		v := newVerifier(cfg)
		// Verification is replaced, not skipped: VerifyConnection does it.
		tr.TLSClientConfig.InsecureSkipVerify = true
		tr.TLSClientConfig.VerifyConnection = func(cs tls.ConnectionState) error { return v.verify(cs.ServerName, cs) }
		// A direct TLS dial knows the host even when it is an IP address (no SNI is
		// sent then, so ConnectionState.ServerName is empty): dial TLS ourselves.
		tr.DialTLSContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, _, err := net.SplitHostPort(addr)
			if err != nil {
				return nil, err
			}
			raw, err := dialer.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			c := tr.TLSClientConfig.Clone()
			c.ServerName = host
			c.NextProtos = []string{"h2", "http/1.1"}
			c.VerifyConnection = func(cs tls.ConnectionState) error { return v.verify(host, cs) }
			hctx, cancel := context.WithTimeout(ctx, cfg.TimeoutIntervalForRequest)
			defer cancel()
			tc := tls.Client(raw, c)
			if err := tc.HandshakeContext(hctx); err != nil {
				raw.Close()
				return nil, err
			}
			return tc, nil
		}
	}
	return tr, nil
}

// verifier checks certificates against the system roots, then TrustedCAs, and not
// at all for a host listed in TrustedHosts.
type verifier struct {
	trusted map[string]bool
	extra   *x509.CertPool
}

func newVerifier(cfg Configuration) *verifier {
	v := &verifier{trusted: make(map[string]bool, len(cfg.TrustedHosts)), extra: cfg.TrustedCAs}
	for _, h := range cfg.TrustedHosts {
		v.trusted[normalizeHost(h)] = true
	}
	return v
}

func normalizeHost(h string) string {
	return strings.ToLower(strings.TrimSuffix(strings.Trim(h, "[]"), "."))
}

func (v *verifier) verify(host string, cs tls.ConnectionState) error {
	if host != "" && v.trusted[normalizeHost(host)] {
		return nil
	}
	if host == "" { // without a name there is nothing to match the certificate against
		return errors.New("urlsession: cannot verify a certificate without a server name")
	}
	if len(cs.PeerCertificates) == 0 {
		return errors.New("urlsession: the server sent no certificate")
	}
	opts := x509.VerifyOptions{DNSName: host, Intermediates: x509.NewCertPool()}
	for _, ic := range cs.PeerCertificates[1:] {
		opts.Intermediates.AddCert(ic)
	}
	leaf := cs.PeerCertificates[0]
	_, sysErr := leaf.Verify(opts)
	if sysErr == nil {
		return nil
	}
	if v.extra != nil {
		opts.Roots = v.extra
		if _, err := leaf.Verify(opts); err == nil {
			return nil
		}
	}
	return &tls.CertificateVerificationError{UnverifiedCertificates: cs.PeerCertificates, Err: sysErr}
}
