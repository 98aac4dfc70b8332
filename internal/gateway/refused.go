package gateway

import (
	"log/slog"
	"time"

	"github.com/gatehouse/gatehouse/internal/arm"
	"github.com/gatehouse/gatehouse/internal/authfail"
	"github.com/gatehouse/gatehouse/internal/telemetry"
)

// refused logs a refused authentication at debug and records it in the
// audit trail; err is returned as is (writeError renders it). It runs only
// for refusals, never on an allowed request's path.
func (s *Service) refused(rq *request, err error) error {
	f, ok := authfail.As(err)
	if !ok {
		return err
	}
	ctx := rq.r.Context()
	route, addr := rq.route.label(), arm.ClientAddr(rq.r)
	if s.log.Enabled(ctx, slog.LevelDebug) {
		s.log.DebugContext(ctx, "authentication refused", "surface", "gateway", "kind", string(f.Kind), "reason", f.Reason,
			"principal", f.PrincipalID, "tenant", f.TenantID, "unverified", f.Unverified, "route", route,
			"account", rq.account.ID, "client", addr, "request_id", rq.id)
	}
	if s.rec != nil {
		s.rec.AddAuthFailure(time.Now(), rq.id, telemetry.AuthFailure{Surface: "gateway", Kind: string(f.Kind),
			PrincipalID: f.PrincipalID, TenantID: f.TenantID, Unverified: f.Unverified, Via: via(f.Kind),
			Route: route, Scope: rq.account.ID, ClientAddr: addr}, f.Reason)
	}
	return err
}

// via is the credential a refused request carried.
func via(k authfail.Kind) string {
	switch k {
	case authfail.Missing:
		return ""
	case authfail.BadKey, authfail.KeyDisabled:
		return "key"
	}
	return "token"
}
