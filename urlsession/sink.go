package urlsession

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"
)

// downloadBufSize is the chunk written to disk per write call. Large chunks keep the
// syscall count low on fast links; only active downloads hold one (pooled).
const downloadBufSize = 256 << 10

// writebackChunk is how much a download writes before asking the kernel to start
// putting it on disk (see startWriteback).
const writebackChunk = 8 << 20

var downloadBufs = sync.Pool{New: func() any { b := make([]byte, downloadBufSize); return &b }}

// writeDownload streams r into the download's file, fsyncs it and returns its path.
// A fresh body goes to a new owner-only file in the session directory (the name is
// ours, never the server's); a resumed one continues d's file at appendAt, or starts
// it over when appendAt is 0. On failure the file stays: the transfer's caller keeps
// it as resume data or deletes it (Task.finish).
func (s *Session) writeDownload(r io.Reader, d *downloadState, appendAt int64) (string, error) {
	var f *os.File
	var err error
	if d.path == "" && d.create != "" {
		f, err = os.OpenFile(d.create, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			return "", newURLError(CodeCannotCreateFile, "", err)
		}
		d.path = d.create
	} else if d.path == "" {
		f, err = os.CreateTemp(s.dir, "download-*.tmp") // mode 0600
		if err != nil {
			return "", newURLError(CodeCannotCreateFile, "", err)
		}
		d.path = f.Name()
	} else if f, err = openAt(d.path, appendAt); err != nil {
		return "", newURLError(CodeCannotWriteToFile, "", fmt.Errorf("%w: %v", errNoDownloadFile, err))
	}
	if d.info != nil {
		d.info.BytesReceived = appendAt
	}
	fail := func(err error) (string, error) {
		f.Close()
		return "", err
	}
	d.ckpt.begin() // a checkpoint is due a full interval after the body starts
	bp := downloadBufs.Get().(*[]byte)
	defer downloadBufs.Put(bp)
	buf := *bp
	var written, flushed int64
	for {
		// Fill most of the buffer before writing: network reads are often small.
		off := 0
		var rerr error
		for off < len(buf)-4096 && rerr == nil {
			var n int
			n, rerr = r.Read(buf[off:])
			off += n
		}
		if off > 0 {
			if _, err := f.Write(buf[:off]); err != nil {
				return fail(newURLError(CodeCannotWriteToFile, "", err))
			}
			written += int64(off)
			if d.info != nil {
				d.info.BytesReceived += int64(off)
			}
			if written-flushed >= writebackChunk {
				startWriteback(f, appendAt+flushed, written-flushed)
				flushed = written
			}
			if d.ckpt.due() {
				d.ckpt.save(f, d.info)
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return fail(rerr)
		}
	}
	if err := f.Sync(); err != nil {
		return fail(newURLError(CodeCannotWriteToFile, "", err))
	}
	if err := f.Close(); err != nil {
		return "", newURLError(CodeCannotWriteToFile, "", err)
	}
	return d.path, nil
}

// openAt opens an existing download file for writing from offset, dropping
// anything after it.
func openAt(path string, offset int64) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return nil, err
	}
	if err := f.Truncate(offset); err != nil {
		f.Close()
		return nil, err
	}
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// errBodyTooLarge is the cause of CodeDataLengthExceedsMaximum.
var errBodyTooLarge = errors.New("the response body is larger than Configuration.MaxDataBodyBytes")

// readCapped reads a whole body into memory, failing as soon as it would exceed
// limit instead of growing without bound.
func readCapped(r io.Reader, expected, limit int64) ([]byte, error) {
	if expected > limit {
		return nil, newURLError(CodeDataLengthExceedsMaximum, "", errBodyTooLarge)
	}
	initial := int64(512)
	if expected >= 0 {
		initial = expected + 1 // +1: room for the read that reports EOF
	}
	buf := make([]byte, 0, initial)
	for {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, max(512, min(len(buf), int(limit+1)-len(buf))))
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > limit {
			return nil, newURLError(CodeDataLengthExceedsMaximum, "", errBodyTooLarge)
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}
