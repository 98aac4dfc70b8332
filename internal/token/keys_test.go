package token_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/store/sqlite"
	"github.com/gatehouse/gatehouse/internal/token"
)

// TestKeysReplicas: replicas sharing a store agree on the keys; rotating at
// the same moment creates one generation, not one per replica.
func TestKeysReplicas(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "keys.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	policy := token.Policy{RotateEvery: time.Hour, Prepublish: 10 * time.Minute, TokenLifetime: 30 * time.Minute}
	now := time.Now()
	clock := func() time.Time { return now }

	a, b := token.NewKeys(st, policy), token.NewKeys(st, policy)
	a.SetClock(clock)
	b.SetClock(clock)
	if _, err := a.Active(ctx); err == nil {
		t.Error("Active succeeded before any Rotate")
	}
	rotateBoth := func() {
		t.Helper()
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, k := range []*token.Keys{a, b} {
			wg.Add(1)
			go func() { defer wg.Done(); errs[i] = k.Rotate(ctx) }()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	rotateBoth()
	pa, _ := a.Published(ctx)
	pb, _ := b.Published(ctx)
	if len(pa) != 1 || len(pb) != 1 || pa[0].ID != pb[0].ID {
		t.Fatalf("after the first rotation: %d and %d keys", len(pa), len(pb))
	}
	now = now.Add(55 * time.Minute)
	rotateBoth()
	pa, _ = a.Published(ctx)
	if len(pa) != 2 || pa[1].Generation != 2 {
		t.Fatalf("after the second rotation: %d keys", len(pa))
	}
	ka, _ := a.Active(ctx)
	kb, _ := b.Active(ctx)
	if ka.ID != pa[0].ID || kb.ID != ka.ID {
		t.Errorf("during prepublish the replicas sign with %s and %s, want the old key %s", ka.ID, kb.ID, pa[0].ID)
	}
	if !pa[0].RetireAt.Equal(pa[1].ActiveFrom) {
		t.Errorf("old key RetireAt %v, want the new key's ActiveFrom %v", pa[0].RetireAt, pa[1].ActiveFrom)
	}
	now = pa[1].ActiveFrom
	if k, _ := b.Active(ctx); k.ID != pa[1].ID {
		t.Errorf("at ActiveFrom the replica signs with %s, want %s", k.ID, pa[1].ID)
	}
	if _, err := a.ByID(ctx, "unknown"); err == nil {
		t.Error("ByID found an unknown kid")
	}
}
