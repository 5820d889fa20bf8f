package urlsession

import "fmt"

// NSURLErrorDomain codes produced by the engine.
const (
	CodeUnknown                         = -1
	CodeCancelled                       = -999
	CodeBadURL                          = -1000
	CodeTimedOut                        = -1001
	CodeUnsupportedURL                  = -1002
	CodeCannotFindHost                  = -1003
	CodeCannotConnectToHost             = -1004
	CodeNetworkConnectionLost           = -1005
	CodeHTTPTooManyRedirects            = -1007
	CodeResourceUnavailable             = -1008
	CodeNotConnectedToInternet          = -1009
	CodeBadServerResponse               = -1011
	CodeCannotDecodeRawData             = -1015
	CodeCannotDecodeContentData         = -1016
	CodeCannotParseResponse             = -1017
	CodeFileDoesNotExist                = -1100
	CodeFileIsDirectory                 = -1101
	CodeNoPermissionsToReadFile         = -1102
	CodeDataLengthExceedsMaximum        = -1103
	CodeSecureConnectionFailed          = -1200
	CodeServerCertificateBadDate        = -1201
	CodeServerCertificateUntrusted      = -1202
	CodeServerCertificateNotYetValid    = -1204
	CodeCannotLoadFromNetwork           = -2000
	CodeCannotCreateFile                = -3000
	CodeCannotWriteToFile               = -3003
	CodeDownloadDecodingFailedMidStream = -3006
)

// messages are our own short descriptions, one per code.
var messages = map[int]string{
	CodeUnknown:                         "the request failed for an unknown reason",
	CodeCancelled:                       "cancelled",
	CodeBadURL:                          "the URL is malformed",
	CodeTimedOut:                        "the request timed out",
	CodeUnsupportedURL:                  "the URL scheme is not supported",
	CodeCannotFindHost:                  "the server's host name could not be resolved",
	CodeCannotConnectToHost:             "could not connect to the server",
	CodeNetworkConnectionLost:           "the connection to the server was lost",
	CodeHTTPTooManyRedirects:            "the server redirected too many times",
	CodeResourceUnavailable:             "the resource is not available",
	CodeNotConnectedToInternet:          "no network connection is available",
	CodeBadServerResponse:               "the server sent no usable response",
	CodeCannotDecodeRawData:             "the response body could not be decoded",
	CodeCannotDecodeContentData:         "the response uses an unknown content encoding",
	CodeCannotParseResponse:             "the server's response could not be parsed",
	CodeFileDoesNotExist:                "the file to upload does not exist",
	CodeFileIsDirectory:                 "the file to upload is a directory",
	CodeNoPermissionsToReadFile:         "the file to upload cannot be read",
	CodeDataLengthExceedsMaximum:        "the body exceeds the maximum allowed size",
	CodeSecureConnectionFailed:          "a secure (TLS) connection to the server could not be made",
	CodeServerCertificateBadDate:        "the server's certificate has expired",
	CodeServerCertificateUntrusted:      "the server's certificate is not trusted",
	CodeServerCertificateNotYetValid:    "the server's certificate is not yet valid",
	CodeCannotLoadFromNetwork:           "nothing is cached for this cache-only request and the network may not be used",
	CodeCannotCreateFile:                "the download file could not be created",
	CodeCannotWriteToFile:               "the download file could not be written",
	CodeDownloadDecodingFailedMidStream: "the downloaded body could not be decoded",
}

// MessageForCode returns the engine's description of an NSURLErrorDomain code.
func MessageForCode(code int) string {
	if m, ok := messages[code]; ok {
		return m
	}
	return messages[CodeUnknown]
}

// URLError is the only error type a task completes with. Code is an NSURLErrorDomain
// code, URL the URL that failed (the current one after redirects), Err the Go cause.
//
// ResumeData is set on a download that failed after receiving part of a resumable
// body (connection lost or timed out): Session.DownloadTaskWithResumeData continues
// it. Apple puts the same data under NSURLSessionDownloadTaskResumeData.
type URLError struct {
	Code       int
	URL        string
	Message    string
	Err        error
	ResumeData []byte
}

func (e *URLError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("urlsession: %s (%d) for %q: %v", e.Message, e.Code, e.URL, e.Err)
	}
	return fmt.Sprintf("urlsession: %s (%d) for %q", e.Message, e.Code, e.URL)
}

func (e *URLError) Unwrap() error { return e.Err }

// newURLError builds a URLError with the standard message for code.
func newURLError(code int, rawURL string, cause error) *URLError {
	return &URLError{Code: code, URL: rawURL, Message: MessageForCode(code), Err: cause}
}
