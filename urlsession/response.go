package urlsession

import (
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"
)

func newResponse(resp *http.Response, u *url.URL, rawURL string, expected int64) *Response {
	r := &Response{
		URL:                   rawURL,
		StatusCode:            resp.StatusCode,
		Status:                resp.Status,
		Proto:                 resp.Proto,
		Header:                resp.Header,
		ExpectedContentLength: expected,
	}
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		r.MIMEType, r.TextEncodingName = parseContentType(ct)
	}
	r.SuggestedFilename = suggestedFilename(resp.Header.Get("Content-Disposition"), u)
	return r
}

// parseContentType splits "type/sub; charset=x" cheaply for the common shape and
// falls back to mime.ParseMediaType for anything with quoting or other parameters.
func parseContentType(ct string) (mimeType, charset string) {
	mt, rest, _ := strings.Cut(ct, ";")
	rest = strings.TrimSpace(rest)
	if k, v, ok := strings.Cut(rest, "="); rest == "" || ok && strings.EqualFold(strings.TrimSpace(k), "charset") &&
		!strings.ContainsAny(v, "\";") {
		return strings.ToLower(strings.TrimSpace(mt)), strings.ToLower(strings.TrimSpace(v))
	}
	if m, params, err := mime.ParseMediaType(ct); err == nil {
		return strings.ToLower(m), strings.ToLower(params["charset"])
	}
	return strings.ToLower(strings.TrimSpace(mt)), ""
}

// suggestedFilename picks a file name from Content-Disposition, else the URL path.
// Whatever the server sends, the result is a single harmless path element.
func suggestedFilename(disposition string, u *url.URL) string {
	if disposition != "" { // most responses have none: skip the parser's work
		if _, params, err := mime.ParseMediaType(disposition); err == nil {
			if name := safeBaseName(params["filename"]); name != "" {
				return name
			}
		}
	}
	if name := safeBaseName(path.Base(u.Path)); name != "" {
		return name
	}
	return "download"
}

// safeBaseName keeps the last element of a slash- or backslash-separated name and
// drops control characters; ".", ".." and empty names are rejected.
func safeBaseName(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if name == "" || name == "." || name == ".." {
		return ""
	}
	if len(name) > 255 {
		name = strings.ToValidUTF8(name[:255], "")
	}
	return name
}
