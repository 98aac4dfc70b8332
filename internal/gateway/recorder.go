package gateway

import (
	"time"

	"github.com/gatehouse/gatehouse/internal/telemetry"
)

// audit records a decision of the gateway.
func (s *Service) audit(rq *request, allowed bool, reason string) {
	if s.rec == nil {
		return
	}
	via, pid := "token", rq.caller.principalID
	if rq.caller.key {
		via, pid = "key", "key"
	}
	now := time.Now()
	s.rec.AddAudit(&telemetry.AuditRecord{ID: telemetry.AuditID(now), Time: now.UTC(), RequestID: rq.id, PrincipalID: pid,
		PrincipalType: rq.caller.principalType, Via: via, Action: rq.route.Action, Scope: rq.scope,
		Allowed: allowed, Reason: reason, Route: rq.route.Method + " " + rq.route.Template})
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
