package urlsession

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"syscall"

	"github.com/tirun/tirun/urlsession/httpcache"
)

// mapError turns a Go transfer error into a URLError. ctx is the task's context: its
// cause (cancel, idle or resource timeout) wins over whatever error the cancellation
// produced further down.
func mapError(ctx context.Context, err error, rawURL string) *URLError {
	if cause := context.Cause(ctx); cause != nil {
		switch {
		case errors.Is(cause, errCancelled):
			return newURLError(CodeCancelled, rawURL, cause)
		case errors.Is(cause, errIdleTimeout), errors.Is(cause, errResourceTimeout):
			return newURLError(CodeTimedOut, rawURL, cause)
		}
	}
	return newURLError(errorCode(err), rawURL, err)
}

// errorCode classifies err; the most specific checks come first.
func errorCode(err error) int {
	var (
		dnsErr  *net.DNSError
		unknown x509.UnknownAuthorityError
		host    x509.HostnameError
		invalid x509.CertificateInvalidError
		verify  *tls.CertificateVerificationError
		alert   tls.AlertError
		record  tls.RecordHeaderError
		opErr   *net.OpError
		dec     *decodeError
	)
	switch {
	case err == nil:
		return CodeUnknown
	case errors.Is(err, httpcache.ErrNotCached):
		// What Apple reports for a ReturnCacheDataDontLoad miss (nsurlsession.md §4.2).
		return CodeCannotLoadFromNetwork
	case errors.As(err, &dec):
		return CodeCannotDecodeRawData
	case errors.As(err, &dnsErr):
		if dnsErr.IsTimeout {
			return CodeTimedOut
		}
		return CodeCannotFindHost
	case errors.As(err, &invalid):
		switch invalid.Reason {
		case x509.Expired:
			return CodeServerCertificateBadDate
		}
		return CodeServerCertificateUntrusted
	case errors.As(err, &unknown), errors.As(err, &host), errors.As(err, &verify):
		return CodeServerCertificateUntrusted
	case errors.As(err, &alert), errors.As(err, &record):
		return CodeSecureConnectionFailed
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.EHOSTUNREACH),
		errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EADDRNOTAVAIL):
		return CodeCannotConnectToHost
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return CodeTimedOut
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE), errors.Is(err, syscall.ECONNABORTED):
		return CodeNetworkConnectionLost
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "malformed HTTP"), strings.Contains(msg, "malformed MIME"),
		strings.Contains(msg, "unexpected HTTP status"):
		return CodeCannotParseResponse
	case strings.Contains(msg, "tls: "), strings.Contains(msg, "TLS handshake"):
		if strings.Contains(msg, "timeout") {
			return CodeTimedOut
		}
		return CodeSecureConnectionFailed
	case strings.Contains(msg, "server closed idle connection"):
		return CodeNetworkConnectionLost
	}
	if errors.As(err, &opErr) {
		if opErr.Timeout() {
			return CodeTimedOut
		}
		if opErr.Op == "dial" {
			return CodeCannotConnectToHost
		}
		return CodeNetworkConnectionLost
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return CodeTimedOut
	}
	if errors.Is(err, io.EOF) {
		// The connection closed before any response arrived.
		return CodeBadServerResponse
	}
	return CodeUnknown
}
