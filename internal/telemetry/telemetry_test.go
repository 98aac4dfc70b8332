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
