package arm

import (
	"context"

	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/store"
)

// RekeyResources is ARM's step of authz.Rekey: resources under today's
// keys (management groups under their tenant's root), and every
// subscription placed in its tenant.
func RekeyResources(ctx context.Context, tx store.Tx) error {
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
