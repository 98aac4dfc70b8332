package rbac

import "unicode/utf8"

// likeMatch implements StringLike: '*' any run, '?' one character, and
// '\*' / '\?' for the literal characters.
func likeMatch(pat, s string) bool {
	p := parseLike(pat)
	sr := []rune(s)
	pi, si, starP, starS := 0, 0, -1, 0
	for si < len(sr) {
		switch {
		case pi < len(p) && (p[pi] == likeOne || p[pi] == sr[si]) && p[pi] != likeStar:
			pi, si = pi+1, si+1
		case pi < len(p) && p[pi] == likeStar:
			starP, starS = pi, si
			pi++
		case starP >= 0:
			starS++
			pi, si = starP+1, starS
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == likeStar {
		pi++
	}
	return pi == len(p)
}

// Wildcards are encoded as runes no valid UTF-8 input decodes to.
const (
	likeStar rune = -1
	likeOne  rune = -2
)

func parseLike(pat string) []rune {
	out := make([]rune, 0, utf8.RuneCountInString(pat))
	rs := []rune(pat)
	for i := 0; i < len(rs); i++ {
		switch r := rs[i]; {
		case r == '\\' && i+1 < len(rs) && (rs[i+1] == '*' || rs[i+1] == '?'):
			out = append(out, rs[i+1])
			i++
		case r == '*':
			out = append(out, likeStar)
		case r == '?':
			out = append(out, likeOne)
		default:
			out = append(out, r)
		}
	}
	return out
}
