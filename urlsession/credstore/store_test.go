package credstore

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestPersistentStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "credentials.json")
	s, err := Open(Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	space := SpaceFor(mustURL(t, "https://API.example.com/x"), "r", "basic")
	if space.Port != 443 || space.Host != "api.example.com" || space.AuthMethod != "Basic" {
		t.Fatalf("space %+v", space)
	}
	if err := s.Set(space, Credential{"u", "p"}); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, want 0600", fi.Mode().Perm())
	}
	s2, err := Open(Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	if c, ok := s2.Get(space); !ok || c.Password != "p" {
		t.Fatalf("second instance: %+v %v", c, ok)
	}
	// Wildcards: a realm-less credential answers any realm of the server.
	server := ProtectionSpace{Scheme: "https", Host: "api.example.com", Port: 443}
	s2.Set(server, Credential{"any", "x"})
	if c, _ := s2.Get(SpaceFor(mustURL(t, "https://api.example.com/"), "other", "Digest")); c.User != "any" {
		t.Fatalf("wildcard lookup got %+v", c)
	}
	if _, ok := s2.Get(SpaceFor(mustURL(t, "http://api.example.com/"), "r", "Basic")); ok {
		t.Fatal("https credential answered for http")
	}
	if n := len(s2.All()); n != 2 {
		t.Fatalf("All: %d", n)
	}
	if err := s2.Remove(server); err != nil {
		t.Fatal(err)
	}
	if err := s2.Reset(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("file after Reset: %v", err)
	}
	if err := s2.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("Close after Reset recreated the file: %v", err)
	}
	os.WriteFile(path, []byte("nope"), 0o600)
	if _, err := Open(Options{Path: path}); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("corrupt file: %v", err)
	}
}

func TestMemoryStoreWritesNothing(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	s := NewMemory()
	s.Set(ProtectionSpace{Scheme: "http", Host: "h", Port: 80}, Credential{"u", "p"})
	s.Flush()
	s.Close()
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("memory store wrote %v", entries)
	}
}

func TestResetWhileInUse(t *testing.T) {
	path := filepath.Join(t.TempDir(), "credentials.json")
	s, err := Open(Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", "http://h.test/", nil)
	resp := &http.Response{StatusCode: 401, Header: http.Header{"Www-Authenticate": {`Digest realm="r", nonce="n", qop="auth"`}}}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				sp := ProtectionSpace{Scheme: "http", Host: "h.test", Port: 80, Realm: fmt.Sprint("r", w, i%5)}
				if err := s.Set(sp, Credential{"u", fmt.Sprint(i)}); err != nil {
					t.Error(err)
					return
				}
				s.Get(sp)
				s.All()
				s.Respond(req, resp, &Credential{"u", "p"})
			}
		}()
	}
	for range 10 {
		time.Sleep(3 * time.Millisecond)
		if err := s.Reset(); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	if err := s.Reset(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("file after Reset: %v", err)
	}
	if n := len(s.All()); n != 0 {
		t.Fatalf("%d credentials after Reset", n)
	}
}
