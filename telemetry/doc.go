// Package telemetry carries what the transfer engine and the JS binding observe to the
// terminal view, the NDJSON trace, the HAR export and the exit summary.
//
// Producers (the engine, the JS module) call Observer.Observe with an Event; consumers
// implement Observer. Observe runs on the producer's goroutine (an engine dispatcher or the
// JS loop), so every consumer here returns at once: the trace writer and the HAR recorder
// queue, the summary only adds to counters, the terminal view coalesces.
//
// The package is pure Go: it never imports goja or the engine, so both can import it.
package telemetry

// Sources of events.
const (
	SourceEngine = "engine" // the transfer engine, as its delegate calls happen
	SourceJS     = "js"     // the events the JS binding fired on a session
)

// Names of engine events and the payload keys each carries.
const (
	// EventTaskStart: "kind" (data|download|upload), "method", "url".
	EventTaskStart = "taskStart"
	// EventResponse: "status", "url", "proto", "expectedLength" (-1 when unknown).
	EventResponse = "response"
	// EventDownloadProgress: "written", "totalWritten", "totalExpected" (-1 when unknown).
	EventDownloadProgress = "downloadProgress"
	// EventUploadProgress: "sent", "totalSent", "totalExpected" (-1 when unknown).
	EventUploadProgress = "uploadProgress"
	// EventFinishDownloading: "file" (a FileRef of the temporary file).
	EventFinishDownloading = "finishDownloading"
	// EventComplete: "url", "bytesReceived", "bytesSent", and on failure "code" (an
	// NSURLErrorDomain code) and "message".
	EventComplete = "complete"
	// EventSessionInvalid: no payload; the session's last event.
	EventSessionInvalid = "sessionInvalid"
)
