// Package fold is gatehouse's one case-folding rule for identifiers that
// Azure compares ordinal-ignore-case: ARM resource IDs and scopes, provider
// namespaces, resource types, action names and GUIDs. Only ASCII letters
// fold: 'İ' (U+0130), 'ſ' (U+017F) or the Kelvin sign are not 'i', 's' or
// 'k', so a Unicode spelling can never reach an object stored under an
// ASCII name. The store's keys, the ID parser, the route table and the
// RBAC engine all fold with this package, so what the store finds under a
// key is what the engine decides under that key.
package fold

// String returns s with ASCII letters lower-cased; it does not allocate
// when s has no upper-case ASCII letter.
func String(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			return string(Append(make([]byte, 0, len(s)), s))
		}
	}
	return s
}

// Append appends s to dst with ASCII letters lower-cased.
func Append(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// Equal reports whether a and b are equal under ASCII case folding.
func Equal(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lower(a[i]) != lower(b[i]) {
			return false
		}
	}
	return true
}

// HasPrefix reports whether s begins with prefix under ASCII folding.
func HasPrefix(s, prefix string) bool {
	return len(s) >= len(prefix) && Equal(s[:len(prefix)], prefix)
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
