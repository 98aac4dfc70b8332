package arm

import (
	"context"

	"github.com/gatehouse/gatehouse/internal/fold"
	"github.com/gatehouse/gatehouse/internal/store"
)

// checkTenant refuses a token from another tenant than the one owning the
// subscription addressed, as Azure does, and an unknown subscription. Management groups and the root
// "/" need no check: they are always resolved in the caller's own tenant
// (the store keys and the engine place them under it), so another
// tenant's management group of the same name is simply another object.
func (s *Service) checkTenant(ctx context.Context, p *Principal, o *op) error {
	if o.id == nil || o.id.SubscriptionID == "" {
		return nil
	}
	owner, err := subscriptionTenant(ctx, s.st, o.id.SubscriptionID)
	if store.IsNotFound(err) {
		return errSubscriptionNotFound(o.id.SubscriptionID) // before authorization, as ARM
	}
	if err != nil {
		return err
	}
	if fold.Equal(owner, p.TenantID) {
		return nil
	}
	return surface.Tenant(p.ObjectID, p.TenantID, owner)
}
