package urlsession

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"time"
)

// Resume data is opaque to callers. It is JSON, versioned:
//
//	{
//	  "version": 1,
//	  "url": "https://host/file",          // the task's original URL
//	  "method": "GET",                      // only GET downloads are resumable
//	  "header": [{"Name":"X-A","Value":"1"}], // the original request's headers, exact case
//	  "bytesReceived": 1048576,             // bytes in the partial file
//	  "expectedLength": 4194304,            // full length, -1 when unknown
//	  "etag": "\"abc\"",                    // strong validator, may be empty
//	  "lastModified": "Wed, 21 Oct 2026 07:28:00 GMT", // may be empty, not both
//	  "partialFile": "partial-123.tmp"      // a name in <engine dir>/resume, never a path
//	}
//
// Who owns the partial file: the resume data, until a task created from it starts;
// then that task. The task appends to it in place and hands it to
// DidFinishDownloading (which, as for every download, deletes it afterwards unless
// the delegate moved it); if the task fails resumably again the same file goes into
// the new resume data, otherwise the task deletes it. Resume data never used leaves
// its file behind: an engine deletes partial files older than stalePartialAge when it
// starts.

const (
	resumeFormatVersion = 1
	resumeDirName       = "resume"
	// stalePartialAge is how long unused partial files are kept (Apple keeps its
	// temporary download files for a few days too).
	stalePartialAge = 7 * 24 * time.Hour
)

type resumeInfo struct {
	Version        int      `json:"version"`
	URL            string   `json:"url"`
	Method         string   `json:"method"`
	Header         []Header `json:"header"`
	BytesReceived  int64    `json:"bytesReceived"`
	ExpectedLength int64    `json:"expectedLength"`
	ETag           string   `json:"etag,omitempty"`
	LastModified   string   `json:"lastModified,omitempty"`
	PartialFile    string   `json:"partialFile"`
}

// partialName is what CreateTemp makes of partialPattern: the only names accepted
// from resume data, so that data cannot point the engine at any other file.
var partialName = regexp.MustCompile(`^partial-[0-9]+\.tmp$`)

const partialPattern = "partial-*.tmp"

// errInvalidResumeData is the cause of the -1002 a task made from bad data fails with.
var errInvalidResumeData = errors.New("the resume data is not valid")

// validator is the If-Range value: the entity tag, else the modification date.
func (ri *resumeInfo) validator() string {
	if ri.ETag != "" {
		return ri.ETag
	}
	return ri.LastModified
}

// decodeResumeData parses and checks data; the file itself is checked when the task
// starts (it may change in between).
func decodeResumeData(data []byte) (*resumeInfo, error) {
	var ri resumeInfo
	if err := json.Unmarshal(data, &ri); err != nil {
		return nil, fmt.Errorf("%w: %v", errInvalidResumeData, err)
	}
	switch {
	case ri.Version != resumeFormatVersion:
		return &ri, fmt.Errorf("%w: format version %d, want %d", errInvalidResumeData, ri.Version, resumeFormatVersion)
	case ri.Method != "GET":
		return &ri, fmt.Errorf("%w: method %q is not resumable", errInvalidResumeData, ri.Method)
	case ri.BytesReceived <= 0:
		return &ri, fmt.Errorf("%w: no bytes received", errInvalidResumeData)
	case ri.ExpectedLength >= 0 && ri.ExpectedLength < ri.BytesReceived:
		return &ri, fmt.Errorf("%w: more bytes received than expected", errInvalidResumeData)
	case ri.validator() == "":
		return &ri, fmt.Errorf("%w: no entity tag or modification date", errInvalidResumeData)
	case !partialName.MatchString(ri.PartialFile):
		return &ri, fmt.Errorf("%w: bad partial file name %q", errInvalidResumeData, ri.PartialFile)
	}
	if _, uerr := parseTaskURL(ri.URL); uerr != nil {
		return &ri, fmt.Errorf("%w: %v", errInvalidResumeData, uerr.Err)
	}
	return &ri, nil
}

func (ri *resumeInfo) encode() []byte {
	ri.Version = resumeFormatVersion
	b, err := json.Marshal(ri)
	if err != nil { // only plain strings and numbers: cannot happen
		return nil
	}
	return b
}

// resumeDir is where partial files wait for a resumed task. It is the engine's, not
// a session's: resume data outlives the session that produced it.
func (e *Engine) resumeDir() string { return filepath.Join(e.dir, resumeDirName) }

// removeStalePartials deletes partial files nobody resumed within stalePartialAge.
// Another process may share the directory: only old files go, and a file removed
// under a task that just started makes it restart from zero, not fail.
func (e *Engine) removeStalePartials() {
	entries, err := os.ReadDir(e.resumeDir())
	if err != nil {
		return
	}
	cutoff := time.Now().Add(-stalePartialAge)
	for _, ent := range entries {
		if !partialName.MatchString(ent.Name()) {
			continue
		}
		if info, err := ent.Info(); err == nil && info.ModTime().Before(cutoff) {
			path := filepath.Join(e.resumeDir(), ent.Name())
			if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
				e.logger.Warn("urlsession: removing a stale partial download", "path", path, "err", err)
			}
		}
	}
}
