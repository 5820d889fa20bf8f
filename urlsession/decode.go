package urlsession

import (
	"bufio"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"io"
	"strings"

	"github.com/andybalholm/brotli"
)

// decodeError marks an error that came from a decoder rather than the network.
type decodeError struct{ err error }

func (e *decodeError) Error() string { return "decoding the response body: " + e.err.Error() }
func (e *decodeError) Unwrap() error { return e.err }

// contentEncodings returns the encodings the engine will undo, outermost first, and
// false when one of them is unknown (the body is then delivered as received).
func contentEncodings(header string) ([]string, bool) {
	if header == "" {
		return nil, true
	}
	var out []string
	for _, part := range strings.Split(header, ",") {
		enc := strings.ToLower(strings.TrimSpace(part))
		switch enc {
		case "", "identity":
		case "gzip", "x-gzip", "deflate", "br":
			out = append(out, enc)
		default:
			return nil, false
		}
	}
	// Content-Encoding lists encodings in the order they were applied.
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, true
}

// newDecoder wraps r to undo encodings (outermost first). Decoders are created
// lazily at the first Read so an empty body (HEAD, 204) decodes to nothing.
func newDecoder(r io.Reader, encodings []string) io.Reader {
	for _, enc := range encodings {
		r = &lazyDecoder{src: r, enc: enc}
	}
	return r
}

type lazyDecoder struct {
	src io.Reader
	enc string
	dec io.Reader
	err error
}

func (l *lazyDecoder) Read(p []byte) (int, error) {
	if l.dec == nil && l.err == nil {
		l.dec, l.err = openDecoder(l.src, l.enc)
		if errors.Is(l.err, io.EOF) { // no body at all
			l.err = io.EOF
		} else if l.err != nil {
			l.err = &decodeError{l.err}
		}
	}
	if l.err != nil {
		return 0, l.err
	}
	n, err := l.dec.Read(p)
	if err != nil && err != io.EOF && !isNetErr(err) {
		err = &decodeError{err}
	}
	return n, err
}

func openDecoder(r io.Reader, enc string) (io.Reader, error) {
	switch enc {
	case "gzip", "x-gzip":
		return gzip.NewReader(r)
	case "br":
		return brotli.NewReader(r), nil
	case "deflate":
		// "deflate" is meant to be zlib-wrapped, but some servers send raw DEFLATE:
		// sniff the zlib header (RFC 1950: CM=8 and a header checksum) to choose.
		br := bufio.NewReaderSize(r, 512)
		hdr, err := br.Peek(2)
		if err != nil {
			if len(hdr) == 0 {
				return nil, io.EOF
			}
			return nil, err
		}
		if hdr[0]&0x0f == 8 && (uint16(hdr[0])<<8|uint16(hdr[1]))%31 == 0 {
			return zlib.NewReader(br)
		}
		return flate.NewReader(br), nil
	}
	return r, nil
}

// isNetErr tells a transport error passed through a decoder from a decoding error:
// the raw reader marks its own failures.
func isNetErr(err error) bool {
	var ne *rawReadError
	return errors.As(err, &ne)
}
