package config

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/gatehouse/gatehouse/internal/directory"
	"github.com/gatehouse/gatehouse/internal/store"
)

// ensureAppRoleAssignments grants the declared app roles to an app's SP.
func ensureAppRoleAssignments(ctx context.Context, tx *directory.Tx, tid string, a Application) error {
	if len(a.AppRoleAssignments) == 0 {
		return nil
	}
	sp, err := appSP(ctx, tx, tid, a)
	if err != nil {
		return err
	}
	for _, ra := range a.AppRoleAssignments {
		resName, roleValue := splitAssignment(ra)
		res, err := resourceSP(ctx, tx, tid, resName)
		if err != nil {
			return fmt.Errorf("appRoleAssignments %q: resource %w", ra, err)
		}
		roleID := ""
		for _, r := range res.AppRoles {
			if strings.EqualFold(r.Value, roleValue) {
				roleID = r.ID
			}
		}
		if roleID == "" {
			return fmt.Errorf("appRoleAssignments %q: %s has no app role %q", ra, res.DisplayName, roleValue)
		}
		if _, err := tx.AssignAppRole(ctx, sp.ID, res.ID, roleID); err != nil {
			return err
		}
	}
	return nil
}

func appSP(ctx context.Context, tx *directory.Tx, tid string, a Application) (*directory.ServicePrincipal, error) {
	for _, sp := range listSPs(ctx, tx, tid) {
		if (a.AppID != "" && strings.EqualFold(sp.AppID, a.AppID)) || (a.AppID == "" && sp.DisplayName == a.DisplayName) {
			return sp, nil
		}
	}
	return nil, fmt.Errorf("has no service principal (servicePrincipal: false?)")
}

// resourceSP finds a resource principal by appId or identifier URI.
func resourceSP(ctx context.Context, tx *directory.Tx, tid, name string) (*directory.ServicePrincipal, error) {
	n := directory.NormalizeName(name)
	for _, sp := range listSPs(ctx, tx, tid) {
		for _, spn := range sp.ServicePrincipalNames {
			if directory.NormalizeName(spn) == n || sp.DisplayName == name {
				return sp, nil
			}
		}
	}
	return nil, fmt.Errorf("%q not found", name)
}

func listSPs(ctx context.Context, tx *directory.Tx, tid string) []*directory.ServicePrincipal {
	sps, _ := store.ListDocs[directory.ServicePrincipal](ctx, tx.Store(), store.Query{Kind: directory.KindServicePrincipal, Tenant: tid})
	return sps
}

// ensureGroups creates the declared groups, then adds their members (so a
// group may name a group declared after it).
func ensureGroups(ctx context.Context, tx *directory.Tx, tid string, groups []Group) error {
	ids := map[string]string{}
	for _, g := range groups {
		id, err := ensureGroup(ctx, tx, tid, g)
		if err != nil {
			return fmt.Errorf("group %s: %w", g.DisplayName, err)
		}
		ids[g.DisplayName] = id
	}
	for _, g := range groups {
		for _, m := range g.Members {
			mid, err := resolveMember(ctx, tx, tid, m)
			if err != nil {
				return fmt.Errorf("group %s: member %q: %w", g.DisplayName, m, err)
			}
			if err := tx.AddMember(ctx, ids[g.DisplayName], mid); err != nil && !isConflict(err) {
				return fmt.Errorf("group %s: member %q: %w", g.DisplayName, m, err)
			}
		}
	}
	return nil
}

func ensureGroup(ctx context.Context, tx *directory.Tx, tid string, g Group) (string, error) {
	if g.ID != "" {
		if cur, err := tx.Group(ctx, g.ID); err == nil {
			return cur.ID, nil
		}
	} else {
		groups, err := store.ListDocs[directory.Group](ctx, tx.Store(), store.Query{Kind: directory.KindGroup, Tenant: tid})
		if err != nil {
			return "", err
		}
		for _, cur := range groups {
			if cur.DisplayName == g.DisplayName {
				return cur.ID, nil
			}
		}
	}
	ng, err := tx.CreateGroup(ctx, tid, directory.NewGroup{ID: g.ID, DisplayName: g.DisplayName, Description: g.Description})
	if err != nil {
		return "", err
	}
	return ng.ID, nil
}

// resolveMember finds a member by object id, UPN, appId, app display name
// or group display name.
func resolveMember(ctx context.Context, tx *directory.Tx, tid, m string) (string, error) {
	if directory.IsGUID(m) {
		if _, err := tx.ObjectType(ctx, tid, m); err == nil {
			return strings.ToLower(m), nil
		}
		if sp, err := tx.ServicePrincipalByAppID(ctx, tid, m); err == nil {
			return sp.ID, nil
		}
	}
	if strings.Contains(m, "@") {
		u, err := tx.UserByUPN(ctx, tid, m)
		if err != nil {
			return "", err
		}
		return u.ID, nil
	}
	for _, sp := range listSPs(ctx, tx, tid) {
		if sp.DisplayName == m && sp.AppOwnerTenantID != directory.MicrosoftTenantID {
			return sp.ID, nil
		}
	}
	groups, err := store.ListDocs[directory.Group](ctx, tx.Store(), store.Query{Kind: directory.KindGroup, Tenant: tid})
	if err != nil {
		return "", err
	}
	for _, g := range groups {
		if g.DisplayName == m {
			return g.ID, nil
		}
	}
	return "", store.ErrNotFound
}

func isConflict(err error) bool {
	var c *directory.ConflictError
	return errors.As(err, &c)
}
