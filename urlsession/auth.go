package urlsession

import (
	"net/http"
	"net/url"
	"path/filepath"

	"github.com/tirun/tirun/urlsession/credstore"
)

// Authentication follows NSURLSession's default handling: a 401 with a challenge
// the credential store can answer (Basic or Digest, from the URL's user:password or
// a stored credential) is retried once with that answer; a credential that worked
// is remembered. Otherwise, or if the retry is refused again, the 401 is the final
// response: a status, not an error.

const credentialsFileName = "credentials.json"

// openSharedCredentials opens the store shared by default and background sessions:
// persistent in dir, or in memory when dir is empty; a damaged file is set aside.
func openSharedCredentials(dir string, e *Engine) (*credstore.Store, error) {
	if dir == "" {
		return credstore.NewMemory(), nil
	}
	path := filepath.Join(dir, credentialsFileName)
	return openSettingAside(e, path, "credentials", credstore.ErrCorrupt, func() (*credstore.Store, error) {
		return credstore.Open(credstore.Options{Path: path})
	})
}

// authState is one task's progress through a challenge.
type authState struct {
	tried   *hop              // the hop already retried with credentials
	pending *credstore.Answer // the answer to remember if the retry is accepted
}

// challenge returns the hop to send again when resp is a 401 the store can answer.
// URL credentials are only offered to the origin they were given for.
func (s *Session) challenge(a *authState, cur *hop, origin *url.URL, req *http.Request, resp *http.Response) (*hop, bool) {
	if s.creds == nil || resp.StatusCode != http.StatusUnauthorized || a.tried == cur {
		return nil, false
	}
	var userinfo *credstore.Credential
	if u := origin.User; u != nil && sameOrigin(origin, cur.url) {
		pass, _ := u.Password()
		userinfo = &credstore.Credential{User: u.Username(), Password: pass}
	}
	ans, ok := s.creds.Respond(req, resp, userinfo)
	if !ok {
		return nil, false
	}
	next := *cur
	next.header = append(removeHeaders(cur.header, ans.Header), Header{ans.Header, ans.Value})
	a.tried, a.pending = &next, &ans
	return &next, true
}

// settle remembers a credential once the retry it answered was not refused.
func (s *Session) settle(a *authState, resp *http.Response) {
	if a.pending == nil {
		return
	}
	if resp.StatusCode != http.StatusUnauthorized {
		if err := s.creds.Set(a.pending.Space, a.pending.Credential); err != nil {
			s.engine.logger.Warn("urlsession: remembering a credential failed", "err", err)
		}
	}
	a.pending = nil
}
