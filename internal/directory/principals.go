package directory

import (
	"context"
	"strings"

	"github.com/gatehouse/gatehouse/internal/store"
)

// ServicePrincipal finds a service principal by object id.
func (d *Directory) ServicePrincipal(ctx context.Context, id string) (*ServicePrincipal, error) {
	return store.GetDoc[ServicePrincipal](ctx, d.st, KindServicePrincipal, strings.ToLower(id))
}

// ServicePrincipalByAppID finds the service principal of appID in tenant tid.
func (d *Directory) ServicePrincipalByAppID(ctx context.Context, tid, appID string) (*ServicePrincipal, error) {
	return store.LookupDoc[ServicePrincipal](ctx, d.st, KindServicePrincipal, tenantKey(tid, "appid", strings.ToLower(appID)))
}

// ResourceByName resolves a resource identifier (an identifier URI or an
// appId) to a service principal in tenant tid.
func (d *Directory) ResourceByName(ctx context.Context, tid, name string) (*ServicePrincipal, error) {
	n := NormalizeName(name)
	if IsGUID(n) {
		if sp, err := d.ServicePrincipalByAppID(ctx, tid, n); err == nil || !IsNotFound(err) {
			return sp, err
		}
	}
	return store.LookupDoc[ServicePrincipal](ctx, d.st, KindServicePrincipal, tenantKey(tid, "spn", n))
}

// ServicePrincipals lists the service principals of a tenant.
func (d *Directory) ServicePrincipals(ctx context.Context, tid string) ([]*ServicePrincipal, error) {
	return store.ListDocs[ServicePrincipal](ctx, d.st, store.Query{Kind: KindServicePrincipal, Tenant: tid})
}

func spNames(app *Application) []string {
	return append([]string{app.AppID}, app.IdentifierURIs...)
}

// CreateServicePrincipal creates the service principal of an application in
// tenant tid. It fails with a ConflictError if one exists already.
func (t *Tx) CreateServicePrincipal(ctx context.Context, tid, appID string) (*ServicePrincipal, error) {
	app, err := t.ApplicationByAppID(ctx, appID)
	if err != nil {
		return nil, err
	}
	if app.TenantID != tid && app.SignInAudience == "AzureADMyOrg" {
		return nil, invalid("application %s is single-tenant (signInAudience AzureADMyOrg) and belongs to another tenant", appID)
	}
	sp := &ServicePrincipal{ID: NewID(), AppID: app.AppID, TenantID: tid, DisplayName: app.DisplayName,
		ServicePrincipalType: SPApplication, ServicePrincipalNames: spNames(app), AccountEnabled: true,
		AppOwnerTenantID: app.TenantID, AppRoles: app.AppRoles, TokenVersion: app.TokenVersion(), CreatedAt: t.now()}
	if err := store.CreateDoc(ctx, t.tx, sp); err != nil {
		return nil, conflictAs(err, "a service principal for appId %s (or one of its identifierUris) already exists in this tenant", appID)
	}
	return sp, nil
}

// PutServicePrincipal writes a service principal as given (well-known
// resources, managed identities).
func (t *Tx) PutServicePrincipal(ctx context.Context, sp *ServicePrincipal) error {
	return store.PutDoc(ctx, t.tx, sp)
}

// ServicePrincipal reads a service principal inside the transaction.
func (t *Tx) ServicePrincipal(ctx context.Context, id string) (*ServicePrincipal, error) {
	return store.GetDoc[ServicePrincipal](ctx, t.tx, KindServicePrincipal, strings.ToLower(id))
}

// ServicePrincipalByAppID reads a tenant's service principal of appID.
func (t *Tx) ServicePrincipalByAppID(ctx context.Context, tid, appID string) (*ServicePrincipal, error) {
	return store.LookupDoc[ServicePrincipal](ctx, t.tx, KindServicePrincipal, tenantKey(tid, "appid", strings.ToLower(appID)))
}

// DeleteServicePrincipal removes a service principal with its memberships
// and app role assignments (as principal and as resource).
func (t *Tx) DeleteServicePrincipal(ctx context.Context, id string) error {
	id = strings.ToLower(id)
	if err := t.deleteObjectEdges(ctx, id); err != nil {
		return err
	}
	if err := t.deleteByRef(ctx, KindAppRoleAssignment, "resource:"+id); err != nil {
		return err
	}
	return t.tx.Delete(ctx, KindServicePrincipal, id)
}

// deleteObjectEdges removes an object's group memberships and the app
// roles granted to it, so nothing refers to a deleted principal.
func (t *Tx) deleteObjectEdges(ctx context.Context, id string) error {
	if err := t.deleteByRef(ctx, KindMembership, "member:"+id); err != nil {
		return err
	}
	return t.deleteByRef(ctx, KindAppRoleAssignment, "principal:"+id)
}

func (t *Tx) deleteByRef(ctx context.Context, kind store.Kind, ref string) error {
	recs, err := t.tx.List(ctx, store.Query{Kind: kind, Ref: ref})
	if err != nil {
		return err
	}
	for _, r := range recs {
		if err := t.tx.Delete(ctx, kind, r.ID); err != nil {
			return err
		}
	}
	return nil
}
