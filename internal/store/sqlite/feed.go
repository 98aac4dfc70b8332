package sqlite

import (
	"sync"

	"github.com/gatehouse/gatehouse/internal/store"
)

// feed keeps the changes of the latest commits in memory. This process is
// the database's only writer (see lockFile), so it sees every change; after
// a restart, consumers start from a full read anyway. A commit with more
// changes than the feed holds (a bulk import) moves its start past them:
// consumers then reload, which is what such a commit calls for.
type feed struct {
	mu      sync.RWMutex
	changes []store.Change // oldest first
	from    int64          // every change with Rev > from is in changes
}

// feedMax bounds the changes kept; far more than a consumer falls behind
// between two requests.
const feedMax = 1 << 15

func (f *feed) add(rev int64, cs []store.Change) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(cs) > feedMax {
		f.changes, f.from = f.changes[:0], rev
		return
	}
	for i := range cs {
		cs[i].Rev = rev
	}
	if over := len(f.changes) + len(cs) - feedMax; over > 0 {
		// Drop whole revisions from the front, so from stays exact.
		cut := over
		for cut < len(f.changes) && f.changes[cut].Rev == f.changes[cut-1].Rev {
			cut++
		}
		f.from = f.changes[cut-1].Rev
		f.changes = append(f.changes[:0], f.changes[cut:]...)
	}
	f.changes = append(f.changes, cs...)
}

// since returns the changes after rev, or ErrChangesGone.
func (f *feed) since(after, current int64) ([]store.Change, int64, error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	if after >= current {
		return nil, current, nil
	}
	if after < f.from {
		return nil, current, store.ErrChangesGone
	}
	i := len(f.changes)
	for i > 0 && f.changes[i-1].Rev > after {
		i--
	}
	out := make([]store.Change, 0, len(f.changes)-i)
	for _, c := range f.changes[i:] {
		if c.Rev <= current {
			out = append(out, c)
		}
	}
	return out, current, nil
}
