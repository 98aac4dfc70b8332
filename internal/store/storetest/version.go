package storetest

import (
	"testing"

	"github.com/gatehouse/gatehouse/internal/store"
)

var versionCases = []testCase{
	{"VersionIncreases", testVersionIncreases},
	{"StalePut", testStalePut},
	{"VersionedPutOfMissing", testVersionedPutOfMissing},
	{"VersionsWithinTx", testVersionsWithinTx},
}

func testVersionIncreases(t *testing.T, s store.Store) {
	r := create(t, s, alice())
	last := r.Version
	// Carrying the current Version and carrying none both write.
	for i, carry := range []bool{true, false, true} {
		r.Version = 0
		if carry {
			r.Version = last
		}
		r.Data = []byte{byte('a' + i)}
		r = put(t, s, r)
		if r.Version <= last {
			t.Fatalf("write %d: Version %d, want > %d", i, r.Version, last)
		}
		last = r.Version
		if got := mustGet(t, s, "user", "u1"); got.Version != last {
			t.Fatalf("write %d: Get Version %d, want %d", i, got.Version, last)
		}
	}
}

func testStalePut(t *testing.T, s store.Store) {
	v1 := create(t, s, alice())
	cur := v1
	cur.Data = []byte("second")
	cur = put(t, s, cur) // carries v1's Version: matches

	stale := v1
	stale.Data = []byte("lost update")
	stale.Keys = []string{"upn:stale"}
	wantErr(t, "Put with old Version", tryPut(t, s, stale), store.ErrStale)
	wantRecord(t, "Get after stale Put", mustGet(t, s, "user", "u1"), cur)
	wantNoKey(t, s, "user", "upn:stale")

	stale.Version = 0 // zero skips the check
	stale = put(t, s, stale)
	if stale.Version <= cur.Version {
		t.Errorf("unchecked Put: Version %d, want > %d", stale.Version, cur.Version)
	}
	wantRecord(t, "Get after unchecked Put", mustGet(t, s, "user", "u1"), stale)
}

// A Version says "I read this record": if it is gone, the write is stale.
func testVersionedPutOfMissing(t *testing.T, s store.Store) {
	r := alice()
	r.Version = 7
	wantErr(t, "Put never-created with Version", tryPut(t, s, r), store.ErrStale)
	wantNotFound(t, s, "user", "u1")

	r = create(t, s, alice())
	update(t, s, func(tx store.Tx) error { return tx.Delete(t.Context(), "user", "u1") })
	wantErr(t, "Put deleted with Version", tryPut(t, s, r), store.ErrStale)
	wantNotFound(t, s, "user", "u1")
	wantNoKey(t, s, "user", r.Keys[0])
}

func testVersionsWithinTx(t *testing.T, s store.Store) {
	ctx := t.Context()
	var last store.Record
	update(t, s, func(tx store.Tx) error {
		r, err := tx.Create(ctx, alice())
		if err != nil {
			return err
		}
		r.Data = []byte("two")
		r2, err := tx.Put(ctx, r)
		if err != nil {
			return err
		}
		if r2.Version <= r.Version {
			t.Errorf("second write in tx: Version %d, want > %d", r2.Version, r.Version)
		}
		_, err = tx.Put(ctx, r) // r's Version is now stale, even in the same tx
		wantErr(t, "stale Put in tx", err, store.ErrStale)
		r2.Data = []byte("three")
		if last, err = tx.Put(ctx, r2); err != nil {
			return err
		}
		wantRecord(t, "tx.Get", mustGet(t, tx, "user", "u1"), last)
		return nil
	})
	wantRecord(t, "Get", mustGet(t, s, "user", "u1"), last)
}
