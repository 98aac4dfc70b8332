package store

import (
	"context"
	"slices"
	"sync"
)

// Memo caches values computed from the store for as long as the store's
// revision does not change: a hit costs a revision read and a map lookup,
// and a committed write makes every entry stale at once, so a cached value
// is never older than the last write the caller could have seen. A memo
// given the kinds its values are read from keeps its entries across writes
// of other kinds (it learns which kinds a write touched from the store's
// change feed). Cached values are shared: callers must not modify them.
type Memo[T any] struct {
	st    Store
	max   int
	kinds []Kind

	mu  sync.RWMutex
	rev int64
	m   map[string]memoEntry[T]
}

type memoEntry[T any] struct {
	v   T
	err error
}

// NewMemo returns a memo over st holding at most max entries per revision.
// With kinds, only writes of those kinds make its entries stale.
func NewMemo[T any](st Store, max int, kinds ...Kind) *Memo[T] {
	return &Memo[T]{st: st, max: max, kinds: kinds, rev: -1, m: map[string]memoEntry[T]{}}
}

// advance carries the entries over to revision rev when nothing written
// since their revision is of the memo's kinds.
func (m *Memo[T]) advance(ctx context.Context, rev int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.rev >= rev || m.rev < 0 {
		return
	}
	changes, upTo, err := m.st.Changes(ctx, m.rev)
	if err != nil {
		return // the entries go stale as without kinds
	}
	for _, c := range changes {
		if slices.Contains(m.kinds, c.Kind) {
			m.rev, m.m = upTo, map[string]memoEntry[T]{}
			return
		}
	}
	m.rev = upTo
}

// Get returns the value for key, calling load on a miss. Errors are cached
// too (a missing record stays missing until the next write), except those
// of a canceled context.
func (m *Memo[T]) Get(ctx context.Context, key string, load func() (T, error)) (T, error) {
	rev, err := m.st.Revision(ctx)
	if err != nil {
		var zero T
		return zero, err
	}
	m.mu.RLock()
	e, ok := m.m[key]
	fresh := m.rev == rev
	m.mu.RUnlock()
	if ok && fresh {
		return e.v, e.err
	}
	if !fresh && len(m.kinds) > 0 {
		m.advance(ctx, rev)
		m.mu.RLock()
		e, ok = m.m[key]
		fresh = m.rev >= rev
		m.mu.RUnlock()
		if ok && fresh {
			return e.v, e.err
		}
	}
	// The revision was read before loading: if a write lands meanwhile,
	// the entry is filed under the older revision and dropped on the next
	// call, never served as current.
	v, err := load()
	if ctx.Err() != nil {
		return v, err
	}
	m.mu.Lock()
	if m.rev != rev {
		if rev < m.rev {
			m.mu.Unlock()
			return v, err
		}
		m.rev, m.m = rev, map[string]memoEntry[T]{}
	}
	if len(m.m) < m.max {
		m.m[key] = memoEntry[T]{v: v, err: err}
	}
	m.mu.Unlock()
	return v, err
}
