package arm

import (
	"context"
	"strings"

	"github.com/gatehouse/gatehouse/internal/fold"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/telemetry"
)

// Telemetry is kept in one store for the whole server; a tenant reads only
// its own. A record belongs to the tenant of the subscription it is about
// (its deployment, account or the path refused); else to the tenant a
// refused token claimed; else (a request with no token and no
// subscription) to the operator's tenant. A tenant also sees the refusals
// of its own verified principals elsewhere.
type telemetryOwners struct {
	s    *Service
	ctx  context.Context
	subs map[string]string // subscription id → tenant, per call
}

func (s *Service) owners(c *call) *telemetryOwners {
	return &telemetryOwners{s: s, ctx: c.ctx, subs: map[string]string{}}
}

// subscriptionOf is the subscription id of an id or path, folded; "" if none.
func subscriptionOf(id string) string {
	k := fold.String(id)
	i := strings.Index(k, "/subscriptions/")
	if i < 0 {
		return ""
	}
	sub, _, _ := strings.Cut(k[i+len("/subscriptions/"):], "/")
	return sub
}

func (o *telemetryOwners) tenantOfSubscription(sub string) string {
	if t, ok := o.subs[sub]; ok {
		return t
	}
	t, err := subscriptionTenant(o.ctx, o.s.st, sub)
	if err != nil && !store.IsNotFound(err) {
		t = "" // unreadable: treated as unowned, which only the operator sees
	}
	o.subs[sub] = t
	return t
}

func (o *telemetryOwners) owner(about, claimed string) string {
	if sub := subscriptionOf(about); sub != "" {
		if t := o.tenantOfSubscription(sub); t != "" {
			return t
		}
	}
	if claimed != "" {
		return claimed
	}
	return o.s.OperatorTenant
}

func (o *telemetryOwners) auditVisible(r *telemetry.AuditRecord, tenant string) bool {
	about := r.Scope
	if about == "" {
		about = r.Route
	}
	if fold.Equal(o.owner(about, r.TenantID), tenant) {
		return true
	}
	return r.AuthFailure != "" && !r.PrincipalUnverified && fold.Equal(r.TenantID, tenant)
}

func (o *telemetryOwners) usageVisible(r *telemetry.UsageRecord, tenant string) bool {
	return fold.Equal(o.owner(r.DeploymentID, ""), tenant)
}
