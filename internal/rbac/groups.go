package rbac

import (
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/internal/fold"
)

// groupClosure turns direct memberships into, for every member, the sorted
// set of groups it is in transitively (itself excluded). Group ids are
// interned so members of the same groups share strings. Cycles are
// harmless: a group already reached is not walked again.
func groupClosure(direct map[string][]string) (closure, norm map[string][]string) {
	norm = normalizeMemberships(direct)
	out := make(map[string][]string, len(norm))
	seen := map[string]bool{}
	parents := func(m string) []string { return norm[m] }
	for member := range norm {
		clear(seen)
		out[member] = closureOf(member, parents, seen)
	}
	return out, norm
}

// closureOf walks parents breadth-first from member and returns every
// group reached, sorted; seen must be empty (it is reused to spare
// allocations).
func closureOf(member string, parents func(string) []string, seen map[string]bool) []string {
	seen[member] = true
	var groups []string
	queue := parents(member)
	for len(queue) > 0 {
		g := queue[0]
		queue = queue[1:]
		if seen[g] {
			continue
		}
		seen[g] = true
		groups = append(groups, g)
		queue = append(queue[:len(queue):len(queue)], parents(g)...)
	}
	slices.Sort(groups)
	return groups
}

func normalizeMemberships(direct map[string][]string) map[string][]string {
	intern := map[string]string{}
	id := func(s string) string {
		k := fold.String(strings.TrimSpace(s))
		if v, ok := intern[k]; ok {
			return v
		}
		intern[k] = k
		return k
	}
	norm := make(map[string][]string, len(direct))
	for m, gs := range direct {
		key := id(m)
		for _, g := range gs {
			norm[key] = append(norm[key], id(g))
		}
	}
	return norm
}
