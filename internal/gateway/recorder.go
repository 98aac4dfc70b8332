package gateway

import (
	"time"

	"github.com/gatehouse/gatehouse/internal/telemetry"
)

// audit records a decision of the gateway; reason is asked for only when
// a record is made (allowed decisions are counted per minute).
func (s *Service) audit(rq *request, allowed bool, reason func() string) {
	if s.rec == nil {
		return
	}
	via, pid := "token", rq.caller.principalID
	if rq.caller.key {
		via, pid = "key", "key"
	}
	now := time.Now()
	if allowed {
		s.rec.AddAllowed(now, telemetry.Allowed{PrincipalID: pid, PrincipalType: rq.caller.principalType, Via: via,
			Action: rq.route.Action, Scope: rq.scope, Route: rq.route.label()}, reason)
		return
	}
	s.rec.AddAudit(&telemetry.AuditRecord{ID: telemetry.AuditID(now), Time: now.UTC(), RequestID: rq.id, PrincipalID: pid,
		PrincipalType: rq.caller.principalType, Via: via, Action: rq.route.Action, Scope: rq.scope,
		Reason: reason(), Route: rq.route.label()})
}

// recordUsage adds a call's tokens to its deployment's and principal's totals.
func (s *Service) recordUsage(rq *request, u usage) {
	s.metrics.tokens(rq, u)
	if s.rec == nil || rq.deployment == nil {
		return
	}
	pid := rq.caller.principalID
	if rq.caller.key {
		pid = "key"
	}
	s.rec.AddUsage(rq.deployment.ID, pid, u.Prompt, u.Completion)
}
