package arm

import (
	"context"

	"github.com/gatehouse/gatehouse/internal/armid"
	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/fold"
	"github.com/gatehouse/gatehouse/internal/store"
)

// AccountBySubdomain finds a Cognitive Services account by its custom
// subdomain (the data plane's host name or /accounts/{name} prefix).
func AccountBySubdomain(ctx context.Context, rd store.Reader, sub string) (*Resource, error) {
	sr, err := store.LookupDoc[storedResource](ctx, rd, KindResource, "subdomain:"+fold.String(sub))
	if err != nil {
		return nil, err
	}
	sr.Resource.TenantID = sr.Tenant
	return &sr.Resource, nil
}

// Child reads the child resource (deployments or projects) of an account,
// in the account's tenant.
func Child(ctx context.Context, rd store.Reader, account *Resource, collection, name string) (*Resource, error) {
	return getResource(ctx, rd, account.TenantID, account.ID+"/"+collection+"/"+name)
}

// Deployments lists an account's deployments.
func Deployments(ctx context.Context, rd store.Reader, account *Resource) ([]*Resource, error) {
	id, err := armid.Parse(account.ID)
	if err != nil {
		return nil, err
	}
	return children(ctx, rd, account.TenantID, id, typeDeployment)
}

// Keys reads an account's keys.
func Keys(ctx context.Context, rd store.Reader, accountID string) (*AccountKeys, error) {
	return store.GetDoc[AccountKeys](ctx, rd, KindAccountKeys, authz.ScopeKey("", accountID))
}

// Prop reads a string property.
func (r *Resource) Prop(name string) string {
	s, _ := r.Properties[name].(string)
	return s
}

// Flag reads a boolean property.
func (r *Resource) Flag(name string) bool {
	b, _ := r.Properties[name].(bool)
	return b
}
