package tifs

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestFileIsUTF8AcrossChunkBoundaries(t *testing.T) {
	dir := t.TempDir()
	const chunk = 64 << 10
	euro := "€" // 3 bytes
	cases := map[string]struct {
		data []byte
		want bool
	}{
		"empty":                 {nil, true},
		"ascii":                 {[]byte("hello"), true},
		"rune split at chunk":   {append(bytes.Repeat([]byte("a"), chunk-1), []byte(euro+euro)...), true},
		"rune split, 2 left":    {append(bytes.Repeat([]byte("a"), chunk-2), []byte(euro)...), true},
		"truncated rune at EOF": {append(bytes.Repeat([]byte("a"), chunk-1), euro[:2]...), false},
		"binary late":           {append(bytes.Repeat([]byte("a"), 3*chunk), 0xff), false},
		"binary early":          {[]byte{0xc3, 0x28}, false},
	}
	for name, c := range cases {
		p := filepath.Join(dir, "f")
		if err := os.WriteFile(p, c.data, 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := fileIsUTF8(p)
		if err != nil || got != c.want {
			t.Errorf("%s: %v, %v; want %v", name, got, err, c.want)
		}
	}
	if _, err := fileIsUTF8(filepath.Join(dir, "missing")); err == nil {
		t.Error("missing file reported as text")
	}
}
