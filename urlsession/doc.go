// Package urlsession is tirun's HTTP transfer engine, modelled on NSURLSession: an
// Engine creates Sessions from a Configuration; a Session creates data, download and
// upload Tasks (suspended until Resume) and reports their events serially through a
// Delegate. The package is pure Go (it never imports goja) and can be used alone.
//
// What it does on the wire: header names are sent exactly as spelled, redirects are
// followed by the engine's own rules, gzip/deflate/br bodies are decoded, an HTTP
// status is never an error, and transport failures become a *URLError carrying an
// NSURLErrorDomain code.
package urlsession
