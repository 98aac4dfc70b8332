package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
)

func TestMemoFollowsRevision(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	m := store.NewMemo[string](st, 10)
	loads := 0
	get := func() string {
		v, err := m.Get(ctx, "k", func() (string, error) {
			loads++
			rec, err := st.Get(ctx, "doc", "k")
			return string(rec.Data), err
		})
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			t.Fatal(err)
		}
		return v
	}
	put := func(v string) {
		if err := st.Update(ctx, func(tx store.Tx) error {
			_, err := tx.Put(ctx, store.Record{Kind: "doc", ID: "k", Data: []byte(v)})
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	if get() != "" || get() != "" || loads != 1 {
		t.Fatalf("a missing record is remembered until a write: %d loads", loads)
	}
	put("one")
	if v := get(); v != "one" {
		t.Fatalf("after a write: %q", v)
	}
	if get(); loads != 2 {
		t.Fatalf("hit expected: %d loads", loads)
	}
	put("two")
	if v := get(); v != "two" || loads != 3 {
		t.Fatalf("stale after a write: %q (%d loads)", v, loads)
	}
}

// A memo given its kinds keeps its entries across writes of other kinds
// and drops them on a write of its own.
func TestMemoKeepsEntriesAcrossOtherKinds(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	m := store.NewMemo[string](st, 10, "doc")
	loads := 0
	get := func() string {
		v, _ := m.Get(ctx, "k", func() (string, error) {
			loads++
			rec, err := st.Get(ctx, "doc", "k")
			return string(rec.Data), err
		})
		return v
	}
	put := func(kind store.Kind, v string) {
		if err := st.Update(ctx, func(tx store.Tx) error {
			_, err := tx.Put(ctx, store.Record{Kind: kind, ID: "k", Data: []byte(v)})
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	put("doc", "one")
	get()
	for i := range 5 {
		put("other", string(rune('a'+i)))
		if v := get(); v != "one" || loads != 1 {
			t.Fatalf("after a write of another kind: %q, %d loads", v, loads)
		}
	}
	put("doc", "two")
	if v := get(); v != "two" || loads != 2 {
		t.Fatalf("after a write of its kind: %q, %d loads", v, loads)
	}
}
