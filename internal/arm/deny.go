package arm

import (
	"regexp"
	"strings"

	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/fold"
	"github.com/gatehouse/gatehouse/internal/rbac"
	"github.com/gatehouse/gatehouse/internal/store"
)

type denyView struct {
	ID         string    `json:"id"`
	Type       string    `json:"type"`
	Name       string    `json:"name"`
	Properties denyProps `json:"properties"`
}

type denyProps struct {
	DenyAssignmentName      string            `json:"denyAssignmentName"`
	Description             string            `json:"description"`
	Permissions             []rbac.Permission `json:"permissions"`
	Scope                   string            `json:"scope"`
	DoNotApplyToChildScopes bool              `json:"doNotApplyToChildScopes"`
	Principals              []rbac.Principal  `json:"principals"`
	ExcludePrincipals       []rbac.Principal  `json:"excludePrincipals"`
	IsSystemProtected       bool              `json:"isSystemProtected"`
	Condition               *string           `json:"condition"`
	ConditionVersion        *string           `json:"conditionVersion"`
}

func viewDeny(d *authz.DenyAssignmentDoc) denyView {
	ex := d.ExcludePrincipals
	if ex == nil {
		ex = []rbac.Principal{}
	}
	return denyView{ID: strings.TrimRight(d.Scope, "/") + "/providers/" + typeDenyAssignment + "/" + d.Name,
		Type: typeDenyAssignment, Name: d.Name, Properties: denyProps{DenyAssignmentName: d.Name, Description: d.Description,
			Permissions: d.Permissions, Scope: d.Scope, DoNotApplyToChildScopes: d.DoNotApplyToChildScopes,
			Principals: d.Principals, ExcludePrincipals: ex, IsSystemProtected: d.IsSystemProtected,
			Condition: optional(d.Condition), ConditionVersion: optional(d.ConditionVersion)}}
}

func (s *Service) getDenyAssignment(c *call) (int, any, error) {
	d, err := store.GetDoc[authz.DenyAssignmentDoc](c.ctx, s.st, authz.KindDenyAssignment, authz.DocID(c.p.TenantID, c.op.id.Name))
	if store.IsNotFound(err) {
		return 0, nil, armErr(404, "DenyAssignmentNotFound", "The deny assignment '%s' is not found.", c.op.id.Name)
	}
	if err != nil {
		return 0, nil, err
	}
	return 200, viewDeny(d), nil
}

var filterDenyName = regexp.MustCompile(`(?i)^denyAssignmentName\s+eq\s+'([^']*)'$`)

// listDenyAssignments lists deny assignments at, above and below the scope
// (atScope(): at and above), filtered by name or principal.
func (s *Service) listDenyAssignments(c *call) (int, any, error) {
	var name, principal string
	atScope := false
	if f := strings.TrimSpace(c.r.URL.Query().Get("$filter")); f != "" {
		for _, part := range regexp.MustCompile(`(?i)\s+and\s+`).Split(f, -1) {
			switch {
			case fold.Equal(part, "atScope()"):
				atScope = true
			case filterDenyName.MatchString(part):
				name = filterDenyName.FindStringSubmatch(part)[1]
			case filterPrincipal.MatchString(part):
				principal = fold.String(filterPrincipal.FindStringSubmatch(part)[1])
			default:
				return 0, nil, errBadRequest("UnsupportedQuery", "The filter '%s' is not supported.", f)
			}
		}
	}
	scope := scopeString(c.op.id)
	above, err := s.ancestorKeys(c, scope)
	if err != nil {
		return 0, nil, err
	}
	all, err := store.ListDocs[authz.DenyAssignmentDoc](c.ctx, s.st, store.Query{Kind: authz.KindDenyAssignment, Tenant: c.p.TenantID})
	if err != nil {
		return 0, nil, err
	}
	out := []denyView{}
	for _, d := range all {
		sk := c.key(d.Scope)
		below, err := s.below(c, d.Scope, scope)
		if err != nil {
			return 0, nil, err
		}
		if (!above[sk] && (atScope || !below)) || (name != "" && !fold.Equal(d.Name, name)) || (principal != "" && !namesPrincipal(d, principal)) {
			continue
		}
		out = append(out, viewDeny(d))
	}
	return 200, list{Value: out}, nil
}

func namesPrincipal(d *authz.DenyAssignmentDoc, id string) bool {
	for _, p := range d.Principals {
		if fold.Equal(p.ID, id) || p.ID == rbac.EveryoneID {
			return true
		}
	}
	return false
}

// permissions serves …/providers/Microsoft.Authorization/permissions: the
// caller's effective permission blocks at the scope.
func (s *Service) permissions(c *call) (int, any, error) {
	snap, err := s.az.Snapshot(c.ctx)
	if err != nil {
		return 0, nil, err
	}
	perms := snap.Permissions(c.p.TenantID, c.p.ObjectID, scopeString(c.op.id))
	if perms == nil {
		perms = []rbac.Permission{}
	}
	return 200, list{Value: perms}, nil
}
