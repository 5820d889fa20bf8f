package tifs

import (
	"errors"
	"io"
	"os"
	"unicode/utf8"
)

// fileIsUTF8 reports whether the file at path is valid UTF-8, reading it in fixed-size chunks.
// Blob.text and toString() on a large binary download (console.log(blob) calls toString) then
// answer null / '[object TiBlob]' without loading the whole file into memory. utf8.Valid has
// no streaming form, hence the carry of a rune split across chunks.
func fileIsUTF8(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	buf := make([]byte, 64<<10+utf8.UTFMax)
	carry := 0
	for {
		n, err := f.Read(buf[carry : carry+64<<10])
		chunk := buf[:carry+n]
		if errors.Is(err, io.EOF) {
			return utf8.Valid(chunk), nil
		}
		if err != nil {
			return false, err
		}
		cut := incompleteTail(chunk)
		if !utf8.Valid(chunk[:cut]) {
			return false, nil
		}
		carry = copy(buf, chunk[cut:])
	}
}

// incompleteTail returns where a trailing, not yet complete rune starts (len(b) if none).
func incompleteTail(b []byte) int {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax+1; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				return i
			}
			break
		}
	}
	return len(b)
}
