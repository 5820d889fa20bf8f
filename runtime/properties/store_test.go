package properties

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func entry(k Kind, jsonText string) Entry { return Entry{Kind: k, Value: json.RawMessage(jsonText)} }

func TestStoreSurvivesReopen(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if changed, err := s.Set("a", entry(KindString, `"x"`)); !changed || err != nil {
		t.Fatalf("Set = %v, %v", changed, err)
	}
	if changed, _ := s.Set("a", entry(KindString, `"x"`)); changed {
		t.Fatal("setting the same value reported a change")
	}
	_, _ = s.Set("n", entry(KindInt, `3`))
	_, _ = s.Set("gone", entry(KindBool, `true`))
	if changed, _ := s.Remove("gone"); !changed {
		t.Fatal("Remove of an existing key reported no change")
	}
	if !s.Dirty() {
		t.Fatal("store not dirty after Set")
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	if s.Dirty() {
		t.Fatal("store still dirty after Flush")
	}

	s2, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := s2.Names(); !slices.Equal(got, []string{"a", "n"}) {
		t.Fatalf("Names after reopen = %v", got)
	}
	if e, ok := s2.Get("n"); !ok || e.Kind != KindInt || string(e.Value) != "3" {
		t.Fatalf("Get(n) = %+v, %v", e, ok)
	}
}

func TestStoreFlushMergesWithOtherWriter(t *testing.T) {
	dir := t.TempDir()
	a, _ := Open(dir)
	b, _ := Open(dir)
	_, _ = a.Set("fromA", entry(KindInt, `1`))
	_, _ = b.Set("fromB", entry(KindInt, `2`))
	if err := a.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := b.Flush(); err != nil {
		t.Fatal(err)
	}
	c, _ := Open(dir)
	if got := c.Names(); !slices.Equal(got, []string{"fromA", "fromB"}) {
		t.Fatalf("second writer erased the first one's key: %v", got)
	}
	if !b.Has("fromA") {
		t.Fatal("flush did not merge the other writer's key into this store's view")
	}
}

func TestStoreCorruptFileMovedAside(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	if err := os.WriteFile(path, []byte(`{"version":1,"properties":{`), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Open(dir)
	if err != nil {
		t.Fatalf("Open refused a corrupt file instead of recovering: %v", err)
	}
	if len(s.Names()) != 0 || !strings.Contains(s.Warning(), "corrupt") {
		t.Fatalf("names %v warning %q", s.Names(), s.Warning())
	}
	matches, _ := filepath.Glob(path + ".corrupt-*")
	if len(matches) != 1 {
		t.Fatalf("corrupt file not kept aside: %v", matches)
	}
}

func TestStorePresetsAreReadOnly(t *testing.T) {
	s, _ := Open(t.TempDir())
	s.SetPreset("presetInt", entry(KindInt, `1337`))
	if _, err := s.Set("presetInt", entry(KindInt, `1`)); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("Set on preset: %v", err)
	}
	if _, err := s.Remove("presetInt"); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("Remove on preset: %v", err)
	}
	_, _ = s.Set("k", entry(KindBool, `false`))
	if got := s.RemoveAll(); !slices.Equal(got, []string{"k"}) {
		t.Fatalf("RemoveAll removed %v", got)
	}
	if e, _ := s.Get("presetInt"); string(e.Value) != "1337" || !slices.Equal(s.Names(), []string{"presetInt"}) {
		t.Fatalf("preset lost: %+v %v", e, s.Names())
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(s.Path())
	if strings.Contains(string(data), "presetInt") {
		t.Fatalf("preset written to disk: %s", data)
	}
}

func TestStoreFlushErrorKeepsChangesPending(t *testing.T) {
	dir := t.TempDir()
	s, _ := Open(dir)
	_, _ = s.Set("k", entry(KindString, `"v"`))
	// Replace the data directory by a plain file so the atomic write cannot create its temp file.
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := s.Flush(); err == nil {
		t.Fatal("Flush into a missing directory succeeded")
	}
	if !s.Dirty() {
		t.Fatal("failed Flush dropped the pending change")
	}
	if err := os.Remove(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := s.Flush(); err != nil {
		t.Fatalf("retry: %v", err)
	}
	s2, _ := Open(dir)
	if !s2.Has("k") {
		t.Fatal("retried flush did not persist the change")
	}
}

func TestOpenRemovesOnlyStaleTempFiles(t *testing.T) {
	dir := t.TempDir()
	stale := filepath.Join(dir, "."+FileName+".tmp-111")
	fresh := filepath.Join(dir, "."+FileName+".tmp-222")
	for _, p := range []string{stale, fresh} {
		if err := os.WriteFile(p, []byte("{half"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-2 * staleTempAge)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Fatal("stale temp file from a crashed write kept")
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Fatal("a temp file another writer may be using was deleted")
	}
}
