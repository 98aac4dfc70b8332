package arm

import (
	"regexp"
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/fold"
	"github.com/gatehouse/gatehouse/internal/store"
)

// assignmentFilter is a parsed role-assignment $filter.
type assignmentFilter struct {
	atScope    bool   // at or above the scope only
	principal  string // principalId eq: that principal only
	assignedTo string // assignedTo(): the principal and its groups
}

var (
	filterPrincipal  = regexp.MustCompile(`(?i)^principalId\s+eq\s+'([^']*)'$`)
	filterAssignedTo = regexp.MustCompile(`(?i)^assignedTo\('([^']*)'\)$`)
)

func parseAssignmentFilter(f string) (*assignmentFilter, error) {
	out := &assignmentFilter{}
	if strings.TrimSpace(f) == "" {
		return out, nil
	}
	for _, part := range regexp.MustCompile(`(?i)\s+and\s+`).Split(strings.TrimSpace(f), -1) {
		switch {
		case fold.Equal(part, "atScope()"):
			out.atScope = true
		case filterPrincipal.MatchString(part):
			out.principal = fold.String(filterPrincipal.FindStringSubmatch(part)[1])
		case filterAssignedTo.MatchString(part):
			out.assignedTo = fold.String(filterAssignedTo.FindStringSubmatch(part)[1])
		default:
			return nil, errBadRequest("UnsupportedQuery", "The filter '%s' is not supported. Supported filters are atScope(), principalId eq '{id}' and assignedTo('{id}').", f)
		}
	}
	return out, nil
}

// assignmentsAround reads the tenant's assignments at and above scope and,
// unless atScope, below it — through the store's refs, so a list costs what
// it returns. Below the root it is the whole tenant; below a management
// group (whose subscriptions hang off it through the hierarchy, not the
// ID) the tenant is read and filtered.
func (s *Service) assignmentsAround(c *call, scope string, above map[string]bool, atScope bool) ([]*authz.RoleAssignmentDoc, error) {
	q := store.Query{Kind: authz.KindRoleAssignment, Tenant: c.p.TenantID}
	key := c.key(scope)
	if !atScope && (key == c.key("/") || isManagementGroup(scope)) {
		return store.ListDocs[authz.RoleAssignmentDoc](c.ctx, s.st, q)
	}
	refs := make([]string, 0, len(above)+1)
	for k := range above {
		refs = append(refs, "scope:"+k)
	}
	if !atScope {
		refs = append(refs, authz.UnderRef(key))
	}
	seen := map[string]bool{}
	var out []*authz.RoleAssignmentDoc
	for _, ref := range refs {
		q.Ref = ref
		docs, err := store.ListDocs[authz.RoleAssignmentDoc](c.ctx, s.st, q)
		if err != nil {
			return nil, err
		}
		for _, d := range docs {
			if id := d.StoreID(); !seen[id] {
				seen[id] = true
				out = append(out, d)
			}
		}
	}
	slices.SortFunc(out, func(a, b *authz.RoleAssignmentDoc) int { return strings.Compare(a.StoreID(), b.StoreID()) })
	return out, nil
}

// below reports whether scope lies strictly below top in the caller's
// tenant (through the ID or, under a management group, the hierarchy).
func (s *Service) below(c *call, scope, top string) (bool, error) {
	k, tk := c.key(scope), c.key(top)
	if k == tk {
		return false, nil
	}
	if tk == c.key("/") || strings.HasPrefix(k, tk+"/") {
		return true, nil
	}
	if !isManagementGroup(top) {
		return false, nil
	}
	above, err := s.ancestorKeys(c, scope)
	return above[tk], err
}

// ancestorKeys lists the keys of scope and every scope above it, including
// management groups above a subscription and the tenant's root.
func (s *Service) ancestorKeys(c *call, scope string) (map[string]bool, error) {
	snap, err := s.az.Snapshot(c.ctx)
	if err != nil {
		return nil, err
	}
	keys := map[string]bool{}
	for _, k := range snap.Ancestors(c.p.TenantID, scope) {
		keys[k] = true
	}
	return keys, nil
}

// listRoleAssignments lists assignments that apply at the scope (at and
// above) and, unless atScope(), those below it; filtered by principal.
func (s *Service) listRoleAssignments(c *call) (int, any, error) {
	f, err := parseAssignmentFilter(c.r.URL.Query().Get("$filter"))
	if err != nil {
		return 0, nil, err
	}
	scope := scopeString(c.op.id)
	above, err := s.ancestorKeys(c, scope)
	if err != nil {
		return 0, nil, err
	}
	principals, err := s.filterPrincipals(c, f)
	if err != nil {
		return 0, nil, err
	}
	all, err := s.assignmentsAround(c, scope, above, f.atScope)
	if err != nil {
		return 0, nil, err
	}
	out := []assignmentView{}
	for _, a := range all {
		sk := c.key(a.Scope)
		below, err := s.below(c, a.Scope, scope)
		if err != nil {
			return 0, nil, err
		}
		if !above[sk] && (f.atScope || !below) {
			continue
		}
		if principals != nil && !principals[a.PrincipalID] {
			continue
		}
		out = append(out, viewAssignment(a))
	}
	return 200, list{Value: out}, nil
}

// filterPrincipals is the set of principals the filter keeps (nil: all).
func (s *Service) filterPrincipals(c *call, f *assignmentFilter) (map[string]bool, error) {
	switch {
	case f.principal != "":
		return map[string]bool{f.principal: true}, nil
	case f.assignedTo != "":
		groups, err := s.dir.TransitiveMemberOf(c.ctx, f.assignedTo)
		if err != nil {
			return nil, err
		}
		set := map[string]bool{f.assignedTo: true}
		for _, g := range groups {
			set[g] = true
		}
		return set, nil
	}
	return nil, nil
}
