package store

import (
	"context"
	"sync"
)

// Memo caches values computed from the store for as long as the store's
// revision does not change: a hit costs a revision read and a map lookup,
// and any committed write makes every entry stale at once, so a cached
// value is never older than the last write the caller could have seen.
// Cached values are shared: callers must not modify them.
type Memo[T any] struct {
	st  Store
	max int

	mu  sync.RWMutex
	rev int64
	m   map[string]memoEntry[T]
}

type memoEntry[T any] struct {
	v   T
	err error
}

// NewMemo returns a memo over st holding at most max entries per revision.
func NewMemo[T any](st Store, max int) *Memo[T] {
	return &Memo[T]{st: st, max: max, rev: -1, m: map[string]memoEntry[T]{}}
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
