package telemetry_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
	"github.com/gatehouse/gatehouse/internal/telemetry"
)

func TestRecorder(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r := telemetry.NewRecorder(st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	now := time.Now()
	decide := func(allowed bool) {
		r.AddAudit(&telemetry.AuditRecord{ID: telemetry.AuditID(now), Time: now, PrincipalID: "p", Via: "token",
			Action: "a", Scope: "/s", Allowed: allowed, Route: "POST /x"})
	}
	for i := 0; i < 5; i++ {
		decide(true)
	}
	decide(false)
	r.AddUsage("/dep", "p", 3, 4)
	r.AddUsage("/dep", "p", 1, 1)
	if err := r.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	decide(true) // same minute, next flush: merged
	if err := r.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	recs, err := store.ListDocs[telemetry.AuditRecord](ctx, st, store.Query{Kind: telemetry.KindAudit})
	if err != nil {
		t.Fatal(err)
	}
	var allowed, denied int64
	for _, a := range recs {
		if a.Allowed {
			allowed += a.Count
		} else {
			denied += a.Count
		}
	}
	if len(recs) != 2 || allowed != 6 || denied != 1 {
		t.Errorf("%d records, %d allowed, %d denied: want 2 records, 6 allowed (one counted record), 1 denied", len(recs), allowed, denied)
	}
	u, err := store.ListDocs[telemetry.UsageRecord](ctx, st, store.Query{Kind: telemetry.KindUsage})
	if err != nil || len(u) != 1 || u[0].Requests != 2 || u[0].PromptTokens != 4 || u[0].CompletionTokens != 5 {
		t.Errorf("usage: %+v %v", u, err)
	}
}

// PurgeAudit deletes the records of decisions before the cutoff, in
// batches, and keeps the rest and the usage totals.
func TestPurgeAudit(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r := telemetry.NewRecorder(st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	now := time.Now().UTC()
	old, recent := now.Add(-100*24*time.Hour), now.Add(-time.Hour)
	for i := 0; i < 2500; i++ { // more than one purge batch
		at := old.Add(time.Duration(i) * time.Second)
		r.AddAudit(&telemetry.AuditRecord{ID: telemetry.AuditID(at), Time: at, PrincipalID: "p", Via: "token", Action: "a", Scope: "/s"})
	}
	r.AddAudit(&telemetry.AuditRecord{ID: telemetry.AuditID(recent), Time: recent, PrincipalID: "p", Via: "token", Action: "a", Scope: "/s"})
	r.AddAllowed(old, telemetry.Allowed{PrincipalID: "p", Via: "token", Action: "a", Scope: "/s", Route: "POST /x"}, func() string { return "r" })
	r.AddAllowed(recent, telemetry.Allowed{PrincipalID: "p", Via: "token", Action: "a", Scope: "/s", Route: "POST /x"}, func() string { return "r" })
	r.AddUsage("/dep", "p", 1, 1)
	if err := r.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	n, err := r.PurgeAudit(ctx, now.Add(-90*24*time.Hour))
	if err != nil || n != 2501 {
		t.Fatalf("purged %d, %v; want 2501 (2500 denials and one counted minute)", n, err)
	}
	left, err := store.ListDocs[telemetry.AuditRecord](ctx, st, store.Query{Kind: telemetry.KindAudit})
	if err != nil || len(left) != 2 {
		t.Fatalf("%d records left, %v; want the 2 recent ones", len(left), err)
	}
	for _, a := range left {
		if a.Time.Before(now.Add(-2 * time.Hour)) {
			t.Errorf("an old record was kept: %+v", a)
		}
	}
	if u, _ := store.ListDocs[telemetry.UsageRecord](ctx, st, store.Query{Kind: telemetry.KindUsage}); len(u) != 1 {
		t.Errorf("usage totals: %d, want 1 kept", len(u))
	}
}
