package telemetry_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
	"github.com/gatehouse/gatehouse/internal/telemetry"
)

// Repeated failures of one kind, principal, route and address count into
// one record per minute (across flushes), which keeps the first request's
// id; a flood of distinct failures is bounded per minute.
func TestAuthFailuresAreCountedAndBounded(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r := telemetry.NewRecorder(st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	k := telemetry.AuthFailure{Surface: "gateway", Kind: "audience", PrincipalID: "p", TenantID: "t", Unverified: true,
		Via: "token", Route: "POST /x", Scope: "/acct", ClientAddr: "10.0.0.1"}
	r.AddAuthFailure(at, "req-1", k, "why")
	r.AddAuthFailure(at.Add(time.Second), "req-2", k, "why")
	if err := r.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	r.AddAuthFailure(at.Add(2*time.Second), "req-3", k, "why")
	// A flood of distinct claimed principals in the same minute.
	for i := 0; i < 1500; i++ {
		f := k
		f.PrincipalID = "p" + strconv.Itoa(i)
		r.AddAuthFailure(at.Add(3*time.Second), "req-f", f, "why")
	}
	if err := r.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	recs, err := store.ListDocs[telemetry.AuditRecord](ctx, st, store.Query{Kind: telemetry.KindAudit})
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	var first, overflow *telemetry.AuditRecord
	for _, a := range recs {
		total += a.Count
		if a.Allowed || a.AuthFailure != "audience" {
			t.Errorf("record %+v", a)
		}
		switch a.PrincipalID {
		case "p":
			first = a
		case "":
			overflow = a
		}
	}
	if total != 1503 || len(recs) > 1001 {
		t.Errorf("%d records counting %d failures; want at most 1001 records counting 1503", len(recs), total)
	}
	if first == nil || first.Count != 3 || first.RequestID != "req-1" || !first.Time.Equal(at) || !first.PrincipalUnverified ||
		first.ClientAddress != "10.0.0.1" || first.TenantID != "t" {
		t.Errorf("the repeated failure: %+v", first)
	}
	if overflow == nil || overflow.Count < 500 || overflow.Route != "*" {
		t.Errorf("the overflow record: %+v", overflow)
	}
}
