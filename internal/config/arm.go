package config

import (
	"context"
	"fmt"
	"strings"

	"github.com/gatehouse/gatehouse/internal/arm"
	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/directory"
	"github.com/gatehouse/gatehouse/internal/fold"
	"github.com/gatehouse/gatehouse/internal/rbac"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Subscription declares a subscription of the tenant.
type Subscription struct {
	ID              string `json:"id"`
	DisplayName     string `json:"displayName"`
	ManagementGroup string `json:"managementGroup,omitempty"`
}

// ManagementGroup declares a management group (parent: another one's name).
type ManagementGroup struct {
	Name        string `json:"name"`
	DisplayName string `json:"displayName,omitempty"`
	Parent      string `json:"parent,omitempty"`
}

// RoleAssignment declares a role assignment. Principal names a user (UPN),
// an application (appId or display name: its service principal), a group
// (display name) or any object id.
type RoleAssignment struct {
	Name             string `json:"name,omitempty"`
	Principal        string `json:"principal"`
	Role             string `json:"role"`
	Scope            string `json:"scope"`
	Condition        string `json:"condition,omitempty"`
	ConditionVersion string `json:"conditionVersion,omitempty"`
	Description      string `json:"description,omitempty"`
}

// DenyAssignment declares a deny assignment. Principals name objects as in
// RoleAssignment, or "Everyone".
type DenyAssignment struct {
	Name                    string   `json:"name"`
	Scope                   string   `json:"scope"`
	Description             string   `json:"description,omitempty"`
	Actions                 []string `json:"actions,omitempty"`
	NotActions              []string `json:"notActions,omitempty"`
	DataActions             []string `json:"dataActions,omitempty"`
	NotDataActions          []string `json:"notDataActions,omitempty"`
	Principals              []string `json:"principals"`
	ExcludePrincipals       []string `json:"excludePrincipals,omitempty"`
	DoNotApplyToChildScopes bool     `json:"doNotApplyToChildScopes,omitempty"`
}

// applyARM applies the tenant's subscriptions, management groups, role
// assignments and deny assignments.
func applyARM(ctx context.Context, tx *directory.Tx, tid string, t *Tenant, progress func(done, total int)) error {
	st := tx.Store()
	for _, mg := range t.ManagementGroups {
		if err := arm.CreateManagementGroup(ctx, st, tid, mg.Name, mg.DisplayName, mg.Parent); err != nil {
			return fmt.Errorf("management group %s: %w", mg.Name, err)
		}
	}
	for _, s := range t.Subscriptions {
		if err := arm.CreateSubscription(ctx, st, tid, s.ID, s.DisplayName); err != nil {
			return fmt.Errorf("subscription %s: %w", s.ID, err)
		}
		if s.ManagementGroup != "" {
			if err := arm.PlaceSubscription(ctx, st, tid, strings.ToLower(s.ID), s.ManagementGroup); err != nil {
				return err
			}
		}
	}
	roles, err := newRoleResolver(ctx, st, tid)
	if err != nil {
		return err
	}
	for i, ra := range t.RoleAssignments {
		if err := applyRoleAssignment(ctx, tx, tid, roles, ra); err != nil {
			return fmt.Errorf("role assignment of %s to %s at %s: %w", ra.Role, ra.Principal, ra.Scope, err)
		}
		if progress != nil && (i+1)%progressEvery == 0 {
			progress(i+1, len(t.RoleAssignments))
		}
	}
	for _, da := range t.DenyAssignments {
		if err := applyDeny(ctx, tx, tid, da); err != nil {
			return fmt.Errorf("deny assignment %s: %w", da.Name, err)
		}
	}
	return nil
}

func applyRoleAssignment(ctx context.Context, tx *directory.Tx, tid string, roles roleResolver, ra RoleAssignment) error {
	pid, err := resolveMember(ctx, tx, tid, ra.Principal)
	if err != nil {
		return fmt.Errorf("principal: %w", err)
	}
	typ, err := tx.ObjectType(ctx, tid, pid)
	if err != nil {
		return err
	}
	role, err := roles.find(ra.Role)
	if err != nil {
		return err
	}
	if ra.Condition != "" {
		if _, err := rbac.ParseCondition(ra.Condition); err != nil {
			return fmt.Errorf("condition: %w", err)
		}
	}
	ptype := map[string]string{directory.TypeUser: "User", directory.TypeGroup: "Group", directory.TypeServicePrincipal: "ServicePrincipal"}[typ]
	return arm.AssignWith(ctx, tx.Store(), tid, arm.AssignmentSpec{Scope: ra.Scope, PrincipalID: pid, PrincipalType: ptype,
		RoleID: role, Name: ra.Name, Condition: ra.Condition, ConditionVersion: ra.ConditionVersion, Description: ra.Description})
}

// progressEvery is how often a long apply reports progress.
const progressEvery = 10000

// roleResolver finds a built-in or custom role of the tenant by GUID or
// name, from one read of the tenant's custom roles: an apply of many
// assignments costs a map lookup per assignment, not a scan.
type roleResolver map[string]string

func newRoleResolver(ctx context.Context, rd store.Reader, tid string) (roleResolver, error) {
	r := roleResolver{}
	customs, err := store.ListDocs[authz.RoleDefinitionDoc](ctx, rd, store.Query{Kind: authz.KindRoleDefinition, Tenant: tid})
	if err != nil {
		return nil, err
	}
	for _, c := range customs {
		r.add(c.ID, c.ID, c.RoleName)
	}
	for _, b := range rbac.BuiltinRoles() { // built-ins win, as rbac.FindRole had them
		r.add(b.ID, append([]string{b.ID, b.RoleName}, b.Aliases...)...)
	}
	return r, nil
}

func (r roleResolver) add(id string, keys ...string) {
	for _, k := range keys {
		r[fold.String(strings.TrimSpace(k))] = id
	}
}

func (r roleResolver) find(key string) (string, error) {
	k := fold.String(strings.TrimSpace(key))
	if id, ok := r[k]; ok {
		return id, nil
	}
	if id, ok := r[k[strings.LastIndexByte(k, '/')+1:]]; ok { // a full role definition id
		return id, nil
	}
	return "", fmt.Errorf("role %q not found", key)
}

func applyDeny(ctx context.Context, tx *directory.Tx, tid string, da DenyAssignment) error {
	resolve := func(names []string) ([]rbac.Principal, error) {
		var out []rbac.Principal
		for _, n := range names {
			if strings.EqualFold(n, "Everyone") {
				out = append(out, rbac.Principal{ID: rbac.EveryoneID, Type: rbac.SystemDefinedType})
				continue
			}
			id, err := resolveMember(ctx, tx, tid, n)
			if err != nil {
				return nil, fmt.Errorf("principal %q: %w", n, err)
			}
			typ, _ := tx.ObjectType(ctx, tid, id)
			out = append(out, rbac.Principal{ID: id, Type: map[string]string{directory.TypeUser: "User", directory.TypeGroup: "Group", directory.TypeServicePrincipal: "ServicePrincipal"}[typ]})
		}
		return out, nil
	}
	ps, err := resolve(da.Principals)
	if err != nil {
		return err
	}
	ex, err := resolve(da.ExcludePrincipals)
	if err != nil {
		return err
	}
	d := rbac.DenyAssignment{Name: da.Name, Scope: da.Scope, Principals: ps, ExcludePrincipals: ex,
		DoNotApplyToChildScopes: da.DoNotApplyToChildScopes,
		Permissions: []rbac.Permission{{Actions: nonNil(da.Actions), NotActions: nonNil(da.NotActions),
			DataActions: nonNil(da.DataActions), NotDataActions: nonNil(da.NotDataActions)}}}
	return arm.PutDenyAssignment(ctx, tx.Store(), tid, d, da.Description)
}

func (t *Tenant) validateARM(where string) error {
	for i, s := range t.Subscriptions {
		if !directory.IsGUID(s.ID) {
			return fmt.Errorf("%s.subscriptions[%d]: id %q is not a GUID", where, i, s.ID)
		}
	}
	for i, mg := range t.ManagementGroups {
		if mg.Name == "" || strings.ContainsAny(mg.Name, "/ ") {
			return fmt.Errorf("%s.managementGroups[%d]: name %q is not valid", where, i, mg.Name)
		}
	}
	for i, ra := range t.RoleAssignments {
		if ra.Principal == "" || ra.Role == "" || !strings.HasPrefix(ra.Scope, "/") {
			return fmt.Errorf("%s.roleAssignments[%d]: principal, role and scope (an ARM id starting with /) are required", where, i)
		}
	}
	for i, da := range t.DenyAssignments {
		if !directory.IsGUID(da.Name) || !strings.HasPrefix(da.Scope, "/") || len(da.Principals) == 0 {
			return fmt.Errorf("%s.denyAssignments[%d]: name (a GUID), scope and principals are required", where, i)
		}
		if len(da.Actions)+len(da.DataActions) == 0 {
			return fmt.Errorf("%s.denyAssignments[%d]: at least one action or data action is required", where, i)
		}
	}
	return nil
}
