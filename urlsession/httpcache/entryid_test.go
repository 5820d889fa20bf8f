package httpcache

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

// Entry IDs name files on disk: the format must stay what earlier versions wrote.
func TestEntryIDIsStableAcrossVersions(t *testing.T) {
	want := func(s string) string { sum := sha256.Sum256([]byte(s)); return hex.EncodeToString(sum[:])[:40] }
	key := "GET http://example.com/a?b=1"
	if got := entryID(key, nil); got != want(key) {
		t.Errorf("no Vary: %s, want %s", got, want(key))
	}
	vary := map[string]string{"Accept-Language": "fr", "Accept": "text/html"}
	if got, w := entryID(key, vary), want(key+"\nAccept: text/html\nAccept-Language: fr"); got != w {
		t.Errorf("with Vary: %s, want %s", got, w)
	}
}
