package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
)

const benchRecords = 10_000

// benchStore holds benchRecords application-like records: two keys, two
// refs and a ~600-byte JSON document each.
func benchStore(b *testing.B) *sqlite.Store {
	b.Helper()
	s, err := sqlite.Open(filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	doc := fmt.Appendf(nil, `{"displayName":"app","signInAudience":"AzureADMyOrg","pad":%q}`, make([]byte, 500))
	ctx := context.Background()
	err = s.Update(ctx, func(tx store.Tx) error {
		for i := range benchRecords {
			id := fmt.Sprintf("%08d-0000-0000-0000-000000000000", i)
			_, err := tx.Create(ctx, store.Record{
				Kind: "application", ID: id, Tenant: "t1",
				Keys: []string{"appid:" + id, "name:" + id},
				Refs: []string{"owner:o1", fmt.Sprintf("scope:%d", i%10)},
				Data: doc,
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func benchID(i int) string {
	return fmt.Sprintf("%08d-0000-0000-0000-000000000000", i*7919%benchRecords)
}

func BenchmarkGet(b *testing.B) {
	s := benchStore(b)
	ids := make([]string, 1024)
	for i := range ids {
		ids[i] = benchID(i)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := s.Get(ctx, "application", ids[i%len(ids)]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetParallel(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, err := s.Get(ctx, "application", benchID(i%1024)); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

func BenchmarkLookup(b *testing.B) {
	s := benchStore(b)
	keys := make([]string, 1024)
	for i := range keys {
		keys[i] = "appid:" + benchID(i)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := s.Lookup(ctx, "application", keys[i%len(keys)]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkListByRef lists 1,000 records (one scope of ten).
func BenchmarkListByRef(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		rs, err := s.List(ctx, store.Query{Kind: "application", Ref: "scope:3"})
		if err != nil || len(rs) != benchRecords/10 {
			b.Fatal(len(rs), err)
		}
	}
}

func BenchmarkRevision(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	for b.Loop() {
		s.Revision(ctx)
	}
}

// BenchmarkPut is one durable (fsynced) Update per op.
func BenchmarkPut(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		err := s.Update(ctx, func(tx store.Tx) error {
			id := benchID(i % 1024)
			_, err := tx.Put(ctx, store.Record{Kind: "application", ID: id, Tenant: "t1",
				Keys: []string{"appid:" + id}, Refs: []string{"owner:o1"}, Data: []byte(`{}`)})
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
