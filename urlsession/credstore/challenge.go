package credstore

import (
	"strings"
)

// Challenge is one auth-scheme with its parameters from a WWW-Authenticate
// or Proxy-Authenticate field (RFC 9110 §11.6.1). Parameter names are
// lower case; Token68 holds a token68 form if the scheme used one.
type Challenge struct {
	Scheme  string
	Params  map[string]string
	Token68 string
}

// ParseChallenges parses every challenge in the given field values; one
// value may carry several comma-separated challenges. Written by hand:
// net/http has no parser for this grammar and the one in x/net is internal.
// Malformed trailing input ends parsing of that value; what was parsed
// before it is kept.
func ParseChallenges(values []string) []Challenge {
	var out []Challenge
	for _, v := range values {
		p := &scanner{s: v}
		for {
			p.skipListSeparators()
			scheme := p.token()
			if scheme == "" {
				break
			}
			ch := Challenge{Scheme: scheme, Params: map[string]string{}}
			p.skipSpace()
			if t68, ok := p.token68(); ok {
				ch.Token68 = t68
			} else {
				p.params(ch.Params)
			}
			out = append(out, ch)
		}
	}
	return out
}

type scanner struct {
	s string
	i int
}

func (p *scanner) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *scanner) skipSpace() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

func (p *scanner) skipListSeparators() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == ',') {
		p.i++
	}
}

func isTchar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

func (p *scanner) token() string {
	start := p.i
	for p.i < len(p.s) && isTchar(p.s[p.i]) {
		p.i++
	}
	return p.s[start:p.i]
}

// token68 consumes a token68 (RFC 9110 §11.2) when it stands alone, that
// is, when it is followed by the end of the value or a comma rather than by
// "=value" (which makes it an auth-param).
func (p *scanner) token68() (string, bool) {
	j := p.i
	for j < len(p.s) && isToken68Char(p.s[j]) {
		j++
	}
	if j == p.i {
		return "", false
	}
	for j < len(p.s) && p.s[j] == '=' {
		j++
	}
	k := j
	for k < len(p.s) && (p.s[k] == ' ' || p.s[k] == '\t') {
		k++
	}
	if k < len(p.s) && p.s[k] != ',' {
		return "", false
	}
	t := p.s[p.i:j]
	p.i = j
	return t, true
}

func isToken68Char(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("-._~+/", c) >= 0
}

// params reads auth-params until the input ends or a token that is not
// followed by '=' (the next challenge's scheme) appears.
func (p *scanner) params(into map[string]string) {
	for {
		p.skipListSeparators()
		save := p.i
		name := p.token()
		if name == "" {
			return
		}
		p.skipSpace()
		if p.peek() != '=' {
			p.i = save // a new challenge starts here
			return
		}
		p.i++
		p.skipSpace()
		var value string
		if p.peek() == '"' {
			value = p.quoted()
		} else {
			value = p.token()
		}
		name = strings.ToLower(name)
		if _, dup := into[name]; !dup {
			into[name] = value
		}
		p.skipSpace()
		if p.peek() != ',' && p.i < len(p.s) {
			return // garbage: stop this value
		}
	}
}

func (p *scanner) quoted() string {
	p.i++ // opening quote
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		p.i++
		switch c {
		case '\\':
			if p.i < len(p.s) {
				b.WriteByte(p.s[p.i])
				p.i++
			}
		case '"':
			return b.String()
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// quote renders s as an HTTP quoted-string.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String()
}
