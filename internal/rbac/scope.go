package rbac

import (
	"fmt"
	"strings"

	"github.com/gatehouse/gatehouse/internal/fold"
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

// Tenants. ARM addresses the root "/", management groups and other
// tenant-level resources without naming a tenant: "/" is the caller's own
// tenant's root. The engine keeps them apart by construction: a scope that
// is not under a subscription is placed under "/tenants/{tenant}", so two
// tenants' roots, management groups of the same name, and everything
// assigned at them are different scopes. Subscriptions are globally unique
// and reach their tenant's root through the hierarchy (Input.Parents).

const tenantsPrefix = "/tenants/"

// TenantScope is the scope the engine (and the store's keys) use for scope
// as seen from tenant: normalized, and placed under the tenant's root
// unless it lies under a subscription. An empty tenant leaves it as it is
// (tenant-less state, as in the conformance corpus).
func TenantScope(tenant, scope string) string {
	return string(appendTenantScope(nil, tenant, scope))
}

func appendTenantScope(dst []byte, tenant, scope string) []byte {
	start := len(dst)
	dst = appendNormScope(dst, scope)
	if tenant == "" || underSubscription(dst[start:]) {
		return dst
	}
	n := len(dst) - start
	if n == 1 { // the root "/" is the tenant root itself
		dst, n = dst[:start], 0
	}
	pre := len(tenantsPrefix) + len(tenant)
	dst = append(dst, make([]byte, pre)...)
	copy(dst[start+pre:], dst[start:start+n])
	copy(dst[start:], tenantsPrefix)
	copy(dst[start+len(tenantsPrefix):], fold.String(tenant))
	return dst
}

// underSubscription reports whether a normalized scope is a subscription
// or lies below one.
func underSubscription(s []byte) bool {
	const p = "/subscriptions/"
	return len(s) > len(p) && string(s[:len(p)]) == p
}

// tenantRootEnd returns the length of the "/tenants/{t}" prefix of a
// normalized scope, or 0 if it has none.
func tenantRootEnd(s []byte) int {
	if len(s) <= len(tenantsPrefix) || string(s[:len(tenantsPrefix)]) != tenantsPrefix {
		return 0
	}
	for i := len(tenantsPrefix); i < len(s); i++ {
		if s[i] == '/' {
			return i
		}
	}
	return len(s)
}

// tenantOf names the tenant of a normalized engine scope with a
// "/tenants/{t}" prefix; "" for others.
func tenantOf(s string) string {
	if e := tenantRootEnd([]byte(s)); e > 0 {
		return s[len(tenantsPrefix):e]
	}
	return ""
}

// ScopeAncestors returns scope and its ancestors, nearest first, ending
// with the root ("/" or a tenant's root), all normalized. Scopes and
// parents are engine scopes (see TenantScope).
func ScopeAncestors(scope string, parents map[string]string) []string {
	chains, _ := compileParents(parents)
	return ancestry(appendNormScope(nil, scope), chains)
}

// ancestry lists a normalized scope and its ancestors, nearest first:
// the ID's levels, the management groups above its top level, the root.
func ancestry(s []byte, chains map[string][]string) []string {
	tEnd := tenantRootEnd(s)
	ends := scopeLevels(s, tEnd, nil)
	out := make([]string, 0, len(ends)+2)
	for i := len(ends) - 1; i >= 0; i-- {
		out = append(out, string(s[:ends[i]]))
	}
	root := RootScope
	if tEnd > 0 {
		root = string(s[:tEnd])
	}
	if len(ends) > 0 {
		if c, ok := chains[string(s[:ends[0]])]; ok {
			out = append(out, c[:len(c)-1]...)
			root = c[len(c)-1]
		}
	}
	return append(out, root)
}

// scopeLevels appends the end offset of every level of the normalized scope
// s, shallowest first; the last one is always len(s) (the scope itself).
// The root has no levels. Anything it cannot parse becomes part of the
// deepest level, so a malformed scope still inherits from its parsable
// prefix.
func scopeLevels(s []byte, tEnd int, ends []int) []int {
	if len(s) <= 1 || tEnd == len(s) {
		return ends // a root has no levels
	}
	var buf [32]int
	seg := segmentEnds(s, buf[:0])
	n, i := len(seg), 0
	if tEnd > 0 {
		i = 2 // "tenants/{t}": the root, not a level
	}
	switch {
	case tEnd == 0 && n >= 2 && segIs(s, seg, 0, "subscriptions"):
		ends, i = append(ends, seg[1]), 2
		if n >= 4 && segIs(s, seg, 2, "resourcegroups") {
			ends, i = append(ends, seg[3]), 4
		}
	case n >= i+4 && segIs(s, seg, i, "providers") && segIs(s, seg, i+1, "microsoft.management") &&
		segIs(s, seg, i+2, "managementgroups"):
		ends, i = append(ends, seg[i+3]), i+4
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
// management group it names, the chain of ancestors above it, nearest
// first, ending with its root ("/" or its tenant's root). Cycles stop at
// the first repeat. A parent that is neither a management group nor a
// root is refused (it would let a scope inherit from an arbitrary
// resource), and so is an edge between two tenants.
func compileParents(parents map[string]string) (map[string][]string, []error) {
	var errs []error
	norm := make(map[string]string, len(parents))
	for k, v := range parents {
		nk, nv := NormalizeScope(k), NormalizeScope(v)
		switch {
		case !isRoot(nv) && !isManagementGroup(nv):
			errs = append(errs, fmt.Errorf("parent of %q is %q: want a management group scope or a root", k, v))
		case isManagementGroup(nk) && tenantOf(nk) != tenantOf(nv):
			errs = append(errs, fmt.Errorf("parent of %q is %q: an edge between two tenants", k, v))
		default:
			norm[nk] = nv
		}
	}
	chains := make(map[string][]string, len(norm))
	for k := range norm {
		chains[k] = parentChain(k, norm)
	}
	return chains, errs
}

const mgPrefix = "/providers/microsoft.management/managementgroups/"

// isManagementGroup reports whether a normalized scope is exactly one
// management group (tenant-less or under a tenant's root).
func isManagementGroup(s string) bool {
	if e := tenantRootEnd([]byte(s)); e > 0 {
		s = s[e:]
	}
	name, ok := strings.CutPrefix(s, mgPrefix)
	return ok && name != "" && !strings.Contains(name, "/")
}

// isRoot reports whether a normalized scope is "/" or a tenant's root.
func isRoot(s string) bool {
	return s == RootScope || tenantRootEnd([]byte(s)) == len(s)
}

// rootOf is the root a management group or scope with no parent edge
// sits under: its tenant's, or "/".
func rootOf(s string) string {
	if e := tenantRootEnd([]byte(s)); e > 0 {
		return s[:e]
	}
	return RootScope
}

func parentChain(k string, norm map[string]string) []string {
	var out []string
	seen := map[string]bool{k: true}
	last := k
	cur, ok := norm[k]
	for ok && !isRoot(cur) && !seen[cur] {
		seen[cur] = true
		out = append(out, cur)
		last = cur
		cur, ok = norm[cur]
	}
	if ok && isRoot(cur) {
		return append(out, cur)
	}
	return append(out, rootOf(last))
}

// PathAncestors lists the scopes above a normalized engine scope that its
// ID itself names (resource → resource group → subscription, or → a
// management group under a tenant root), nearest first; not the scope, not
// the hierarchy's management groups, not the root.
func PathAncestors(scope string) []string {
	s := []byte(scope)
	ends := scopeLevels(s, tenantRootEnd(s), nil)
	out := make([]string, 0, len(ends))
	for i := len(ends) - 2; i >= 0; i-- {
		out = append(out, scope[:ends[i]])
	}
	return out
}
