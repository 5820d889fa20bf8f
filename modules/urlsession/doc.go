// Package urlsession is require('com.appcelerator.urlSession'): the JS binding of the
// Titanium URLSession module over tirun's transfer engine (package
// github.com/tirun/tirun/urlsession).
//
// Objects (apiName): the module (Modules.URLSession), SessionConfiguration
// (Modules.URLSession.SessionConfiguration) and Session (Modules.URLSession.Session), each a
// Titanium proxy. Events are fired on the Session, bubble to the module object and then to
// Ti.App.iOS, where Titanium scripts listen; payload keys follow Titanium's TiApp.
//
// Module constants (values follow Apple's enums where Apple has one):
//
//	SESSION_CONFIGURATION_TYPE_DEFAULT    0  shared cookie storage
//	SESSION_CONFIGURATION_TYPE_EPHEMERAL  1  private in-memory storage
//	SESSION_CONFIGURATION_TYPE_BACKGROUND 2  named session (the default when an identifier is given)
//	REQUEST_CACHE_POLICY_USE_PROTOCOL            0  NSURLRequestUseProtocolCachePolicy
//	REQUEST_CACHE_POLICY_RELOAD_IGNORING_LOCAL_CACHE 1  NSURLRequestReloadIgnoringLocalCacheData
//	REQUEST_CACHE_POLICY_RETURN_CACHE_ELSE_LOAD  2  NSURLRequestReturnCacheDataElseLoad
//	REQUEST_CACHE_POLICY_RETURN_CACHE_DONT_LOAD  3  NSURLRequestReturnCacheDataDontLoad
//	HTTP_COOKIE_ACCEPT_POLICY_ALWAYS                        0  NSHTTPCookieAcceptPolicyAlways
//	HTTP_COOKIE_ACCEPT_POLICY_NEVER                         1  NSHTTPCookieAcceptPolicyNever
//	HTTP_COOKIE_ACCEPT_POLICY_ONLY_FROM_MAIN_DOCUMENT_DOMAIN 2 NSHTTPCookieAcceptPolicyOnlyFromMainDocumentDomain
//	TLS_VERSION_1_0 .. TLS_VERSION_1_3   0x0301 .. 0x0304 (tls_protocol_version_t, crypto/tls)
//
// Behaviour worth knowing:
//   - createSession with the identifier of a live (not yet invalidated) session returns that
//     session; its configuration is not replaced.
//   - Payloads carry sessionIdentifier only when the configuration has an identifier (as TiApp);
//     sessioncompleted carries statusCode only on success and message only on failure;
//     responseText only when body bytes arrived and are valid UTF-8, so never for downloads.
//   - downloadcompleted's data is a file-backed Blob: the engine's file is renamed into the
//     runtime's temp directory (removed when the runtime closes). When nobody listens, the
//     file is deleted at once.
//   - downloadTask also accepts method and requestHeaders; its data key is ignored.
//   - Each running task holds a loop reference until its sessioncompleted is delivered; an
//     invalidated session holds one until the engine reports it invalid, then drops its
//     listeners. With runtime.Options.LeaveBackgroundTasks (tirun run --leave-background)
//     downloads of background sessions hold none: the run may end and leave them.
//
// Background sessions (background.go; issue 6): downloads of a background session survive
// the process. The next runtime on the same data directory fires backgroundtransfer
// {sessionId, handlerId: "Session-<unix seconds>.<micros>"} on Ti.App.iOS after the main
// script's top-level code (unless the script re-created the session itself by then); the
// script re-creates the session, whose tasks continue and whose owed events are delivered,
// then sessioneventscompleted {sessionIdentifier}; Ti.App.iOS.endBackgroundHandler(handlerId)
// lets the journal forget them. An event is marked delivered only after its listeners
// returned; one whose listener threw ends the run and comes again in the next process.
// Delivery is exactly once except for a kill in the instant between a listener returning and
// its mark being written (one journal commit), where it is delivered again. A background
// download's Blob is a hard link in the temp directory to the journaled file (the journaled
// path itself across filesystems), which stays until the task is forgotten.
//
// Deliberate differences from the native module: a dataTask with neither data nor method is a
// GET (native always POSTs); a dataTask's JSON body gets Content-Type application/json unless
// the script sets one; an unknown length is reported as 0 (as the docs say); bad arguments throw
// TypeErrors instead of logging and returning null; identifier and configuration are readable
// back; default and ephemeral configurations can be made.
package urlsession
