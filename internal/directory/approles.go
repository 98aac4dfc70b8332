package directory

import (
	"context"
	"strings"

	"github.com/gatehouse/gatehouse/internal/store"
)

// AppRoleAssignmentsOf lists the app roles granted to a principal directly.
func (d *Directory) AppRoleAssignmentsOf(ctx context.Context, principalID string) ([]*AppRoleAssignment, error) {
	return store.ListDocs[AppRoleAssignment](ctx, d.st, store.Query{Kind: KindAppRoleAssignment, Ref: "principal:" + strings.ToLower(principalID)})
}

// AppRoleAssignedTo lists the app roles granted on a resource principal.
func (d *Directory) AppRoleAssignedTo(ctx context.Context, resourceID string) ([]*AppRoleAssignment, error) {
	return store.ListDocs[AppRoleAssignment](ctx, d.st, store.Query{Kind: KindAppRoleAssignment, Ref: "resource:" + strings.ToLower(resourceID)})
}

// AssignAppRole grants resource's app role appRoleID to a principal.
// Granting it again returns the existing assignment.
func (t *Tx) AssignAppRole(ctx context.Context, principalID, resourceID, appRoleID string) (*AppRoleAssignment, error) {
	res, err := t.ServicePrincipal(ctx, resourceID)
	if err != nil {
		return nil, err
	}
	if !hasRole(res.AppRoles, appRoleID) {
		return nil, invalid("Permission being assigned was not found on application %s", res.AppID)
	}
	typ, err := t.ObjectType(ctx, res.TenantID, principalID)
	if err != nil {
		return nil, err
	}
	name, err := t.displayName(ctx, typ, principalID)
	if err != nil {
		return nil, err
	}
	a := &AppRoleAssignment{ID: NewID(), TenantID: res.TenantID, AppRoleID: strings.ToLower(appRoleID),
		PrincipalID: strings.ToLower(principalID), PrincipalType: graphPrincipalType(typ),
		PrincipalDisplayName: name, ResourceID: res.ID, ResourceDisplayName: res.DisplayName, CreatedAt: t.now()}
	rec, err := t.tx.Lookup(ctx, KindAppRoleAssignment, a.StoreKeys()[0])
	if err == nil {
		return store.Decode[AppRoleAssignment](rec)
	}
	if !IsNotFound(err) {
		return nil, err
	}
	return a, store.CreateDoc(ctx, t.tx, a)
}

// DeleteAppRoleAssignment removes an app role assignment.
func (t *Tx) DeleteAppRoleAssignment(ctx context.Context, id string) error {
	return t.tx.Delete(ctx, KindAppRoleAssignment, strings.ToLower(id))
}

func hasRole(roles []AppRole, id string) bool {
	for _, r := range roles {
		if strings.EqualFold(r.ID, id) {
			return true
		}
	}
	return false
}

func graphPrincipalType(typ string) string {
	switch typ {
	case TypeUser:
		return "User"
	case TypeGroup:
		return "Group"
	default:
		return "ServicePrincipal"
	}
}

func (t *Tx) displayName(ctx context.Context, typ, id string) (string, error) {
	switch typ {
	case TypeUser:
		u, err := t.User(ctx, id)
		if err != nil {
			return "", err
		}
		return u.DisplayName, nil
	case TypeGroup:
		g, err := t.Group(ctx, id)
		if err != nil {
			return "", err
		}
		return g.DisplayName, nil
	default:
		sp, err := t.ServicePrincipal(ctx, id)
		if err != nil {
			return "", err
		}
		return sp.DisplayName, nil
	}
}
