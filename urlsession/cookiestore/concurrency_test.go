package cookiestore

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

const helperEnv = "TIRUN_COOKIESTORE_TEST_HELPER"

func TestMain(m *testing.M) {
	if path := os.Getenv(helperEnv); path != "" {
		os.Exit(runHelper(path))
	}
	goleak.VerifyTestMain(m)
}

// runHelper is the "second process": it prints the cookies it finds for
// 127.0.0.1, then adds its own persistent cookie.
func runHelper(path string) int {
	jar, err := Open(Options{Path: path})
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	u := mustParse("http://127.0.0.1/")
	var names []string
	for _, c := range jar.Cookies(u) {
		names = append(names, c.Name+"="+c.Value)
	}
	fmt.Println(strings.Join(names, ";"))
	jar.SetCookies(u, []*http.Cookie{{Name: "child", Value: "1", MaxAge: 600}})
	if err := jar.Close(); err != nil {
		fmt.Println("error:", err)
		return 1
	}
	return 0
}

func TestSecondProcessSeesPersistentCookies(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	path := filepath.Join(t.TempDir(), "cookies.json")
	jar, err := Open(Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	u := mustParse("http://127.0.0.1/")
	jar.SetCookies(u, []*http.Cookie{{Name: "parent", Value: "1", MaxAge: 600}, {Name: "session", Value: "1"}})
	if err := jar.Close(); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+path)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("helper: %v, output %q", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != "parent=1" {
		t.Fatalf("second process saw %q, want only the persistent cookie", got)
	}
	again, err := Open(Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if got := again.Cookies(u); len(got) != 2 || got[1].Name != "child" {
		t.Fatalf("cookie written by the second process not seen back: %v", got)
	}
}

func TestResetWhileInUse(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cookies.json")
	jar, err := Open(Options{Path: path, FlushDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer jar.Close()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u := mustParse(fmt.Sprintf("http://h%d.example.com/", w))
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				jar.SetCookies(u, []*http.Cookie{{Name: fmt.Sprint("n", i%20), Value: "v", MaxAge: 60}})
				jar.Cookies(u)
				jar.All()
				if i%50 == 0 {
					if err := jar.Flush(); err != nil {
						t.Error(err)
						return
					}
				}
			}
		}()
	}
	for range 20 {
		time.Sleep(2 * time.Millisecond)
		if err := jar.Reset(); err != nil {
			t.Fatal(err)
		}
	}
	// Let the writers store again after the last reset before stopping them.
	for deadline := time.Now().Add(10 * time.Second); len(jar.All()) == 0; {
		if time.Now().After(deadline) {
			t.Fatal("writers stored nothing after the last reset")
		}
		time.Sleep(time.Millisecond)
	}
	close(stop)
	wg.Wait()
	if err := jar.Flush(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("writers ran after the last reset, the file should exist: %v", err)
	}
	if err := jar.Reset(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond) // longer than FlushDelay: no stale autosave may resurrect the file
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("file present after Reset: %v", err)
	}
	if n := len(jar.All()); n != 0 {
		t.Fatalf("%d cookies after Reset", n)
	}
}

func mustParse(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}
