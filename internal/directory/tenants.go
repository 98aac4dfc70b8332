package directory

import (
	"context"
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

// EnsureWellKnown creates any missing well-known resource principal.
func (t *Tx) EnsureWellKnown(ctx context.Context, tid string) error {
	for _, w := range WellKnownResources {
		if _, err := t.ServicePrincipalByAppID(ctx, tid, w.AppID); err == nil {
			continue
		} else if !IsNotFound(err) {
			return err
		}
		sp := &ServicePrincipal{ID: NewID(), AppID: w.AppID, TenantID: tid, DisplayName: w.DisplayName,
			ServicePrincipalType: SPApplication, ServicePrincipalNames: append([]string{w.AppID}, w.Names...),
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
