package sts

import (
	"context"
	"strings"

	"github.com/gatehouse/gatehouse/internal/directory"
	"github.com/gatehouse/gatehouse/internal/store"
)

// reads caches the directory lookups every token request makes, decoded,
// until a record of their kind changes (store.Memo): a
// changed secret, a deleted client or a revoked app role is seen by the very
// next request. The cached objects are only read here.
type reads struct {
	dir     *directory.Directory
	tenants *store.Memo[*directory.Tenant]
	apps    *store.Memo[*directory.Application]
	sps     *store.Memo[*directory.ServicePrincipal]
	grants  *store.Memo[[]*directory.AppRoleAssignment]
}

const readEntries = 100_000

func newReads(dir *directory.Directory) *reads {
	st := dir.Store()
	// Each memo names the kinds it reads: a write of another kind keeps
	// its entries.
	return &reads{dir: dir, tenants: store.NewMemo[*directory.Tenant](st, readEntries, directory.KindTenant),
		apps:   store.NewMemo[*directory.Application](st, readEntries, directory.KindApplication),
		sps:    store.NewMemo[*directory.ServicePrincipal](st, readEntries, directory.KindServicePrincipal),
		grants: store.NewMemo[[]*directory.AppRoleAssignment](st, readEntries, directory.KindAppRoleAssignment)}
}

func (r *reads) tenant(ctx context.Context, idOrDomain string) (*directory.Tenant, error) {
	return r.tenants.Get(ctx, strings.ToLower(idOrDomain), func() (*directory.Tenant, error) { return r.dir.Tenant(ctx, idOrDomain) })
}

func (r *reads) app(ctx context.Context, appID string) (*directory.Application, error) {
	return r.apps.Get(ctx, strings.ToLower(appID), func() (*directory.Application, error) { return r.dir.ApplicationByAppID(ctx, appID) })
}

func (r *reads) servicePrincipal(ctx context.Context, tid, appID string) (*directory.ServicePrincipal, error) {
	return r.sps.Get(ctx, "app|"+tid+"|"+strings.ToLower(appID), func() (*directory.ServicePrincipal, error) {
		return r.dir.ServicePrincipalByAppID(ctx, tid, appID)
	})
}

func (r *reads) resource(ctx context.Context, tid, name string) (*directory.ServicePrincipal, error) {
	return r.sps.Get(ctx, "res|"+tid+"|"+directory.NormalizeName(name), func() (*directory.ServicePrincipal, error) {
		return r.dir.ResourceByName(ctx, tid, name)
	})
}

func (r *reads) appRoleAssignments(ctx context.Context, principal string) ([]*directory.AppRoleAssignment, error) {
	return r.grants.Get(ctx, principal, func() ([]*directory.AppRoleAssignment, error) { return r.dir.AppRoleAssignmentsOf(ctx, principal) })
}
