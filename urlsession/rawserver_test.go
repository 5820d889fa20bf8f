package urlsession

import (
	"bufio"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"
)

// rawServer is a loopback TCP server whose handler writes whatever bytes a test
// needs, including broken HTTP. It is closed (and its goroutines joined) at cleanup.
func rawServer(t testing.TB, handle func(c net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	conns := map[net.Conn]bool{}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns[c] = true
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				handle(c)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return "http://" + ln.Addr().String()
}

// readRequestHead reads a request line and headers; it returns the raw header lines
// exactly as received (nil on error).
func readRequestHead(br *bufio.Reader) []string {
	tp := textproto.NewReader(br)
	var lines []string
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return nil
		}
		if line == "" {
			return lines
		}
		lines = append(lines, line)
	}
}

func headerValue(lines []string, name string) (string, bool) {
	for _, l := range lines[1:] {
		k, v, _ := strings.Cut(l, ":")
		if strings.EqualFold(k, name) {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}
