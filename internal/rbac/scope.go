package rbac

import (
	"fmt"
	"strings"
)

// Scopes are ARM IDs compared case-insensitively (§4). Ancestry comes from
// the ID path (deployment → account → resource group → subscription) and
// then from Input.Parents (subscription → management groups → "/"). This
// is deliberately a small walker, not the full typed ARM ID parser that
// lives elsewhere: the engine only needs prefix boundaries.

// RootScope is the tenant root, the assignable scope of built-in roles.
const RootScope = "/"

// NormalizeScope lower-cases an ARM scope, ensures the leading '/' and
// drops trailing ones; "" becomes "/".
func NormalizeScope(s string) string {
	return string(appendNormScope(nil, s))
}

func appendNormScope(dst []byte, s string) []byte {
	for len(s) > 0 && s[len(s)-1] == '/' {
		s = s[:len(s)-1]
	}
	if len(s) == 0 || s[0] != '/' {
		dst = append(dst, '/')
	}
	return lowerASCII(dst, s)
}

// ScopeAncestors returns scope and its ancestors, nearest first, ending
// with "/", all normalized. parents is Input.Parents.
func ScopeAncestors(scope string, parents map[string]string) []string {
	s := appendNormScope(nil, scope)
	ends := scopeLevels(s, nil)
	out := make([]string, 0, len(ends)+2)
	for i := len(ends) - 1; i >= 0; i-- {
		out = append(out, string(s[:ends[i]]))
	}
	if len(ends) > 0 {
		chains, _ := compileParents(parents)
		out = append(out, chains[string(s[:ends[0]])]...)
	}
	return append(out, RootScope)
}

// scopeLevels appends the end offset of every level of the normalized scope
// s, shallowest first; the last one is always len(s) (the scope itself).
// The root has no levels. Anything it cannot parse becomes part of the
// deepest level, so a malformed scope still inherits from its parsable
// prefix.
func scopeLevels(s []byte, ends []int) []int {
	if len(s) <= 1 {
		return ends
	}
	var buf [32]int
	seg := segmentEnds(s, buf[:0])
	n, i := len(seg), 0
	switch {
	case n >= 2 && segIs(s, seg, 0, "subscriptions"):
		ends, i = append(ends, seg[1]), 2
		if n >= 4 && segIs(s, seg, 2, "resourcegroups") {
			ends, i = append(ends, seg[3]), 4
		}
	case n >= 4 && segIs(s, seg, 0, "providers") && segIs(s, seg, 1, "microsoft.management") &&
		segIs(s, seg, 2, "managementgroups"):
		ends, i = append(ends, seg[3]), 4
	}
	// providers/{ns}/{type}/{name} then {type}/{name} pairs; a further
	// "providers" starts an extension resource on the one before.
	for i+4 <= n && segIs(s, seg, i, "providers") {
		ends, i = append(ends, seg[i+3]), i+4
		for i+2 <= n && !segIs(s, seg, i, "providers") {
			ends, i = append(ends, seg[i+1]), i+2
		}
	}
	if len(ends) == 0 || ends[len(ends)-1] != len(s) {
		ends = append(ends, len(s))
	}
	return ends
}

// segmentEnds lists the end offset of each '/'-separated segment of s
// (which starts with '/').
func segmentEnds(s []byte, seg []int) []int {
	for i := 1; i < len(s); i++ {
		if s[i] == '/' {
			seg = append(seg, i)
		}
	}
	return append(seg, len(s))
}

func segIs(s []byte, seg []int, i int, want string) bool {
	start := 1
	if i > 0 {
		start = seg[i-1] + 1
	}
	return string(s[start:seg[i]]) == want
}

// compileParents turns Input.Parents into, for each subscription or
// management group it names, the chain of ancestors above it (nearest
// first, root excluded). Cycles stop at the first repeat. A parent that is
// neither a management group nor the root is refused: it would let a
// scope inherit from an arbitrary resource.
func compileParents(parents map[string]string) (map[string][]string, []error) {
	var errs []error
	norm := make(map[string]string, len(parents))
	for k, v := range parents {
		nv := NormalizeScope(v)
		if nv != RootScope && !isManagementGroup(nv) {
			errs = append(errs, fmt.Errorf("parent of %q is %q: want a management group scope or \"/\"", k, v))
			continue
		}
		norm[NormalizeScope(k)] = nv
	}
	chains := make(map[string][]string, len(norm))
	for k := range norm {
		chains[k] = parentChain(k, norm)
	}
	return chains, errs
}

const mgPrefix = "/providers/microsoft.management/managementgroups/"

// isManagementGroup reports whether a normalized scope is exactly one
// management group.
func isManagementGroup(s string) bool {
	name, ok := strings.CutPrefix(s, mgPrefix)
	return ok && name != "" && !strings.Contains(name, "/")
}

func parentChain(k string, norm map[string]string) []string {
	var out []string
	seen := map[string]bool{k: true}
	cur, ok := norm[k]
	for ok && cur != RootScope && !seen[cur] {
		seen[cur] = true
		out = append(out, cur)
		cur, ok = norm[cur]
	}
	return out
}
