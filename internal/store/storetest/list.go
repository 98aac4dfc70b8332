package storetest

import (
	"slices"
	"testing"

	"github.com/gatehouse/gatehouse/internal/store"
)

var listCases = []testCase{
	{"ListFilters", testListFilters},
	{"ListOrderIsByteWise", testListOrder},
	{"ListReturnsWholeRecords", testListWholeRecords},
}

// listFixture is created in this (unsorted) order.
var listFixture = []store.Record{
	{Kind: "user", ID: "u3", Tenant: "t1", Refs: []string{"member:g1"}},
	{Kind: "user", ID: "u1", Tenant: "t1", Refs: []string{"member:g1", "member:g2"}},
	{Kind: "user", ID: "u2", Tenant: "t2", Refs: []string{"member:g2"}},
	{Kind: "user", ID: "x1", Tenant: "t1"},
	// Same id prefix, tenant and ref, other kind: never in a user List.
	{Kind: "group", ID: "u9", Tenant: "t1", Refs: []string{"member:g1"}},
	// LIKE and GLOB metacharacters, which IDPrefix must take literally.
	{Kind: "user", ID: "a%b", Tenant: "t3"},
	{Kind: "user", ID: "a_b", Tenant: "t3"},
	{Kind: "user", ID: "ab", Tenant: "t3"},
	{Kind: "user", ID: "aXb", Tenant: "t3"},
	{Kind: "user", ID: "A_b", Tenant: "t3"},
	{Kind: "user", ID: `a\b`, Tenant: "t3"},
	{Kind: "user", ID: "a*b", Tenant: "t3"},
	{Kind: "user", ID: "a[b", Tenant: "t3"},
}

func testListFilters(t *testing.T, s store.Store) {
	for _, r := range listFixture {
		create(t, s, r)
	}
	tests := []struct {
		name string
		q    store.Query
		want []string
	}{
		{"kind", store.Query{Kind: "user"}, []string{"A_b", "a%b", "a*b", "aXb", "a[b", `a\b`, "a_b", "ab", "u1", "u2", "u3", "x1"}},
		{"other kind", store.Query{Kind: "group"}, []string{"u9"}},
		{"unknown kind", store.Query{Kind: "nothing"}, nil},
		{"tenant", store.Query{Kind: "user", Tenant: "t1"}, []string{"u1", "u3", "x1"}},
		{"unknown tenant", store.Query{Kind: "user", Tenant: "t9"}, nil},
		{"ref", store.Query{Kind: "user", Ref: "member:g1"}, []string{"u1", "u3"}},
		{"unknown ref", store.Query{Kind: "user", Ref: "member:none"}, nil},
		{"ref and tenant", store.Query{Kind: "user", Ref: "member:g2", Tenant: "t1"}, []string{"u1"}},
		{"prefix", store.Query{Kind: "user", IDPrefix: "u"}, []string{"u1", "u2", "u3"}},
		{"prefix is whole id", store.Query{Kind: "user", IDPrefix: "u1"}, []string{"u1"}},
		{"prefix longer than ids", store.Query{Kind: "user", IDPrefix: "u1x"}, nil},
		{"prefix and tenant", store.Query{Kind: "user", IDPrefix: "u", Tenant: "t2"}, []string{"u2"}},
		{"prefix and ref", store.Query{Kind: "user", IDPrefix: "u", Ref: "member:g1"}, []string{"u1", "u3"}},
		{"prefix, ref and tenant", store.Query{Kind: "user", IDPrefix: "u3", Ref: "member:g1", Tenant: "t1"}, []string{"u3"}},
		{"prefix underscore", store.Query{Kind: "user", IDPrefix: "a_"}, []string{"a_b"}},
		{"prefix percent", store.Query{Kind: "user", IDPrefix: "a%"}, []string{"a%b"}},
		{"prefix star", store.Query{Kind: "user", IDPrefix: "a*"}, []string{"a*b"}},
		{"prefix bracket", store.Query{Kind: "user", IDPrefix: "a["}, []string{"a[b"}},
		{"prefix backslash", store.Query{Kind: "user", IDPrefix: `a\`}, []string{`a\b`}},
		{"prefix is case-sensitive", store.Query{Kind: "user", IDPrefix: "A"}, []string{"A_b"}},
		{"prefix matching nothing", store.Query{Kind: "user", IDPrefix: "zz"}, nil},
		{"before", store.Query{Kind: "user", IDBefore: "u2"}, []string{"A_b", "a%b", "a*b", "aXb", "a[b", `a\b`, "a_b", "ab", "u1"}},
		{"before is exclusive", store.Query{Kind: "user", IDBefore: "a%b"}, []string{"A_b"}},
		{"before the first", store.Query{Kind: "user", IDBefore: "A"}, nil},
		{"before and prefix", store.Query{Kind: "user", IDPrefix: "u", IDBefore: "u3"}, []string{"u1", "u2"}},
		{"before and tenant", store.Query{Kind: "user", Tenant: "t1", IDBefore: "x"}, []string{"u1", "u3"}},
		{"limit", store.Query{Kind: "user", Limit: 3}, []string{"A_b", "a%b", "a*b"}},
		{"limit over the count", store.Query{Kind: "user", IDPrefix: "u", Limit: 10}, []string{"u1", "u2", "u3"}},
		{"limit, before and ref", store.Query{Kind: "user", Ref: "member:g1", IDBefore: "u9", Limit: 1}, []string{"u1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantIDs(t, "List", mustList(t, s, tt.q), tt.want...)
		})
	}
}

func testListOrder(t *testing.T, s store.Store) {
	ids := []string{"b", "a", "B", "ä", "z", "a0", "a-", "10", "9", "Z", "é", "aa"}
	for _, id := range ids {
		create(t, s, store.Record{Kind: "item", ID: id})
	}
	want := slices.Clone(ids)
	slices.Sort(want) // Go string order is byte order
	wantIDs(t, "List", mustList(t, s, store.Query{Kind: "item"}), want...)
}

func testListWholeRecords(t *testing.T, s store.Store) {
	a := create(t, s, alice())
	b := create(t, s, store.Record{Kind: "user", ID: "u2", Tenant: "t1", Keys: []string{"upn:bob"}, Refs: []string{"member:g1"}, Data: []byte(`{"name":"bob"}`)})
	got := mustList(t, s, store.Query{Kind: "user", Ref: "member:g1"})
	wantIDs(t, "List", got, "u1", "u2")
	if len(got) == 2 {
		wantRecord(t, "List[0]", got[0], a)
		wantRecord(t, "List[1]", got[1], b)
	}
}
