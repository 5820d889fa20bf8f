// Package urlsession is tirun's HTTP transfer engine, modelled on NSURLSession: an
// Engine creates Sessions from a Configuration; a Session creates data, download and
// upload Tasks (suspended until Resume) and reports their events serially through a
// Delegate. The package is pure Go (it never imports goja) and can be used alone.
//
// On the wire: header names are sent exactly as spelled, redirects are followed by
// the engine's own rules, gzip/deflate/br bodies are decoded, an HTTP status is
// never an error, 401 challenges are answered from URL or stored credentials, and
// transport failures become a *URLError carrying an NSURLErrorDomain code.
//
// Stores, by session kind (as on Apple platforms): default and background sessions
// share the engine's cookie jar (cookiestore) and credential store (credstore),
// persisted under EngineOptions.DataDir; ephemeral sessions get private in-memory
// ones. Data tasks of default sessions use a shared HTTP cache (httpcache),
// ephemeral sessions a private one, background sessions none.
//
// Files: each session has a directory (0700) for downloads (0600), removed when the
// session is invalidated; a download's file is deleted after DidFinishDownloading
// returns unless the delegate moved it.
//
// Resume data: Task.CancelByProducingResumeData, and URLError.ResumeData on a
// download that lost its connection or timed out mid-body, describe a partial
// download of a GET whose response had a strong ETag or a Last-Modified, announced
// byte ranges and was not content-encoded. Session.DownloadTaskWithResumeData
// continues it with Range and If-Range. The data is versioned JSON (resumedata.go);
// its partial file waits in <engine dir>/resume, is taken by the task made from
// the data, and is deleted at engine start when unused for 7 days.
//
// Data directory: a second engine (usually a second process) on a DataDir whose
// stores are locked still runs, with its stores in memory; it logs a warning naming
// the directory and the other pid, and Engine.StoresFallback reports it.
//
// Background sessions (KindBackground, background.go) outlive the process: their
// downloads are journaled in DataDir/urlsession-journal (package journal) with
// partial files in DataDir/urlsession-background, checkpointed about once a second.
// Engine.Close leaves them running in the journal instead of failing them. The next
// engine lists them (PendingBackgroundSessions); a session re-created with the same
// identifier continues them with Range/If-Range (Session.Recovered) and hands the
// delegate the outcomes never delivered (DeliverRecovered); Task.MarkDelivered,
// Task.Forget and AcknowledgeBackground let the journal forget them. Unlike the
// stores, the journal admits one engine at a time: a background session on a data
// directory another process uses fails with the journal's "in use" error.
package urlsession
