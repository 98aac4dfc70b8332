// Package store is gatehouse's storage interface: a small transactional
// document store with unique lookup keys and non-unique references.
//
// Domain packages (directory, sts, arm, …) keep their own typed records as
// JSON documents on top of it, so a backend implements only these few
// operations and proves itself by passing the conformance suite in
// package storetest. SQLite is the embedded default; PostgreSQL comes later.
package store

import (
	"context"
	"errors"
)

// Sentinel errors. Backends wrap or return these; callers test with errors.Is.
var (
	// ErrNotFound: no record of that kind with that id or key.
	ErrNotFound = errors.New("store: not found")
	// ErrConflict: a Create found the id taken, or a Put/Create would give
	// a unique key to a second record of the same kind.
	ErrConflict = errors.New("store: conflict")
	// ErrStale: a Put carried a Version that no longer matches the stored one.
	ErrStale = errors.New("store: stale version")
	// ErrChangesGone: Changes was asked for changes older than the store
	// keeps; the caller reads the state whole instead.
	ErrChangesGone = errors.New("store: changes no longer kept")
)

// Change names a record that the committed Update which took the store to
// revision Rev created, replaced or deleted. Consumers read the record
// again to learn its state (absent: deleted), so applying a change twice,
// or one already reflected, is harmless.
type Change struct {
	Rev  int64
	Kind Kind
	ID   string
	// Deleted says the write deleted the record; otherwise Data, when a
	// backend carries it, is the record's data as written, which spares
	// the consumer a read.
	Deleted bool
	Data    []byte
}

// Kind names a collection ("user", "application", "roleAssignment", …).
type Kind string

// Record is one stored document.
type Record struct {
	Kind Kind
	// ID is the primary key within Kind. Backends store it as given;
	// callers normalise (GUIDs lower-case) before they store or look up.
	ID string
	// Tenant partitions records for listing; "" for records outside tenants.
	Tenant string
	// Keys are unique within Kind: Lookup finds the record by any of them.
	// Callers normalise case ("appid:…", "upn:…").
	Keys []string
	// Refs are non-unique index values: List can select by one of them
	// ("member:<oid>", "scope:<id>").
	Refs []string
	// Data is the document, normally JSON.
	Data []byte
	// Version is set by the store on every write, increasing per record.
	// On Put, a non-zero Version must match the stored one (else ErrStale,
	// also when the record no longer exists); zero means "write whatever is
	// there".
	Version int64
}

// Query selects records of one kind for List. Empty fields do not filter.
type Query struct {
	Kind   Kind
	Tenant string
	// Ref selects records that carry this reference value.
	Ref string
	// IDPrefix selects records whose ID starts with it (case-sensitive).
	IDPrefix string
	// IDBefore selects records whose ID sorts byte-wise before it (time-
	// ordered IDs make this "older than").
	IDBefore string
	// Limit returns at most this many records, the first by ID (0: all).
	Limit int
}

// Reader reads records. Results of List are ordered by ID, byte-wise.
type Reader interface {
	Get(ctx context.Context, kind Kind, id string) (Record, error)
	Lookup(ctx context.Context, kind Kind, key string) (Record, error)
	List(ctx context.Context, q Query) ([]Record, error)
}

// Tx reads and writes inside one transaction. A write that fails with
// ErrConflict, ErrStale or ErrNotFound changes nothing, and the transaction
// stays usable (so fn can Create, and on ErrConflict Lookup the winner).
type Tx interface {
	Reader
	// Create inserts a new record; ErrConflict if the id or a key is taken.
	Create(ctx context.Context, r Record) (Record, error)
	// Put inserts or replaces a record (upsert), replacing its keys and refs.
	Put(ctx context.Context, r Record) (Record, error)
	// Delete removes a record; ErrNotFound if it does not exist.
	Delete(ctx context.Context, kind Kind, id string) error
}

// Store is a backend. Reads outside Update see the last committed state.
type Store interface {
	Reader
	// Update runs fn in one transaction, committed when fn returns nil and
	// rolled back otherwise. Once Update returns nil the change is durable.
	// fn may be run more than once if the backend retries a serialization
	// failure, so it must not have side effects outside tx.
	Update(ctx context.Context, fn func(tx Tx) error) error
	// Revision increases with every committed Update that wrote something.
	// Caches compare it to know whether what they hold is current. It must be
	// cheap: it is read on hot paths.
	Revision(ctx context.Context) (int64, error)
	// Changes lists what the committed Updates after revision after wrote,
	// oldest first, and the revision they bring the caller to. It returns
	// ErrChangesGone when it no longer holds all of them. It lets caches
	// follow the store by what changed instead of reloading.
	Changes(ctx context.Context, after int64) ([]Change, int64, error)
	Close() error
}
