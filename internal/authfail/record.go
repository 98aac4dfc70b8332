package authfail

import (
	"context"
	"log/slog"
	"time"

	"github.com/gatehouse/gatehouse/internal/telemetry"
)

// Record logs a refusal at debug and keeps it in the audit trail (rec may
// be nil): one place for every surface. at names where it happened —
// Surface, Route, Scope and ClientAddr; the rest comes from f. Never the
// credential itself.
func Record(ctx context.Context, log *slog.Logger, rec *telemetry.Recorder, reqID string, f *Failure, at telemetry.AuthFailure) {
	at.Kind, at.PrincipalID, at.TenantID, at.Unverified, at.Via = string(f.Kind), f.PrincipalID, f.TenantID, f.Unverified, Via(f.Kind)
	if log != nil && log.Enabled(ctx, slog.LevelDebug) {
		log.DebugContext(ctx, "authentication refused", "surface", at.Surface, "kind", at.Kind, "reason", f.Reason,
			"principal", at.PrincipalID, "tenant", at.TenantID, "unverified", at.Unverified, "route", at.Route,
			"scope", at.Scope, "client", at.ClientAddr, "request_id", reqID)
	}
	if rec != nil {
		rec.AddAuthFailure(time.Now(), reqID, at, f.Reason)
	}
}

// Via is the credential a refused request carried.
func Via(k Kind) string {
	switch k {
	case Missing:
		return ""
	case BadKey, KeyDisabled:
		return "key"
	}
	return "token"
}
