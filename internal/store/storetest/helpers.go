package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/gatehouse/gatehouse/internal/store"
)

// errBoom is what a failing fn returns.
var errBoom = errors.New("storetest: boom")

func update(t *testing.T, s store.Store, fn func(tx store.Tx) error) {
	t.Helper()
	if err := s.Update(t.Context(), fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

func create(t *testing.T, s store.Store, r store.Record) store.Record {
	t.Helper()
	var out store.Record
	update(t, s, func(tx store.Tx) (err error) {
		out, err = tx.Create(t.Context(), r)
		return err
	})
	return out
}

func put(t *testing.T, s store.Store, r store.Record) store.Record {
	t.Helper()
	var out store.Record
	update(t, s, func(tx store.Tx) (err error) {
		out, err = tx.Put(t.Context(), r)
		return err
	})
	return out
}

// tryPut is a Put in its own Update, returning the error.
func tryPut(t *testing.T, s store.Store, r store.Record) error {
	t.Helper()
	return s.Update(t.Context(), func(tx store.Tx) error {
		_, err := tx.Put(t.Context(), r)
		return err
	})
}

func tryCreate(t *testing.T, s store.Store, r store.Record) error {
	t.Helper()
	return s.Update(t.Context(), func(tx store.Tx) error {
		_, err := tx.Create(t.Context(), r)
		return err
	})
}

func mustGet(t *testing.T, r store.Reader, kind store.Kind, id string) store.Record {
	t.Helper()
	got, err := r.Get(t.Context(), kind, id)
	if err != nil {
		t.Fatalf("Get(%s, %q): %v", kind, id, err)
	}
	return got
}

func mustLookup(t *testing.T, r store.Reader, kind store.Kind, key string) store.Record {
	t.Helper()
	got, err := r.Lookup(t.Context(), kind, key)
	if err != nil {
		t.Fatalf("Lookup(%s, %q): %v", kind, key, err)
	}
	return got
}

func mustList(t *testing.T, r store.Reader, q store.Query) []store.Record {
	t.Helper()
	got, err := r.List(t.Context(), q)
	if err != nil {
		t.Fatalf("List(%+v): %v", q, err)
	}
	return got
}

func revision(t *testing.T, s store.Store) int64 {
	t.Helper()
	rev, err := s.Revision(t.Context())
	if err != nil {
		t.Fatalf("Revision: %v", err)
	}
	return rev
}

// wantErr fails unless errors.Is(err, target).
func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: got error %v, want %v", what, err, target)
	}
}

func wantNotFound(t *testing.T, r store.Reader, kind store.Kind, id string) {
	t.Helper()
	_, err := r.Get(t.Context(), kind, id)
	wantErr(t, fmt.Sprintf("Get(%s, %q)", kind, id), err, store.ErrNotFound)
}

func wantNoKey(t *testing.T, r store.Reader, kind store.Kind, key string) {
	t.Helper()
	_, err := r.Lookup(t.Context(), kind, key)
	wantErr(t, fmt.Sprintf("Lookup(%s, %q)", kind, key), err, store.ErrNotFound)
}

// wantRecord compares everything but Version, which it checks only when
// want has one; Keys and Refs compare as sets.
func wantRecord(t *testing.T, what string, got, want store.Record) {
	t.Helper()
	if got.Kind != want.Kind || got.ID != want.ID || got.Tenant != want.Tenant {
		t.Errorf("%s: got %s/%q tenant %q, want %s/%q tenant %q", what, got.Kind, got.ID, got.Tenant, want.Kind, want.ID, want.Tenant)
	}
	if g, w := set(got.Keys), set(want.Keys); !slices.Equal(g, w) {
		t.Errorf("%s: Keys = %q, want %q", what, g, w)
	}
	if g, w := set(got.Refs), set(want.Refs); !slices.Equal(g, w) {
		t.Errorf("%s: Refs = %q, want %q", what, g, w)
	}
	if !bytes.Equal(got.Data, want.Data) {
		t.Errorf("%s: Data = %s, want %s", what, short(got.Data), short(want.Data))
	}
	if want.Version != 0 && got.Version != want.Version {
		t.Errorf("%s: Version = %d, want %d", what, got.Version, want.Version)
	}
}

// wantIDs checks a List result's ids, in order.
func wantIDs(t *testing.T, what string, got []store.Record, want ...string) {
	t.Helper()
	ids := make([]string, len(got))
	for i, r := range got {
		ids[i] = r.ID
	}
	if len(want) == 0 {
		want = []string{}
	}
	if !slices.Equal(ids, want) {
		t.Errorf("%s: ids %q, want %q", what, ids, want)
	}
}

func set(vs []string) []string {
	vs = slices.Clone(vs)
	slices.Sort(vs)
	vs = slices.Compact(vs)
	if vs == nil {
		vs = []string{}
	}
	return vs
}

func sortedCopy(vs []string) []string {
	vs = slices.Clone(vs)
	slices.Sort(vs)
	return vs
}

func short(b []byte) string {
	if len(b) > 64 {
		return fmt.Sprintf("%q… (%d bytes)", b[:64], len(b))
	}
	return fmt.Sprintf("%q", b)
}
