// Package rbaccompare runs the same Azure RBAC decisions through
// gatehouse's engine (internal/rbac), Casbin and OPA, on one generated
// Azure-sized dataset. It is its own module so that neither Casbin nor OPA
// enters the product's go.mod. See README.md.
package rbaccompare

import (
	"strings"

	"github.com/gatehouse/gatehouse/internal/rbac"
)

// Casbin and OPA compare strings case-sensitively, while Azure ignores
// case in scopes, principal ids and actions. Both adapters therefore load
// lower-cased data, and lower-case each request (inside the timed call).

func lower(s string) string { return strings.ToLower(s) }

// normScope is rbac.NormalizeScope for the adapters: lower case, no
// trailing '/', "" is "/".
func normScope(s string) string { return rbac.NormalizeScope(s) }

// roleGUID turns a role definition ID into the lower-case GUID that
// gatehouse compares by.
func roleGUID(id string) string {
	id = strings.TrimRight(id, "/")
	if i := strings.LastIndexByte(id, '/'); i >= 0 {
		id = id[i+1:]
	}
	return strings.ToLower(id)
}

// allRoles is what rbac.Compile sees: the built-ins, with an input role
// of the same ID replacing one.
func allRoles(in rbac.Input) []rbac.RoleDefinition {
	defs := rbac.BuiltinRoles()
	at := map[string]int{}
	for i, d := range defs {
		at[roleGUID(d.ID)] = i
	}
	for _, r := range in.Roles {
		if i, ok := at[roleGUID(r.ID)]; ok {
			defs[i] = r
			continue
		}
		at[roleGUID(r.ID)] = len(defs)
		defs = append(defs, r)
	}
	return defs
}

func lowerAll(in []string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = lower(strings.TrimSpace(s))
	}
	return out
}

// azureMatch is Azure's action pattern match on lower-cased strings: `*`
// matches any run of characters, '/' included; nothing else is special.
// It does not allocate.
func azureMatch(pat, s string) bool {
	// Classic two-pointer glob with one backtrack point.
	p, i, star, mark := 0, 0, -1, 0
	for i < len(s) {
		switch {
		case p < len(pat) && pat[p] == '*':
			star, mark = p, i
			p++
		case p < len(pat) && pat[p] == s[i]:
			p++
			i++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pat) && pat[p] == '*' {
		p++
	}
	return p == len(pat)
}

// azureMatchAny matches s against a '|'-separated list of patterns (an
// empty list matches nothing). '|' never occurs in Azure action strings.
func azureMatchAny(list, s string) bool {
	for list != "" {
		pat := list
		if i := strings.IndexByte(list, '|'); i >= 0 {
			pat, list = list[:i], list[i+1:]
		} else {
			list = ""
		}
		if azureMatch(pat, s) {
			return true
		}
	}
	return false
}

// ancestry answers "is scope p the scope s or one of its ancestors" for
// normalized scopes: path prefixes at a '/' boundary, then the management
// group chain of the subscription (or management group) from
// Input.Parents, then the root "/".
type ancestry struct {
	chain map[string][]string // subscription or MG scope → MG ancestors, nearest first
}

const mgPrefix = "/providers/microsoft.management/managementgroups/"

func newAncestry(parents map[string]string) *ancestry {
	norm := map[string]string{}
	for k, v := range parents {
		norm[normScope(k)] = normScope(v)
	}
	a := &ancestry{chain: map[string][]string{}}
	for k := range norm {
		seen := map[string]bool{k: true}
		for cur, ok := norm[k]; ok && cur != "/" && !seen[cur]; cur, ok = norm[cur] {
			seen[cur] = true
			a.chain[k] = append(a.chain[k], cur)
		}
	}
	return a
}

// top is the subscription or management group a scope sits in.
func top(s string) string {
	for _, pre := range []string{"/subscriptions/", mgPrefix} {
		if strings.HasPrefix(s, pre) {
			rest := s[len(pre):]
			if i := strings.IndexByte(rest, '/'); i >= 0 {
				return s[:len(pre)+i]
			}
			return s
		}
	}
	return ""
}

func (a *ancestry) within(s, p string) bool {
	switch {
	case s == p || p == "/":
		return true
	case len(s) > len(p) && s[len(p)] == '/' && strings.HasPrefix(s, p):
		return true
	case strings.HasPrefix(p, mgPrefix):
		for _, mg := range a.chain[top(s)] {
			if mg == p {
				return true
			}
		}
	}
	return false
}
