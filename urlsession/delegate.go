package urlsession

import "net/http"

// SizeUnknown is the expected size of a body whose length is not known
// (NSURLSessionTransferSizeUnknown).
const SizeUnknown int64 = -1

// Delegate receives a session's events. The engine calls it from one goroutine per
// session, never concurrently and in order: for a task, progress events come before
// DidFinishDownloading, which comes before DidComplete; DidBecomeInvalid is the last
// call of all. A slow delegate slows nothing but itself: progress is coalesced.
type Delegate interface {
	// DidReceiveResponse is called once with the final (non-redirect) response.
	DidReceiveResponse(t *Task, r *Response)
	// DidWriteData reports download progress: bytes written since the previous event,
	// the total so far, and the expected total or SizeUnknown.
	DidWriteData(t *Task, written, totalWritten, totalExpected int64)
	// DidSendBodyData reports upload progress for any task with a body.
	DidSendBodyData(t *Task, sent, totalSent, totalExpected int64)
	// DidFinishDownloading hands over the downloaded file. The file exists only during
	// the call: move or copy it; the engine deletes it afterwards if it is still there.
	DidFinishDownloading(t *Task, location string)
	// DidComplete is called exactly once per task; err is nil on success. An HTTP
	// status, whatever it is, is a success.
	DidComplete(t *Task, err *URLError)
	// DidBecomeInvalid is the session's last call, after the last DidComplete.
	DidBecomeInvalid(err error)
}

// Response describes the final HTTP response of a task.
type Response struct {
	URL        string // after redirects
	StatusCode int
	Status     string // e.g. "404 Not Found"
	Proto      string // e.g. "HTTP/1.1", "HTTP/2.0"
	Header     http.Header
	// ExpectedContentLength is the decoded body length when known, else SizeUnknown
	// (always unknown when the engine decodes a Content-Encoding).
	ExpectedContentLength int64
	MIMEType              string
	TextEncodingName      string
	// SuggestedFilename is a plain base name (never a path), from Content-Disposition
	// or the URL; safe to join with a directory.
	SuggestedFilename string
}

// NopDelegate ignores every event; embed it to implement only some methods.
type NopDelegate struct{}

func (NopDelegate) DidReceiveResponse(*Task, *Response)        {}
func (NopDelegate) DidWriteData(*Task, int64, int64, int64)    {}
func (NopDelegate) DidSendBodyData(*Task, int64, int64, int64) {}
func (NopDelegate) DidFinishDownloading(*Task, string)         {}
func (NopDelegate) DidComplete(*Task, *URLError)               {}
func (NopDelegate) DidBecomeInvalid(error)                     {}
