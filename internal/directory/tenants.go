package directory

import (
	"context"
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/internal/store"
)

// NewTenant is what a caller gives to create a tenant.
type NewTenant struct {
	ID          string // optional GUID
	DisplayName string
	Domain      string // e.g. contoso.onmicrosoft.com
}

// CreateTenant creates a tenant with Microsoft's well-known resource
// service principals in it.
func (t *Tx) CreateTenant(ctx context.Context, in NewTenant) (*Tenant, error) {
	domain := strings.ToLower(strings.TrimSpace(in.Domain))
	if domain == "" || strings.ContainsAny(domain, "/ @") || !strings.Contains(domain, ".") {
		return nil, invalid("tenant domain %q must be a domain name such as contoso.onmicrosoft.com", in.Domain)
	}
	id, err := objectID(in.ID)
	if err != nil {
		return nil, err
	}
	name := in.DisplayName
	if name == "" {
		name = domain
	}
	ten := &Tenant{ID: id, DisplayName: name, Domains: []string{domain}, CreatedAt: t.now()}
	if err := store.CreateDoc(ctx, t.tx, ten); err != nil {
		return nil, conflictAs(err, "a tenant with id %s or domain %s already exists", id, domain)
	}
	return ten, t.EnsureWellKnown(ctx, id)
}

// Tenant reads a tenant by GUID or domain inside the transaction.
func (t *Tx) Tenant(ctx context.Context, idOrDomain string) (*Tenant, error) {
	if IsGUID(idOrDomain) {
		return store.GetDoc[Tenant](ctx, t.tx, KindTenant, strings.ToLower(idOrDomain))
	}
	return store.LookupDoc[Tenant](ctx, t.tx, KindTenant, "domain:"+strings.ToLower(idOrDomain))
}

// EnsureWellKnown creates any missing well-known resource principal and
// brings existing ones up to date (names and app roles gatehouse knows).
func (t *Tx) EnsureWellKnown(ctx context.Context, tid string) error {
	for _, w := range WellKnownResources {
		names := append([]string{w.AppID}, w.Names...)
		if cur, err := t.ServicePrincipalByAppID(ctx, tid, w.AppID); err == nil {
			if slices.Equal(cur.ServicePrincipalNames, names) && len(cur.AppRoles) == len(w.AppRoles) {
				continue
			}
			cur.ServicePrincipalNames, cur.AppRoles = names, nonNilRoles(w.AppRoles)
			if err := store.PutDoc(ctx, t.tx, cur); err != nil {
				return err
			}
			continue
		} else if !IsNotFound(err) {
			return err
		}
		sp := &ServicePrincipal{ID: NewID(), AppID: w.AppID, TenantID: tid, DisplayName: w.DisplayName,
			ServicePrincipalType: SPApplication, ServicePrincipalNames: names,
			AccountEnabled: true, AppOwnerTenantID: MicrosoftTenantID, AppRoles: nonNilRoles(w.AppRoles),
			TokenVersion: w.TokenVersion, CreatedAt: t.now()}
		if err := store.CreateDoc(ctx, t.tx, sp); err != nil {
			return err
		}
	}
	return nil
}

func nonNilRoles(r []AppRole) []AppRole {
	if r == nil {
		return []AppRole{}
	}
	return r
}

// EnsureWellKnownEverywhere runs EnsureWellKnown for every tenant (at start,
// so data directories made by an older gatehouse learn new resources).
func (d *Directory) EnsureWellKnownEverywhere(ctx context.Context) error {
	tenants, err := d.Tenants(ctx)
	if err != nil {
		return err
	}
	return d.Update(ctx, func(tx *Tx) error {
		for _, ten := range tenants {
			if err := tx.EnsureWellKnown(ctx, ten.ID); err != nil {
				return err
			}
		}
		return nil
	})
}
