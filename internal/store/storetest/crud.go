package storetest

import (
	"testing"

	"github.com/gatehouse/gatehouse/internal/store"
)

var crudCases = []testCase{
	{"CreateThenGet", testCreateThenGet},
	{"PutCreatesMissing", testPutCreatesMissing},
	{"PutReplaces", testPutReplaces},
	{"Delete", testDelete},
	{"MissingIsNotFound", testMissingIsNotFound},
	{"KindsAreSeparate", testKindsAreSeparate},
}

func alice() store.Record {
	return store.Record{
		Kind:   "user",
		ID:     "u1",
		Tenant: "t1",
		Keys:   []string{"upn:alice@contoso.example", "oid:u1"},
		Refs:   []string{"member:g1", "member:g2"},
		Data:   []byte(`{"name":"alice"}`),
	}
}

func testCreateThenGet(t *testing.T, s store.Store) {
	r := alice()
	got := create(t, s, r)
	if got.Version <= 0 {
		t.Errorf("Create returned Version %d, want > 0", got.Version)
	}
	wantRecord(t, "Create result", got, r)
	r.Version = got.Version
	wantRecord(t, "Get", mustGet(t, s, r.Kind, r.ID), r)
	for _, k := range r.Keys {
		wantRecord(t, "Lookup "+k, mustLookup(t, s, r.Kind, k), r)
	}
}

func testPutCreatesMissing(t *testing.T, s store.Store) {
	r := alice()
	got := put(t, s, r)
	if got.Version <= 0 {
		t.Errorf("Put returned Version %d, want > 0", got.Version)
	}
	r.Version = got.Version
	wantRecord(t, "Get", mustGet(t, s, r.Kind, r.ID), r)
	wantRecord(t, "Lookup", mustLookup(t, s, r.Kind, r.Keys[0]), r)
}

func testPutReplaces(t *testing.T, s store.Store) {
	old := create(t, s, alice())
	r := old
	r.Tenant = "t2"
	r.Keys = []string{"oid:u1", "upn:alice@fabrikam.example"}
	r.Refs = []string{"member:g2", "member:g3"}
	r.Data = []byte(`{"name":"alice","moved":true}`)
	r.Version = 0
	r = put(t, s, r)

	wantRecord(t, "Get", mustGet(t, s, "user", "u1"), r)
	wantNoKey(t, s, "user", "upn:alice@contoso.example")
	wantRecord(t, "Lookup new key", mustLookup(t, s, "user", "upn:alice@fabrikam.example"), r)
	wantRecord(t, "Lookup kept key", mustLookup(t, s, "user", "oid:u1"), r)
	wantIDs(t, "List old ref", mustList(t, s, store.Query{Kind: "user", Ref: "member:g1"}))
	wantIDs(t, "List kept ref", mustList(t, s, store.Query{Kind: "user", Ref: "member:g2"}), "u1")
	wantIDs(t, "List new ref", mustList(t, s, store.Query{Kind: "user", Ref: "member:g3"}), "u1")
	wantIDs(t, "List old tenant", mustList(t, s, store.Query{Kind: "user", Tenant: "t1"}))
	wantIDs(t, "List new tenant", mustList(t, s, store.Query{Kind: "user", Tenant: "t2"}), "u1")

	// A Put without keys or refs clears them.
	bare := store.Record{Kind: "user", ID: "u1", Data: []byte(`{}`)}
	put(t, s, bare)
	wantRecord(t, "Get bare", mustGet(t, s, "user", "u1"), bare)
	wantNoKey(t, s, "user", "oid:u1")
	wantIDs(t, "List cleared ref", mustList(t, s, store.Query{Kind: "user", Ref: "member:g2"}))
}

func testDelete(t *testing.T, s store.Store) {
	r := create(t, s, alice())
	create(t, s, store.Record{Kind: "user", ID: "u2", Refs: []string{"member:g1"}})
	update(t, s, func(tx store.Tx) error { return tx.Delete(t.Context(), "user", "u1") })

	wantNotFound(t, s, "user", "u1")
	for _, k := range r.Keys {
		wantNoKey(t, s, "user", k)
	}
	wantIDs(t, "List ref", mustList(t, s, store.Query{Kind: "user", Ref: "member:g1"}), "u2")
	wantIDs(t, "List tenant", mustList(t, s, store.Query{Kind: "user", Tenant: "t1"}))

	// The id and keys are free again.
	other := store.Record{Kind: "user", ID: "u3", Keys: []string{"upn:alice@contoso.example"}}
	create(t, s, other)
	wantRecord(t, "Lookup reused key", mustLookup(t, s, "user", "upn:alice@contoso.example"), other)
	again := alice()
	again.Keys = []string{"oid:u1"}
	create(t, s, again)
	wantRecord(t, "Get re-created", mustGet(t, s, "user", "u1"), again)
}

func testMissingIsNotFound(t *testing.T, s store.Store) {
	create(t, s, alice())
	wantNotFound(t, s, "user", "nobody")
	wantNotFound(t, s, "group", "u1") // right id, wrong kind
	wantNoKey(t, s, "user", "upn:nobody")
	wantNoKey(t, s, "group", "oid:u1")

	err := s.Update(t.Context(), func(tx store.Tx) error {
		_, err := tx.Get(t.Context(), "user", "nobody")
		wantErr(t, "tx.Get", err, store.ErrNotFound)
		_, err = tx.Lookup(t.Context(), "user", "upn:nobody")
		wantErr(t, "tx.Lookup", err, store.ErrNotFound)
		return tx.Delete(t.Context(), "user", "nobody")
	})
	wantErr(t, "Update returning Delete's error", err, store.ErrNotFound)
}

func testKindsAreSeparate(t *testing.T, s store.Store) {
	u := store.Record{Kind: "user", ID: "x", Keys: []string{"name:x"}, Refs: []string{"scope:s"}, Data: []byte("user")}
	g := store.Record{Kind: "group", ID: "x", Keys: []string{"name:x"}, Refs: []string{"scope:s"}, Data: []byte("group")}
	create(t, s, u)
	create(t, s, g)
	wantRecord(t, "Get user", mustGet(t, s, "user", "x"), u)
	wantRecord(t, "Get group", mustGet(t, s, "group", "x"), g)
	wantRecord(t, "Lookup user", mustLookup(t, s, "user", "name:x"), u)
	wantRecord(t, "Lookup group", mustLookup(t, s, "group", "name:x"), g)
	wantIDs(t, "List user", mustList(t, s, store.Query{Kind: "user"}), "x")
	wantIDs(t, "List user by ref", mustList(t, s, store.Query{Kind: "user", Ref: "scope:s"}), "x")

	update(t, s, func(tx store.Tx) error { return tx.Delete(t.Context(), "user", "x") })
	wantNotFound(t, s, "user", "x")
	wantRecord(t, "Get group after user delete", mustGet(t, s, "group", "x"), g)
	wantRecord(t, "Lookup group after user delete", mustLookup(t, s, "group", "name:x"), g)
	wantIDs(t, "List group by ref", mustList(t, s, store.Query{Kind: "group", Ref: "scope:s"}), "x")
}
