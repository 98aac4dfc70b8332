package arm

import (
	"context"
	"strings"

	"github.com/gatehouse/gatehouse/internal/store"
)

// checkTenant refuses a token from another tenant than the one owning the
// subscription (or management group) addressed, as Azure does: the root
// scope "/" is every tenant's own, so Owner at "/" in one tenant grants
// nothing in another.
func (s *Service) checkTenant(ctx context.Context, p *Principal, o *op) error {
	owner := ""
	switch {
	case o.id == nil:
		return nil
	case o.id.SubscriptionID != "":
		owner = "/subscriptions/" + o.id.SubscriptionID
	case o.id.ManagementGroupName != "":
		owner = mgPrefix + o.id.ManagementGroupName
	default:
		return nil
	}
	r, err := getResource(ctx, s.st, owner)
	if store.IsNotFound(err) {
		return nil // the handler answers SubscriptionNotFound / ResourceNotFound
	}
	if err != nil {
		return err
	}
	if r.TenantID == "" || strings.EqualFold(r.TenantID, p.TenantID) {
		return nil
	}
	what := "subscription"
	if o.id.SubscriptionID == "" {
		what = "management group"
	}
	return armErr(401, "InvalidAuthenticationTokenTenant",
		"The access token is from the wrong issuer 'https://sts.windows.net/%s/'. It must match the tenant 'https://sts.windows.net/%s/' associated with this %s. Please use the authority (URL) 'https://login.windows.net/%s' to get the token.",
		p.TenantID, r.TenantID, what, r.TenantID)
}
