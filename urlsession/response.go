package urlsession

import (
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"
)

func newResponse(resp *http.Response, u *url.URL, expected int64) *Response {
	r := &Response{
		URL:                   u.String(),
		StatusCode:            resp.StatusCode,
		Status:                resp.Status,
		Proto:                 resp.Proto,
		Header:                resp.Header,
		ExpectedContentLength: expected,
	}
	if mt, params, err := mime.ParseMediaType(resp.Header.Get("Content-Type")); err == nil {
		r.MIMEType = strings.ToLower(mt)
		r.TextEncodingName = strings.ToLower(params["charset"])
	}
	r.SuggestedFilename = suggestedFilename(resp.Header.Get("Content-Disposition"), u)
	return r
}

// suggestedFilename picks a file name from Content-Disposition, else the URL path.
// Whatever the server sends, the result is a single harmless path element.
func suggestedFilename(disposition string, u *url.URL) string {
	if _, params, err := mime.ParseMediaType(disposition); err == nil {
		if name := safeBaseName(params["filename"]); name != "" {
			return name
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
		name = name[:255]
	}
	return name
}
