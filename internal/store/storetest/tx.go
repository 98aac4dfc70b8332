package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

var txCases = []testCase{
	{"FailingFnRollsBack", testFailingFnRollsBack},
	{"RevisionCountsCommittedWrites", testRevision},
	{"TxSeesOwnWrites", testTxSeesOwnWrites},
	{"Cancellation", testCancellation},
	{"TxUnusableAfterUpdate", testTxUnusableAfterUpdate},
}

func testFailingFnRollsBack(t *testing.T, s store.Store) {
	a := create(t, s, alice())
	c := create(t, s, store.Record{Kind: "user", ID: "u3", Keys: []string{"upn:carol"}})
	rev := revision(t, s)
	ctx := t.Context()

	err := s.Update(ctx, func(tx store.Tx) error {
		if _, err := tx.Create(ctx, store.Record{Kind: "user", ID: "u2", Keys: []string{"upn:bob"}, Refs: []string{"member:g9"}}); err != nil {
			return err
		}
		changed := a
		changed.Keys = []string{"upn:alice2"}
		changed.Refs = []string{"member:g8"}
		changed.Data = []byte("changed")
		changed.Tenant = "t9"
		if _, err := tx.Put(ctx, changed); err != nil {
			return err
		}
		if err := tx.Delete(ctx, "user", "u3"); err != nil {
			return err
		}
		mustGet(t, tx, "user", "u2") // the writes happened…
		return errBoom               // …and are undone
	})
	wantErr(t, "Update", err, errBoom)

	wantNotFound(t, s, "user", "u2")
	wantNoKey(t, s, "user", "upn:bob")
	wantIDs(t, "List ref of rolled-back create", mustList(t, s, store.Query{Kind: "user", Ref: "member:g9"}))
	wantRecord(t, "Get rolled-back put", mustGet(t, s, "user", "u1"), a)
	wantRecord(t, "Lookup old key", mustLookup(t, s, "user", a.Keys[0]), a)
	wantNoKey(t, s, "user", "upn:alice2")
	wantIDs(t, "List ref of rolled-back put", mustList(t, s, store.Query{Kind: "user", Ref: "member:g8"}))
	wantIDs(t, "List old ref", mustList(t, s, store.Query{Kind: "user", Ref: "member:g1"}), "u1")
	wantIDs(t, "List new tenant", mustList(t, s, store.Query{Kind: "user", Tenant: "t9"}))
	wantRecord(t, "Get rolled-back delete", mustGet(t, s, "user", "u3"), c)
	wantRecord(t, "Lookup rolled-back delete", mustLookup(t, s, "user", "upn:carol"), c)
	if got := revision(t, s); got != rev {
		t.Errorf("Revision after rollback = %d, want %d", got, rev)
	}
}

func testRevision(t *testing.T, s store.Store) {
	ctx := t.Context()
	step := func(name string, advances bool, fn func(tx store.Tx) error) {
		t.Helper()
		before := revision(t, s)
		s.Update(ctx, fn) // some steps fail on purpose
		after := revision(t, s)
		switch {
		case advances && after <= before:
			t.Errorf("%s: Revision %d → %d, want an increase", name, before, after)
		case !advances && after != before:
			t.Errorf("%s: Revision %d → %d, want unchanged", name, before, after)
		}
	}
	step("create", true, func(tx store.Tx) error {
		_, err := tx.Create(ctx, alice())
		return err
	})
	step("put", true, func(tx store.Tx) error {
		_, err := tx.Put(ctx, store.Record{Kind: "user", ID: "u2"})
		return err
	})
	step("read-only", false, func(tx store.Tx) error {
		_, err := tx.Get(ctx, "user", "u1")
		if err == nil {
			_, err = tx.List(ctx, store.Query{Kind: "user"})
		}
		return err
	})
	step("empty", false, func(store.Tx) error { return nil })
	step("rolled back", false, func(tx store.Tx) error {
		tx.Create(ctx, store.Record{Kind: "user", ID: "u3"})
		return errBoom
	})
	step("delete", true, func(tx store.Tx) error { return tx.Delete(ctx, "user", "u2") })

	before := revision(t, s)
	mustGet(t, s, "user", "u1")
	mustList(t, s, store.Query{Kind: "user"})
	if got := revision(t, s); got != before {
		t.Errorf("Revision after reads %d → %d, want unchanged", before, got)
	}
}

func testTxSeesOwnWrites(t *testing.T, s store.Store) {
	ctx := t.Context()
	update(t, s, func(tx store.Tx) error {
		a, err := tx.Create(ctx, alice())
		if err != nil {
			return err
		}
		wantRecord(t, "tx.Get", mustGet(t, tx, "user", "u1"), a)
		wantRecord(t, "tx.Lookup", mustLookup(t, tx, "user", a.Keys[0]), a)
		wantIDs(t, "tx.List", mustList(t, tx, store.Query{Kind: "user", Ref: "member:g1"}), "u1")
		// Not committed yet: reads outside see the last committed state.
		wantNotFound(t, s, "user", "u1")
		wantNoKey(t, s, "user", a.Keys[0])

		a.Data = []byte("second")
		a.Keys = []string{"upn:renamed"}
		if a, err = tx.Put(ctx, a); err != nil {
			return err
		}
		wantRecord(t, "tx.Get after Put", mustGet(t, tx, "user", "u1"), a)
		wantNoKey(t, tx, "user", "oid:u1")
		wantRecord(t, "tx.Lookup after Put", mustLookup(t, tx, "user", "upn:renamed"), a)

		if err := tx.Delete(ctx, "user", "u1"); err != nil {
			return err
		}
		wantNotFound(t, tx, "user", "u1")
		wantNoKey(t, tx, "user", "upn:renamed")
		wantIDs(t, "tx.List after Delete", mustList(t, tx, store.Query{Kind: "user"}))
		_, err = tx.Create(ctx, store.Record{Kind: "user", ID: "u1", Data: []byte("third")})
		return err
	})
	if got := mustGet(t, s, "user", "u1"); string(got.Data) != "third" {
		t.Errorf("Get after commit: Data %q, want third", got.Data)
	}
}

// Cancellation must surface as an error (never a panic, never a commit).
func testCancellation(t *testing.T, s store.Store) {
	create(t, s, alice())
	done, cancel := context.WithCancel(t.Context())
	cancel()
	expired, cancel2 := context.WithTimeout(t.Context(), -time.Second)
	defer cancel2()

	for name, ctx := range map[string]context.Context{"cancelled": done, "expired": expired} {
		t.Run(name, func(t *testing.T) {
			if _, err := s.Get(ctx, "user", "u1"); err == nil {
				t.Error("Get: no error")
			}
			if _, err := s.Lookup(ctx, "user", "oid:u1"); err == nil {
				t.Error("Lookup: no error")
			}
			if _, err := s.List(ctx, store.Query{Kind: "user"}); err == nil {
				t.Error("List: no error")
			}
			err := s.Update(ctx, func(tx store.Tx) error {
				_, err := tx.Create(ctx, store.Record{Kind: "user", ID: "c-" + name})
				return err
			})
			if err == nil {
				t.Error("Update: no error")
			}
			wantNotFound(t, s, "user", "c-"+name)
		})
	}

	t.Run("during fn", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		err := s.Update(ctx, func(tx store.Tx) error {
			if _, err := tx.Create(ctx, store.Record{Kind: "user", ID: "during-1"}); err != nil {
				return err
			}
			cancel()
			// Whatever fn makes of the cancelled calls, nothing commits.
			tx.Create(ctx, store.Record{Kind: "user", ID: "during-2"})
			tx.Get(ctx, "user", "during-1")
			return nil
		})
		if err == nil {
			t.Error("Update: no error")
		}
		wantNotFound(t, s, "user", "during-1")
		wantNotFound(t, s, "user", "during-2")
	})

	// The store still works afterwards.
	create(t, s, store.Record{Kind: "user", ID: "after"})
}

// A Tx kept past its Update must fail, not write outside any transaction.
func testTxUnusableAfterUpdate(t *testing.T, s store.Store) {
	ctx := t.Context()
	var leaked store.Tx
	update(t, s, func(tx store.Tx) error {
		leaked = tx
		_, err := tx.Create(ctx, alice())
		return err
	})
	if _, err := leaked.Create(ctx, store.Record{Kind: "user", ID: "late"}); err == nil {
		t.Error("Create on a finished Tx: no error")
	}
	if err := leaked.Delete(ctx, "user", "u1"); err == nil {
		t.Error("Delete on a finished Tx: no error")
	}
	wantNotFound(t, s, "user", "late")
	mustGet(t, s, "user", "u1")
}
