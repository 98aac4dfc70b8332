package arm

import (
	"context"
	"regexp"
	"strings"

	"github.com/gatehouse/gatehouse/internal/armid"
	"github.com/gatehouse/gatehouse/internal/authz"
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
		case strings.EqualFold(part, "atScope()"):
			out.atScope = true
		case filterPrincipal.MatchString(part):
			out.principal = strings.ToLower(filterPrincipal.FindStringSubmatch(part)[1])
		case filterAssignedTo.MatchString(part):
			out.assignedTo = strings.ToLower(filterAssignedTo.FindStringSubmatch(part)[1])
		default:
			return nil, errBadRequest("UnsupportedQuery", "The filter '%s' is not supported. Supported filters are atScope(), principalId eq '{id}' and assignedTo('{id}').", f)
		}
	}
	return out, nil
}

// ancestorKeys lists the keys of scope and every scope above it, including
// management groups above a subscription.
func (s *Service) ancestorKeys(ctx context.Context, scope string) (map[string]bool, error) {
	keys := map[string]bool{"/": true, authz.ScopeKey(scope): true}
	id, err := armid.Parse(scope)
	if err != nil || id == nil {
		return keys, nil
	}
	top := ""
	for _, a := range id.Ancestors() {
		keys[a.Key()] = true
		if strings.EqualFold(a.ResourceType, armid.SubscriptionType) || strings.EqualFold(a.ResourceType, armid.ManagementGroupType) {
			top = a.Key()
		}
	}
	if strings.EqualFold(id.ResourceType, armid.SubscriptionType) || strings.EqualFold(id.ResourceType, armid.ManagementGroupType) {
		top = id.Key()
	}
	for top != "" && len(keys) < 64 {
		p, err := store.GetDoc[authz.ScopeParent](ctx, s.st, authz.KindScopeParent, top)
		if store.IsNotFound(err) {
			break
		}
		if err != nil {
			return nil, err
		}
		keys[p.Parent] = true
		top = p.Parent
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
	above, err := s.ancestorKeys(c.ctx, scope)
	if err != nil {
		return 0, nil, err
	}
	principals, err := s.filterPrincipals(c, f)
	if err != nil {
		return 0, nil, err
	}
	all, err := store.ListDocs[authz.RoleAssignmentDoc](c.ctx, s.st, store.Query{Kind: authz.KindRoleAssignment, Tenant: c.p.TenantID})
	if err != nil {
		return 0, nil, err
	}
	key := authz.ScopeKey(scope)
	out := []assignmentView{}
	for _, a := range all {
		sk := authz.ScopeKey(a.Scope)
		below := key == "/" || strings.HasPrefix(sk, key+"/")
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
