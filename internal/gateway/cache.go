package gateway

import (
	"context"

	"github.com/gatehouse/gatehouse/internal/arm"
	"github.com/gatehouse/gatehouse/internal/directory"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/upstream"
)

// cache holds what every request reads — the account, the deployment or
// project, the keys, the caller's principal, the deployment's upstream —
// decoded, for as long as the store's revision does not change. Any write
// (a deleted principal, a new key, a changed deployment) is seen by the
// very next request.
type cache struct {
	accounts   *store.Memo[*arm.Resource]
	children   *store.Memo[*arm.Resource]
	keys       *store.Memo[*arm.AccountKeys]
	principals *store.Memo[*principal]
	targets    *store.Memo[target]
}

// principal is what the gateway needs of a caller's directory object.
type principal struct {
	typ, tenant, upn, displayName string
	enabled                       bool
}

// target is a deployment's upstream, ready to call.
type target struct {
	cfg *upstream.Config
	t   upstream.Target
}

const cacheEntries = 100_000

func newCache(st store.Store) *cache {
	// Each memo names the kinds it reads: a write of another kind (a
	// secret, a role assignment, telemetry) keeps its entries.
	res := arm.KindResource
	return &cache{accounts: store.NewMemo[*arm.Resource](st, cacheEntries, res), children: store.NewMemo[*arm.Resource](st, cacheEntries, res),
		keys:       store.NewMemo[*arm.AccountKeys](st, cacheEntries, arm.KindAccountKeys),
		principals: store.NewMemo[*principal](st, cacheEntries, directory.KindServicePrincipal, directory.KindUser),
		targets:    store.NewMemo[target](st, cacheEntries, res)}
}

func (s *Service) account(ctx context.Context, sub string) (*arm.Resource, error) {
	return s.cache.accounts.Get(ctx, sub, func() (*arm.Resource, error) { return arm.AccountBySubdomain(ctx, s.st, sub) })
}

func (s *Service) child(ctx context.Context, account *arm.Resource, coll, name string) (*arm.Resource, error) {
	return s.cache.children.Get(ctx, account.ID+"|"+coll+"|"+name, func() (*arm.Resource, error) {
		return arm.Child(ctx, s.st, account, coll, name)
	})
}

func (s *Service) accountKeys(ctx context.Context, accountID string) (*arm.AccountKeys, error) {
	return s.cache.keys.Get(ctx, accountID, func() (*arm.AccountKeys, error) { return arm.Keys(ctx, s.st, accountID) })
}

// principalOf reads a service principal or user by object id.
func (s *Service) principalOf(ctx context.Context, oid string, app bool) (*principal, error) {
	key := "u:" + oid
	if app {
		key = "a:" + oid
	}
	return s.cache.principals.Get(ctx, key, func() (*principal, error) {
		if app {
			sp, err := s.dir.ServicePrincipal(ctx, oid)
			if err != nil {
				return nil, err
			}
			return &principal{typ: "ServicePrincipal", tenant: sp.TenantID, displayName: sp.DisplayName, enabled: sp.AccountEnabled}, nil
		}
		u, err := s.dir.User(ctx, oid)
		if err != nil {
			return nil, err
		}
		return &principal{typ: "User", tenant: u.TenantID, upn: u.UserPrincipalName, displayName: u.DisplayName, enabled: u.AccountEnabled}, nil
	})
}

// targetOf is a deployment's upstream, parsed and connected once.
func (s *Service) targetOf(ctx context.Context, d *arm.Resource) (target, error) {
	return s.cache.targets.Get(ctx, d.ID, func() (target, error) {
		cfg, err := upstreamOf(d)
		if err != nil {
			return target{}, err
		}
		t, err := s.pool.Target(cfg)
		return target{cfg: cfg, t: t}, err
	})
}
