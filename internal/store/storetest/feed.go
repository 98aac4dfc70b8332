package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/gatehouse/gatehouse/internal/store"
)

var feedCases = []testCase{
	{"ChangesListWhatEachCommitWrote", testChangesListWrites},
	{"ChangesOfNothing", testChangesOfNothing},
}

// Changes names every record a commit created, replaced or deleted, with
// the revision the commit made; a failed write and a rolled-back Update
// add nothing.
func testChangesListWrites(t *testing.T, s store.Store) {
	ctx := context.Background()
	r0 := revision(t, s)
	create(t, s, store.Record{Kind: "user", ID: "a", Data: []byte(`{}`)})
	update(t, s, func(tx store.Tx) error {
		if _, err := tx.Put(ctx, store.Record{Kind: "group", ID: "g", Data: []byte(`{}`)}); err != nil {
			return err
		}
		if _, err := tx.Create(ctx, store.Record{Kind: "user", ID: "a"}); !errors.Is(err, store.ErrConflict) {
			t.Errorf("second create: %v", err)
		}
		return tx.Delete(ctx, "user", "a")
	})
	_ = s.Update(ctx, func(tx store.Tx) error {
		if _, err := tx.Put(ctx, store.Record{Kind: "user", ID: "rolled-back"}); err != nil {
			return err
		}
		return errors.New("roll back")
	})
	r2 := revision(t, s)
	got, upTo, err := s.Changes(ctx, r0)
	if err != nil {
		t.Fatalf("Changes: %v", err)
	}
	want := []store.Change{{Rev: r0 + 1, Kind: "user", ID: "a"}, {Rev: r0 + 2, Kind: "group", ID: "g"}, {Rev: r0 + 2, Kind: "user", ID: "a", Deleted: true}}
	if !slices.EqualFunc(got, want, sameChange) || upTo != r2 {
		t.Fatalf("Changes(%d) = %v up to %d, want %v up to %d", r0, got, upTo, want, r2)
	}
	got, _, err = s.Changes(ctx, r0+1)
	if err != nil || !slices.EqualFunc(got, want[1:], sameChange) {
		t.Fatalf("Changes(%d) = %v, %v; want %v", r0+1, got, err, want[1:])
	}
	// Data, when a backend carries it, is what was written.
	if got[0].Data != nil && string(got[0].Data) != "{}" {
		t.Fatalf("Data of a put = %q", got[0].Data)
	}
}

func testChangesOfNothing(t *testing.T, s store.Store) {
	ctx := context.Background()
	update(t, s, func(tx store.Tx) error { _, err := tx.Get(ctx, "user", "nobody"); return ignoreNotFound(err) })
	r := revision(t, s)
	got, upTo, err := s.Changes(ctx, r)
	if err != nil || len(got) != 0 || upTo != r {
		t.Fatalf("Changes(current) = %v up to %d, %v", got, upTo, err)
	}
}

func ignoreNotFound(err error) error {
	if store.IsNotFound(err) {
		return nil
	}
	return err
}

// sameChange compares what every backend must say (Data is optional).
func sameChange(a, b store.Change) bool {
	return a.Rev == b.Rev && a.Kind == b.Kind && a.ID == b.ID && a.Deleted == b.Deleted
}
