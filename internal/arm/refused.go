package arm

import (
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/gatehouse/gatehouse/internal/authfail"
	"github.com/gatehouse/gatehouse/internal/reqid"
	"github.com/gatehouse/gatehouse/internal/telemetry"
)

// refused logs a refused authentication at debug and records it in the
// audit trail; err is returned as is (asARMError renders it).
func (s *Service) refused(r *http.Request, err error) error {
	f, ok := authfail.As(err)
	if !ok {
		return err
	}
	route := r.Method + " " + r.URL.Path // no query: it may hold secrets
	addr := ClientAddr(r)
	if s.log.Enabled(r.Context(), slog.LevelDebug) {
		s.log.DebugContext(r.Context(), "authentication refused", "surface", "arm", "kind", string(f.Kind), "reason", f.Reason,
			"principal", f.PrincipalID, "tenant", f.TenantID, "unverified", f.Unverified, "route", route, "client", addr,
			"request_id", reqid.From(r.Context()))
	}
	if s.Recorder != nil {
		via := "token"
		if f.Kind == authfail.Missing {
			via = ""
		}
		s.Recorder.AddAuthFailure(time.Now(), reqid.From(r.Context()), telemetry.AuthFailure{Surface: "arm", Kind: string(f.Kind),
			PrincipalID: f.PrincipalID, TenantID: f.TenantID, Unverified: f.Unverified, Via: via, Route: route, ClientAddr: addr}, f.Reason)
	}
	return err
}

// ClientAddr is the peer's IP address (not a forwarded header, which the
// client writes).
func ClientAddr(r *http.Request) string {
	if h, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return h
	}
	return r.RemoteAddr
}
