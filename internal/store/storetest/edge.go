package storetest

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/store"
)

var edgeCases = []testCase{
	{"LargeData", testLargeData},
	{"EmptyRecord", testEmptyRecord},
	{"UnusualStrings", testUnusualStrings},
}

func testLargeData(t *testing.T, s store.Store) {
	rng := rand.New(rand.NewChaCha8([32]byte{1}))
	data := make([]byte, 1<<20)
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	r := store.Record{Kind: "blob", ID: "big", Keys: []string{"k"}, Refs: []string{"r"}, Data: data}
	r = create(t, s, r)
	wantRecord(t, "Get", mustGet(t, s, "blob", "big"), r)
	wantRecord(t, "Lookup", mustLookup(t, s, "blob", "k"), r)
	if got := mustList(t, s, store.Query{Kind: "blob", Ref: "r"}); len(got) == 1 {
		wantRecord(t, "List", got[0], r)
	} else {
		t.Errorf("List: %d records, want 1", len(got))
	}

	r.Data = append(data[:len(data):len(data)], 0) // grow by one byte
	r = put(t, s, r)
	wantRecord(t, "Get after Put", mustGet(t, s, "blob", "big"), r)
}

func testEmptyRecord(t *testing.T, s store.Store) {
	r := create(t, s, store.Record{Kind: "thing", ID: "empty"})
	got := mustGet(t, s, "thing", "empty")
	wantRecord(t, "Get", got, r)
	if len(got.Keys) != 0 || len(got.Refs) != 0 || len(got.Data) != 0 {
		t.Errorf("Get: %+v, want no keys, refs or data", got)
	}
}

// unusualStrings are ids, keys, refs and tenants that a backend must store
// as given: non-ASCII, quotes, SQL and LIKE/GLOB metacharacters, escapes.
var unusualStrings = []string{
	"ünïcødé-日本語-🔑",
	`it's "quoted"`,
	"50%_off",
	"percent%",
	"under_score",
	`back\slash`,
	"'; DROP TABLE records; --",
	"with space",
	"tab\tand\nnewline",
	"*?[glob]",
	"$1 ?1 :name @p",
	"\u00a0nbsp and \u200bzero width",
	"Mixed",
	"mixed",
}

func testUnusualStrings(t *testing.T, s store.Store) {
	const kind store.Kind = "odd ünï kind"
	for _, v := range unusualStrings {
		create(t, s, store.Record{Kind: kind, ID: v, Tenant: "tenant " + v, Keys: []string{"key " + v}, Refs: []string{"ref " + v}, Data: []byte(v)})
	}
	for _, v := range unusualStrings {
		t.Run(v, func(t *testing.T) {
			want := store.Record{Kind: kind, ID: v, Tenant: "tenant " + v, Keys: []string{"key " + v}, Refs: []string{"ref " + v}, Data: []byte(v)}
			wantRecord(t, "Get", mustGet(t, s, kind, v), want)
			wantRecord(t, "Lookup", mustLookup(t, s, kind, "key "+v), want)
			wantIDs(t, "List by ref", mustList(t, s, store.Query{Kind: kind, Ref: "ref " + v}), v)
			wantIDs(t, "List by tenant", mustList(t, s, store.Query{Kind: kind, Tenant: "tenant " + v}), v)
			var prefixed []string
			for _, w := range sortedCopy(unusualStrings) {
				if strings.HasPrefix(w, v) {
					prefixed = append(prefixed, w)
				}
			}
			wantIDs(t, "List by prefix", mustList(t, s, store.Query{Kind: kind, IDPrefix: v}), prefixed...)
			// A prefix that stops mid-way (at a character boundary: a
			// backend may reject invalid UTF-8).
			cut := string([]rune(v)[:len([]rune(v))/2])
			prefixed = prefixed[:0]
			for _, w := range sortedCopy(unusualStrings) {
				if strings.HasPrefix(w, cut) {
					prefixed = append(prefixed, w)
				}
			}
			wantIDs(t, "List by half prefix", mustList(t, s, store.Query{Kind: kind, IDPrefix: cut}), prefixed...)
		})
	}
	update(t, s, func(tx store.Tx) error {
		for _, v := range unusualStrings {
			if err := tx.Delete(t.Context(), kind, v); err != nil {
				return err
			}
		}
		return nil
	})
	wantIDs(t, "List after deleting all", mustList(t, s, store.Query{Kind: kind}))
}
