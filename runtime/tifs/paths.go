package tifs

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// Dirs are the three roots a script sees as Ti.Filesystem.*Directory.
type Dirs struct{ ApplicationData, Temp, Resources string }

// normalize makes every directory absolute and clean. An empty Resources means the current
// directory (scripts run from a checkout); ApplicationData and Temp are required because
// silently writing into the working directory would scatter files.
func (d Dirs) normalize() (Dirs, error) {
	if d.ApplicationData == "" || d.Temp == "" {
		return d, errors.New("tifs: Dirs.ApplicationData and Dirs.Temp are required")
	}
	if d.Resources == "" {
		d.Resources = "."
	}
	for _, p := range []*string{&d.ApplicationData, &d.Temp, &d.Resources} {
		abs, err := filepath.Abs(*p)
		if err != nil {
			return d, fmt.Errorf("tifs: %w", err)
		}
		*p = abs
	}
	return d, nil
}

// dirString is how Titanium shows a directory: the path with a trailing separator, so that
// `applicationDataDirectory + 'name'` is a valid path.
func dirString(p string) string {
	if strings.HasSuffix(p, string(filepath.Separator)) {
		return p
	}
	return p + string(filepath.Separator)
}

// fileURL turns an absolute path into the file:// URL Titanium reports as nativePath
// (percent-encoded, like NSURL fileURLWithPath).
func fileURL(p string) string {
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(p)}
	if !strings.HasPrefix(u.Path, "/") {
		u.Path = "/" + u.Path // Windows drive paths: file:///C:/...
	}
	return u.String()
}

// localPath strips a file:// or app:// prefix. app:// is Titanium's alias for the resources
// directory, so its path is relative. An error reports a URL this package cannot open.
func localPath(s string) (p string, relative bool, err error) {
	lower := strings.ToLower(s)
	switch {
	case strings.HasPrefix(lower, "file://"):
		u, perr := url.Parse(s)
		if perr != nil {
			return "", false, fmt.Errorf("malformed file URL %q", s)
		}
		if u.Host != "" && u.Host != "localhost" {
			return "", false, fmt.Errorf("file URL %q names a remote host", s)
		}
		p := u.Path
		if runtime.GOOS == "windows" && len(p) >= 3 && p[0] == '/' && p[2] == ':' {
			p = p[1:] // file:///C:/x names C:\x
		}
		return filepath.FromSlash(p), false, nil
	case strings.HasPrefix(lower, "app://"):
		rest := strings.TrimLeft(s[len("app://"):], "/")
		if unescaped, uerr := url.PathUnescape(rest); uerr == nil {
			rest = unescaped
		}
		return filepath.FromSlash(rest), true, nil
	}
	return s, !filepath.IsAbs(s), nil
}

// resolvePath maps a script-supplied path (plain, file:// or app://) to a clean absolute
// path; relative paths are taken from base.
func resolvePath(base, s string) (string, error) {
	p, relative, err := localPath(s)
	if err != nil {
		return "", err
	}
	if relative {
		p = filepath.Join(base, p)
	}
	return filepath.Clean(p), nil
}

// joinParts implements getFile(...parts): the parts are joined, the first may be a URL, and
// a relative result is taken from base (the resources directory, as in Titanium).
func joinParts(base string, parts []string) (string, error) {
	if len(parts) == 0 {
		return "", errors.New("no path given")
	}
	first, relative, err := localPath(parts[0])
	if err != nil {
		return "", err
	}
	p := filepath.Join(append([]string{first}, parts[1:]...)...)
	if relative || p == "" {
		p = filepath.Join(base, p)
	}
	return filepath.Clean(p), nil
}

// createTemp makes a fresh file or directory in dir for createTempFile/createTempDirectory;
// os.CreateTemp/os.MkdirTemp guarantee the name is new even with concurrent callers.
func createTemp(dir string, directory bool) (string, error) {
	if directory {
		return os.MkdirTemp(dir, "tmp-")
	}
	f, err := os.CreateTemp(dir, "tmp-")
	if err != nil {
		return "", err
	}
	name := f.Name()
	return name, f.Close()
}
