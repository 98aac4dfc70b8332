package storetest

import (
	"testing"

	"github.com/gatehouse/gatehouse/internal/store"
)

// RunDurability checks that committed state outlives the store: it writes
// through open's store, closes it, and expects reopen (same data, new
// store) to hold exactly that state with a Revision that has not gone
// back. RunDurability closes both stores.
func RunDurability(t *testing.T, open, reopen func(t *testing.T) store.Store) {
	t.Helper()
	s := open(t)
	ctx := t.Context()
	a := create(t, s, alice())
	a.Data = []byte("second")
	a = put(t, s, a)
	create(t, s, store.Record{Kind: "user", ID: "gone", Keys: []string{"upn:gone"}})
	update(t, s, func(tx store.Tx) error { return tx.Delete(ctx, "user", "gone") })
	s.Update(ctx, func(tx store.Tx) error { // rolled back: must not reappear
		tx.Create(ctx, store.Record{Kind: "user", ID: "never"})
		return errBoom
	})
	rev := revision(t, s)
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s = reopen(t)
	defer func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	}()
	wantRecord(t, "Get after reopen", mustGet(t, s, "user", "u1"), a)
	wantRecord(t, "Lookup after reopen", mustLookup(t, s, "user", a.Keys[0]), a)
	wantIDs(t, "List after reopen", mustList(t, s, store.Query{Kind: "user", Ref: "member:g1"}), "u1")
	wantNotFound(t, s, "user", "gone")
	wantNoKey(t, s, "user", "upn:gone")
	wantNotFound(t, s, "user", "never")
	if got := revision(t, s); got < rev {
		t.Errorf("Revision after reopen = %d, was %d", got, rev)
	}

	// Writing carries on from there.
	a.Data = []byte("third")
	b := put(t, s, a)
	if b.Version <= a.Version {
		t.Errorf("Version after reopen: %d, want > %d", b.Version, a.Version)
	}
	if got := revision(t, s); got <= rev {
		t.Errorf("Revision after a write = %d, want > %d", got, rev)
	}
}
