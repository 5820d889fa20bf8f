package urlsession

import (
	"strings"
	"testing"
)

// TestJSFixtures runs scripts/tests/urlsession_*.test.js (all but the large download) through
// the testrunner against a loopback fixture server.
func TestJSFixtures(t *testing.T) {
	passed, logs := runJS(t, nil, jsFiles(t, "urlsession_big.test.js")...)
	if len(passed) < 20 {
		t.Errorf("only %d JS tests passed", len(passed))
	}
	// Deprecated calls warn once per process, naming the replacement.
	for _, want := range []string{"createURLSession is deprecated; use createSession",
		"backgroundDownloadTaskWithURL(session, url) is deprecated; use session.downloadTask"} {
		if n := strings.Count(logs, want); n > 1 {
			t.Errorf("warning %q logged %d times", want, n)
		}
	}
}
