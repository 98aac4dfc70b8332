package gateway

import (
	"github.com/gatehouse/gatehouse/internal/arm"
	"github.com/gatehouse/gatehouse/internal/authfail"
	"github.com/gatehouse/gatehouse/internal/telemetry"
)

// refused logs a refused authentication at debug and records it in the
// audit trail; err is returned as is (writeError renders it). It runs only
// for refusals, never on an allowed request's path.
func (s *Service) refused(rq *request, err error) error {
	if f, ok := authfail.As(err); ok {
		authfail.Record(rq.r.Context(), s.log, s.rec, rq.id, f, telemetry.AuthFailure{Surface: "gateway",
			Route: rq.route.label(), Scope: rq.account.ID, ClientAddr: arm.ClientAddr(rq.r)})
	}
	return err
}
