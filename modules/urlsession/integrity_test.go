package urlsession

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/tirun/tirun/fixture"
	"github.com/tirun/tirun/runtime"
)

func sha256File(t *testing.T, path string) string {
	t.Helper()
	sum, err := hashFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// TestTransferredBytesAreExact checks content, not just lengths: the Blob of a download holds
// exactly the fixture's bytes, and an uploaded file arrives byte for byte.
func TestTransferredBytesAreExact(t *testing.T) {
	const size = 5<<20 + 3
	upload := filepath.Join(t.TempDir(), "up.bin")
	if err := os.WriteFile(upload, bytes.Repeat([]byte("tirun upload \x00\xff"), 100000), 0o600); err != nil {
		t.Fatal(err)
	}
	rt := newRuntime(t, nil, runtime.Options{Args: []string{upload}})
	run(t, rt, fmt.Sprintf(`
		const U = require('com.appcelerator.urlSession');
		const base = process.env.TIRUN_FIXTURE_URL;
		const s = U.createSession({configuration: U.createSessionConfiguration({identifier: 'exact'})});
		s.addEventListener('downloadcompleted', e => { globalThis.downloaded = e.data.nativePath; });
		s.addEventListener('sessioncompleted', e => { if (e.responseText) globalThis.uploadAnswer = e.responseText; });
		s.downloadTask({url: base + '/bytes/%d'});
		s.uploadTask({url: base + '/upload', data: process.argv[2]});
		s.finishTasksAndInvalidate();
	`, size))
	u, err := url.Parse(rt.VM().Get("downloaded").String())
	if err != nil || u.Scheme != "file" {
		t.Fatalf("nativePath %q is not a file URL", rt.VM().Get("downloaded"))
	}
	if got, want := sha256File(t, u.Path), fixture.DataSHA256(size); got != want {
		t.Errorf("downloaded sha256 %s, want %s", got, want)
	}
	var answer fixture.UploadResponse
	if err := json.Unmarshal([]byte(rt.VM().Get("uploadAnswer").String()), &answer); err != nil {
		t.Fatalf("upload answer: %v", err)
	}
	if want := sha256File(t, upload); answer.SHA256 != want || answer.Method != "POST" {
		t.Errorf("server received %+v, want sha256 %s by POST", answer, want)
	}
}
