package arm

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/directory"
	"github.com/gatehouse/gatehouse/internal/fold"
	"github.com/gatehouse/gatehouse/internal/store"
)

// RekeyResources is ARM's step of authz.Rekey: resources under today's
// keys (management groups under their tenant's root), and every
// subscription placed in its tenant.
func RekeyResources(ctx context.Context, tx store.Tx) error {
	if err := adoptOwnedIdentities(ctx, tx); err != nil {
		return err
	}
	if err := authz.RekeyKind[storedResource](ctx, tx, KindResource); err != nil {
		return err
	}
	subs, err := store.ListDocs[storedResource](ctx, tx, store.Query{Kind: KindResource, Ref: "type:microsoft.resources/subscriptions"})
	if err != nil {
		return err
	}
	for _, sub := range subs {
		if err := placeAtRoot(ctx, tx, sub.Tenant, sub.ID); err != nil {
			return err
		}
	}
	return nil
}

// adoptOwnedIdentities records, for resources written before ownership was
// kept, the system-assigned principal they own: one whose identity block
// names a managed identity made for that very resource.
func adoptOwnedIdentities(ctx context.Context, tx store.Tx) error {
	rs, err := store.ListDocs[storedResource](ctx, tx, store.Query{Kind: KindResource})
	if err != nil {
		return err
	}
	for _, r := range rs {
		var id identityView
		if r.Owned != "" || len(r.Identity) == 0 || json.Unmarshal(r.Identity, &id) != nil || id.PrincipalID == "" {
			continue
		}
		sp, err := store.GetDoc[directory.ServicePrincipal](ctx, tx, directory.KindServicePrincipal, fold.String(id.PrincipalID))
		if err != nil || sp.ServicePrincipalType != directory.SPManagedIdentity ||
			!slices.ContainsFunc(sp.ServicePrincipalNames, func(n string) bool { return fold.Equal(n, r.ID) }) {
			continue
		}
		r.Owned = sp.ID
		if err := store.PutDoc(ctx, tx, r); err != nil {
			return err
		}
	}
	return nil
}
