package arm

import (
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/fold"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/telemetry"
)

// gatehouse's own read APIs over the gateway's telemetry: recorded usage and
// the audit trail of decisions. Reading them needs what reading role
// assignments at the root needs (the bootstrap administrator has it).
const (
	typeUsageRecords = "Gatehouse/usage"
	typeAuditRecords = "Gatehouse/audit"
)

func (s *Service) registerTelemetry() {
	read := "Microsoft.Authorization/roleAssignments/read"
	s.handle(opList, typeUsageRecords, "GET", "", route{action: read, versions: versionsGatehouse, fn: s.listUsage})
	s.handle(opList, typeAuditRecords, "GET", "", route{action: read, versions: versionsGatehouse, fn: s.listAudit})
}

func (s *Service) listUsage(c *call) (int, any, error) {
	if s.Telemetry == nil {
		return 200, list{Value: []any{}}, nil
	}
	q := store.Query{Kind: telemetry.KindUsage}
	if p := c.r.URL.Query().Get("principalId"); p != "" {
		q.Ref = "principal:" + fold.String(p)
	}
	recs, err := store.ListDocs[telemetry.UsageRecord](c.ctx, s.Telemetry, q)
	if err != nil {
		return 0, nil, err
	}
	d := fold.String(c.r.URL.Query().Get("deployment"))
	owners, kept := s.owners(c), recs[:0]
	for _, r := range recs {
		if d != "" && !strings.HasSuffix(fold.String(r.DeploymentID), "/"+d) && !fold.Equal(r.DeploymentID, d) {
			continue
		}
		if owners.usageVisible(r, c.p.TenantID) {
			kept = append(kept, r)
		}
	}
	return 200, list{Value: kept}, nil
}

// listAudit serves the audit trail, newest first, filtered by principal,
// outcome and time, at most $top records (default 100).
func (s *Service) listAudit(c *call) (int, any, error) {
	if s.Telemetry == nil {
		return 200, list{Value: []any{}}, nil
	}
	qs := c.r.URL.Query()
	q := store.Query{Kind: telemetry.KindAudit}
	if p := qs.Get("principalId"); p != "" {
		q.Ref = "principal:" + fold.String(p)
	}
	top := 100
	if t, err := strconv.Atoi(qs.Get("$top")); err == nil && t > 0 && t <= 10000 {
		top = t
	}
	var since time.Time
	if v := qs.Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return 0, nil, errBadRequest("InvalidQueryParameterValue", "since must be an RFC 3339 time, not '%s'.", v)
		}
		since = t
	}
	recs, err := store.ListDocs[telemetry.AuditRecord](c.ctx, s.Telemetry, q)
	if err != nil {
		return 0, nil, err
	}
	out := []*telemetry.AuditRecord{}
	owners := s.owners(c)
	for i := len(recs) - 1; i >= 0 && len(out) < top; i-- {
		r := recs[i]
		if r.Time.Before(since) || (qs.Get("denied") == "true" && r.Allowed) || !owners.auditVisible(r, c.p.TenantID) {
			continue
		}
		out = append(out, r)
	}
	return 200, list{Value: out}, nil
}
