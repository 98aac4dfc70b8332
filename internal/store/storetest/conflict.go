package storetest

import (
	"testing"

	"github.com/gatehouse/gatehouse/internal/store"
)

var conflictCases = []testCase{
	{"CreateTakenID", testCreateTakenID},
	{"CreateTakenKey", testCreateTakenKey},
	{"PutTakenKey", testPutTakenKey},
	{"PutKeepsOwnKeys", testPutKeepsOwnKeys},
	{"FailedWriteLeavesTxUsable", testFailedWriteLeavesTxUsable},
	{"KeyFreedInTxIsReusable", testKeyFreedInTxIsReusable},
	{"RepeatedKeysAndRefs", testRepeatedKeysAndRefs},
}

func testCreateTakenID(t *testing.T, s store.Store) {
	orig := create(t, s, alice())
	dup := store.Record{Kind: "user", ID: "u1", Keys: []string{"upn:other"}, Data: []byte("other")}
	wantErr(t, "Create taken id", tryCreate(t, s, dup), store.ErrConflict)
	wantRecord(t, "Get original", mustGet(t, s, "user", "u1"), orig)
	wantNoKey(t, s, "user", "upn:other")
}

func testCreateTakenKey(t *testing.T, s store.Store) {
	orig := create(t, s, alice())
	b := store.Record{Kind: "user", ID: "u2", Keys: []string{"upn:bob", orig.Keys[0]}, Refs: []string{"member:g9"}}
	wantErr(t, "Create with taken key", tryCreate(t, s, b), store.ErrConflict)
	wantNotFound(t, s, "user", "u2")
	wantNoKey(t, s, "user", "upn:bob")
	wantIDs(t, "List ref of failed create", mustList(t, s, store.Query{Kind: "user", Ref: "member:g9"}))
	wantRecord(t, "Lookup original", mustLookup(t, s, "user", orig.Keys[0]), orig)
}

func testPutTakenKey(t *testing.T, s store.Store) {
	a := create(t, s, alice())
	b := create(t, s, store.Record{Kind: "user", ID: "u2", Keys: []string{"upn:bob"}, Refs: []string{"member:g9"}, Data: []byte("bob")})

	steal := store.Record{Kind: "user", ID: "u2", Keys: []string{"upn:bob2", a.Keys[1]}, Refs: []string{"member:g8"}, Data: []byte("bob2")}
	wantErr(t, "Put existing with taken key", tryPut(t, s, steal), store.ErrConflict)
	wantRecord(t, "Get unchanged", mustGet(t, s, "user", "u2"), b)
	wantRecord(t, "Lookup old key", mustLookup(t, s, "user", "upn:bob"), b)
	wantNoKey(t, s, "user", "upn:bob2")
	wantIDs(t, "List new ref", mustList(t, s, store.Query{Kind: "user", Ref: "member:g8"}))
	wantRecord(t, "Lookup owner", mustLookup(t, s, "user", a.Keys[1]), a)

	fresh := store.Record{Kind: "user", ID: "u3", Keys: []string{a.Keys[0]}}
	wantErr(t, "Put new with taken key", tryPut(t, s, fresh), store.ErrConflict)
	wantNotFound(t, s, "user", "u3")
	wantRecord(t, "Get owner", mustGet(t, s, "user", "u1"), a)
}

func testPutKeepsOwnKeys(t *testing.T, s store.Store) {
	a := create(t, s, alice())
	a.Data = []byte(`{"name":"alice","v":2}`)
	a.Version = 0
	a = put(t, s, a)
	wantRecord(t, "Lookup", mustLookup(t, s, "user", a.Keys[0]), a)
}

// Domain code does "Create; on ErrConflict, Lookup the existing one" in a
// single Update, so a failed write must not poison the transaction.
func testFailedWriteLeavesTxUsable(t *testing.T, s store.Store) {
	a := create(t, s, alice())
	ctx := t.Context()
	update(t, s, func(tx store.Tx) error {
		_, err := tx.Create(ctx, store.Record{Kind: "user", ID: "u9", Keys: []string{a.Keys[0]}, Refs: []string{"member:g9"}})
		wantErr(t, "Create with taken key", err, store.ErrConflict)
		_, err = tx.Create(ctx, store.Record{Kind: "user", ID: "u1"})
		wantErr(t, "Create with taken id", err, store.ErrConflict)
		_, err = tx.Put(ctx, store.Record{Kind: "user", ID: "u1", Version: a.Version + 10, Keys: []string{"upn:stale"}})
		wantErr(t, "Put stale", err, store.ErrStale)
		wantErr(t, "Delete missing", tx.Delete(ctx, "user", "nobody"), store.ErrNotFound)

		wantRecord(t, "tx.Lookup existing", mustLookup(t, tx, "user", a.Keys[0]), a)
		wantNotFound(t, tx, "user", "u9")
		_, err = tx.Create(ctx, store.Record{Kind: "user", ID: "u2", Keys: []string{"upn:bob"}})
		return err
	})
	mustGet(t, s, "user", "u2")
	wantNotFound(t, s, "user", "u9")
	wantNoKey(t, s, "user", "upn:stale")
	wantIDs(t, "List ref of failed create", mustList(t, s, store.Query{Kind: "user", Ref: "member:g9"}))
	wantRecord(t, "Get untouched", mustGet(t, s, "user", "u1"), a)
}

func testKeyFreedInTxIsReusable(t *testing.T, s store.Store) {
	a := create(t, s, alice())
	ctx := t.Context()
	update(t, s, func(tx store.Tx) error {
		moved := a
		moved.Keys = []string{"oid:u1"}
		moved.Version = 0
		if _, err := tx.Put(ctx, moved); err != nil {
			return err
		}
		if _, err := tx.Create(ctx, store.Record{Kind: "user", ID: "u2", Keys: []string{"upn:alice@contoso.example"}}); err != nil {
			return err
		}
		if err := tx.Delete(ctx, "user", "u1"); err != nil {
			return err
		}
		_, err := tx.Create(ctx, store.Record{Kind: "user", ID: "u3", Keys: []string{"oid:u1"}})
		return err
	})
	if got := mustLookup(t, s, "user", "upn:alice@contoso.example"); got.ID != "u2" {
		t.Errorf("Lookup moved key: got %q, want u2", got.ID)
	}
	if got := mustLookup(t, s, "user", "oid:u1"); got.ID != "u3" {
		t.Errorf("Lookup key of deleted record: got %q, want u3", got.ID)
	}
}

func testRepeatedKeysAndRefs(t *testing.T, s store.Store) {
	r := store.Record{Kind: "user", ID: "u1", Keys: []string{"k", "k"}, Refs: []string{"r", "r"}}
	create(t, s, r)
	wantRecord(t, "Lookup", mustLookup(t, s, "user", "k"), r)
	wantIDs(t, "List by ref", mustList(t, s, store.Query{Kind: "user", Ref: "r"}), "u1")
	r.Keys = append(r.Keys, "k2", "k2")
	put(t, s, r)
	wantRecord(t, "Get after Put", mustGet(t, s, "user", "u1"), r)
}
