package rbac

import (
	"bytes"
	"strings"

	"github.com/gatehouse/gatehouse/internal/fold"
)

// pattern is one pre-parsed action pattern. Azure's `*` matches any run of
// characters, '/' included, and matching ignores case (§3), so a pattern is
// its lower-cased literal parts between stars: an anchored glob.
type pattern struct {
	parts [][]byte // literal runs; len(parts) == stars+1
}

func compilePattern(p string) pattern {
	return pattern{parts: bytes.Split(lowerASCII(nil, p), []byte{'*'})}
}

// exact reports whether the pattern has no wildcard.
func (p pattern) exact() bool { return len(p.parts) == 1 }

// match reports whether the lower-cased action s matches. Leftmost-first
// placement of the middle parts is enough for a glob whose only
// metacharacter is `*`.
func (p pattern) match(s []byte) bool {
	first, last := p.parts[0], p.parts[len(p.parts)-1]
	if len(p.parts) == 1 {
		return bytes.Equal(s, first)
	}
	if len(s) < len(first)+len(last) || !bytes.HasPrefix(s, first) || !bytes.HasSuffix(s, last) {
		return false
	}
	mid := s[len(first) : len(s)-len(last)]
	for _, part := range p.parts[1 : len(p.parts)-1] {
		i := bytes.Index(mid, part)
		if i < 0 {
			return false
		}
		mid = mid[i+len(part):]
	}
	return true
}

// MatchAction reports whether action matches the Azure action pattern,
// case-insensitively, with `*` matching any run of characters.
func MatchAction(pat, action string) bool {
	return compilePattern(pat).match(lowerASCII(nil, action))
}

// patternSet is a compiled Actions (or NotActions …) list: exact strings in
// a map, wildcards in a slice, so a miss does not walk every literal.
type patternSet struct {
	all   bool // a bare "*"
	exact map[string]struct{}
	wild  []pattern
}

func compilePatternSet(list []string) patternSet {
	var ps patternSet
	for _, raw := range list {
		p := compilePattern(strings.TrimSpace(raw))
		switch {
		case p.exact():
			if ps.exact == nil {
				ps.exact = make(map[string]struct{})
			}
			ps.exact[string(p.parts[0])] = struct{}{}
		case len(p.parts) == 2 && len(p.parts[0]) == 0 && len(p.parts[1]) == 0:
			ps.all = true
		default:
			ps.wild = append(ps.wild, p)
		}
	}
	return ps
}

// match takes the lower-cased action; the map lookup does not allocate.
func (ps *patternSet) match(s []byte) bool {
	if ps.all {
		return true
	}
	if _, ok := ps.exact[string(s)]; ok {
		return true
	}
	for _, p := range ps.wild {
		if p.match(s) {
			return true
		}
	}
	return false
}

// lowerASCII is the one folding rule (package fold): action strings and
// ARM IDs fold ASCII letters only.
func lowerASCII(dst []byte, s string) []byte { return fold.Append(dst, s) }
