package credstore

import (
	"crypto/md5"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Answer is what to retry a challenged request with.
type Answer struct {
	// Header is the field to set on the retry: "Authorization".
	Header string
	Value  string
	// Space and Credential say what was used, so the engine can Set the
	// credential in the store once the retry succeeds (Apple writes a
	// credential that worked back to the storage).
	Space      ProtectionSpace
	Credential Credential
}

// Respond answers a 401 response to req (WWW-Authenticate). Proxy
// authentication is left to the transport (proxy URL userinfo). It picks the strongest
// challenge it supports (Digest SHA-512-256, SHA-256, MD5, then Basic) for
// which a credential exists: userinfo first (the URL's user:password, which
// the engine passes), otherwise the store. ok is false when there is no
// challenge, none is supported, or no credential applies: the engine then
// completes the task with the 401 response, which is not an error. The
// engine retries once; a second 401 also completes normally.
func (s *Store) Respond(req *http.Request, resp *http.Response, userinfo *Credential) (Answer, bool) {
	if req == nil || req.URL == nil || resp == nil {
		return Answer{}, false
	}
	challenges := ParseChallenges(resp.Header.Values("WWW-Authenticate"))
	for _, ch := range rank(challenges) {
		space := SpaceFor(req.URL, ch.Params["realm"], ch.Scheme)
		var cred Credential
		if userinfo != nil {
			cred = *userinfo
		} else if c, ok := s.Get(space); ok {
			cred = c
		} else {
			continue
		}
		var value string
		var err error
		if space.AuthMethod == "Basic" {
			value = basic(cred)
		} else {
			value, err = s.digest(req, ch, space, cred)
		}
		if err != nil {
			continue
		}
		return Answer{Header: "Authorization", Value: value, Space: space, Credential: cred}, true
	}
	return Answer{}, false
}

// rank orders the supported challenges strongest first and drops the rest.
func rank(chs []Challenge) []Challenge {
	score := func(ch Challenge) int {
		switch strings.ToLower(ch.Scheme) {
		case "basic":
			return 1
		case "digest":
			if !digestQopUsable(ch.Params["qop"]) {
				return 0
			}
			switch strings.ToUpper(ch.Params["algorithm"]) {
			case "", "MD5", "MD5-SESS":
				return 2
			case "SHA-256", "SHA-256-SESS":
				return 3
			case "SHA-512-256", "SHA-512-256-SESS":
				return 4
			}
		}
		return 0
	}
	var out []Challenge
	for best := 4; best >= 1; best-- {
		for _, ch := range chs {
			if score(ch) == best {
				out = append(out, ch)
			}
		}
	}
	return out
}

// basic is RFC 7617 (credentials sent as UTF-8).
func basic(c Credential) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(c.User+":"+c.Password))
}

// digestQopUsable: we implement qop=auth and the RFC 2069 form without qop;
// auth-int would need the request body hashed, which a streamed upload
// cannot give us.
func digestQopUsable(qop string) bool {
	if qop == "" {
		return true
	}
	for _, q := range strings.Split(qop, ",") {
		if strings.TrimSpace(strings.ToLower(q)) == "auth" {
			return true
		}
	}
	return false
}

func digestHash(algorithm string) (func() hash.Hash, bool) {
	base, sess := strings.CutSuffix(strings.ToUpper(algorithm), "-SESS")
	switch base {
	case "", "MD5":
		return md5.New, sess
	case "SHA-256":
		return sha256.New, sess
	case "SHA-512-256":
		return sha512.New512_256, sess
	}
	return nil, false
}

// digest computes an RFC 7616 Authorization value.
func (s *Store) digest(req *http.Request, ch Challenge, space ProtectionSpace, cred Credential) (string, error) {
	p := ch.Params
	nonce, realm := p["nonce"], p["realm"]
	if nonce == "" {
		return "", fmt.Errorf("credstore: digest challenge without nonce")
	}
	newHash, sess := digestHash(p["algorithm"])
	if newHash == nil {
		return "", fmt.Errorf("credstore: unsupported digest algorithm %q", p["algorithm"])
	}
	h := func(parts ...string) string {
		d := newHash()
		io.WriteString(d, strings.Join(parts, ":"))
		return hex.EncodeToString(d.Sum(nil))
	}
	cnonce, err := s.cnonce()
	if err != nil {
		return "", err
	}
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	uri := req.URL.RequestURI()
	ha1 := h(cred.User, realm, cred.Password)
	if sess {
		ha1 = h(ha1, nonce, cnonce)
	}
	ha2 := h(method, uri)

	var b strings.Builder
	b.WriteString("Digest ")
	switch {
	case strings.EqualFold(p["userhash"], "true"):
		fmt.Fprintf(&b, "username=%s, userhash=true", quote(h(cred.User, realm)))
	case needsExtendedUsername(cred.User):
		fmt.Fprintf(&b, "username*=UTF-8''%s", url.PathEscape(cred.User))
	default:
		fmt.Fprintf(&b, "username=%s", quote(cred.User))
	}
	fmt.Fprintf(&b, ", realm=%s, uri=%s", quote(realm), quote(uri))
	if a := p["algorithm"]; a != "" {
		fmt.Fprintf(&b, ", algorithm=%s", a)
	}
	fmt.Fprintf(&b, ", nonce=%s", quote(nonce))
	if p["qop"] == "" {
		// RFC 2069 compatibility: no qop, no nc, no cnonce.
		fmt.Fprintf(&b, ", response=%s", quote(h(ha1, nonce, ha2)))
	} else {
		nc := fmt.Sprintf("%08x", s.nextNonceCount(space, nonce))
		fmt.Fprintf(&b, ", nc=%s, cnonce=%s, qop=auth, response=%s",
			nc, quote(cnonce), quote(h(ha1, nonce, nc, cnonce, "auth", ha2)))
	}
	if o, ok := p["opaque"]; ok {
		fmt.Fprintf(&b, ", opaque=%s", quote(o))
	}
	return b.String(), nil
}

func needsExtendedUsername(u string) bool {
	for i := 0; i < len(u); i++ {
		if u[i] >= 0x80 || u[i] < 0x20 {
			return true
		}
	}
	return false
}

func (s *Store) cnonce() (string, error) {
	if s.testCnonce != "" {
		return s.testCnonce, nil
	}
	b := make([]byte, 16)
	s.mu.Lock()
	_, err := io.ReadFull(s.opts.Rand, b)
	s.mu.Unlock()
	if err != nil {
		return "", fmt.Errorf("credstore: client nonce: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// maxNonces bounds the nonce-count table; servers rotate nonces, so old
// ones are dead weight. Starting a nonce over at 1 is harmless: the server
// just answers with a fresh challenge.
const maxNonces = 1024

func (s *Store) nextNonceCount(space ProtectionSpace, nonce string) uint32 {
	key := fmt.Sprint(space.Scheme, "://", space.Host, ":", space.Port, " ", space.Realm, " ", nonce)
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.nonces) >= maxNonces {
		s.nonces = map[string]uint32{}
	}
	s.nonces[key]++
	return s.nonces[key]
}
