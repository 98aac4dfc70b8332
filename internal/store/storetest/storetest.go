// Package storetest is the conformance suite for store.Store backends.
//
// A backend's own test calls Run with a function that opens a new, empty
// store; every backend (SQLite, later PostgreSQL) must pass it unchanged.
// The suite pins down behaviour store.go leaves implicit:
//
//   - Keys and Refs are sets: order is not significant, duplicates collapse,
//     and reads return them (nil and empty are equal).
//   - List orders by ID byte-wise (Go string order; "C" collation in SQL).
//   - A Tx write that fails with ErrConflict, ErrStale or ErrNotFound leaves
//     nothing behind and the transaction usable.
//   - A Put with a non-zero Version on a missing record is ErrStale.
//   - An Update whose ctx is cancelled before it commits returns an error
//     and commits nothing.
package storetest

import (
	"testing"

	"github.com/gatehouse/gatehouse/internal/store"
)

// testCase is one conformance check, run against a fresh store.
type testCase struct {
	name string
	run  func(t *testing.T, s store.Store)
}

// Run runs every check as a subtest. open must return a new, empty store;
// Run closes it when the subtest ends. Subtests run one after another, so
// open may reuse one database as long as it empties it.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	t.Helper()
	groups := [][]testCase{crudCases, conflictCases, versionCases, listCases, txCases, concurrencyCases, edgeCases, feedCases}
	for _, cases := range groups {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				s := open(t)
				t.Cleanup(func() {
					if err := s.Close(); err != nil {
						t.Errorf("Close: %v", err)
					}
				})
				c.run(t, s)
			})
		}
	}
}
