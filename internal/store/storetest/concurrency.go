package storetest

import (
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gatehouse/gatehouse/internal/store"
)

var concurrencyCases = []testCase{
	{"ConcurrentIncrements", testConcurrentIncrements},
	{"ConcurrentCreatesOfOneKey", testConcurrentCreatesOfOneKey},
}

const (
	writers   = 20
	increment = 20
	readers   = 4
)

// Read-modify-write of one counter from many goroutines, with readers
// running alongside: every increment must land, and what readers see must
// only move forward.
func testConcurrentIncrements(t *testing.T, s store.Store) {
	ctx := t.Context()
	start := create(t, s, store.Record{Kind: "counter", ID: "c", Data: []byte("0")})
	rev0 := revision(t, s)

	var stop atomic.Bool
	var rwg sync.WaitGroup
	for range readers {
		rwg.Go(func() {
			var lastN, lastRev int64
			for !stop.Load() {
				rev, err := s.Revision(ctx)
				if err != nil {
					t.Errorf("Revision: %v", err)
					return
				}
				r, err := s.Get(ctx, "counter", "c")
				if err != nil {
					t.Errorf("Get: %v", err)
					return
				}
				n, _ := strconv.ParseInt(string(r.Data), 10, 64)
				if n < lastN || rev < lastRev {
					t.Errorf("reader went back: counter %d → %d, revision %d → %d", lastN, n, lastRev, rev)
					return
				}
				lastN, lastRev = n, rev
			}
		})
	}

	var wg sync.WaitGroup
	for range writers {
		wg.Go(func() {
			for range increment {
				err := s.Update(ctx, func(tx store.Tx) error {
					r, err := tx.Get(ctx, "counter", "c")
					if err != nil {
						return err
					}
					n, err := strconv.ParseInt(string(r.Data), 10, 64)
					if err != nil {
						return err
					}
					r.Data = strconv.AppendInt(nil, n+1, 10)
					_, err = tx.Put(ctx, r) // carries the Version it read
					return err
				})
				if err != nil {
					t.Errorf("Update: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	stop.Store(true)
	rwg.Wait()

	got := mustGet(t, s, "counter", "c")
	if want := strconv.Itoa(writers * increment); string(got.Data) != want {
		t.Errorf("counter = %s, want %s", got.Data, want)
	}
	if got.Version < start.Version+writers*increment {
		t.Errorf("Version = %d after %d writes from %d", got.Version, writers*increment, start.Version)
	}
	if rev := revision(t, s); rev < rev0+writers*increment {
		t.Errorf("Revision = %d after %d commits from %d", rev, writers*increment, rev0)
	}
}

func testConcurrentCreatesOfOneKey(t *testing.T, s store.Store) {
	const n = 10
	var wins, conflicts atomic.Int32
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			err := tryCreate(t, s, store.Record{Kind: "user", ID: "u" + strconv.Itoa(i), Keys: []string{"upn:shared"}})
			switch {
			case err == nil:
				wins.Add(1)
			case errors.Is(err, store.ErrConflict):
				conflicts.Add(1)
			default:
				t.Errorf("Create: %v", err)
			}
		})
	}
	wg.Wait()
	if wins.Load() != 1 || conflicts.Load() != n-1 {
		t.Errorf("%d creates won and %d conflicted, want 1 and %d", wins.Load(), conflicts.Load(), n-1)
	}
	if got := mustList(t, s, store.Query{Kind: "user"}); len(got) != 1 {
		t.Errorf("List: %d users, want 1", len(got))
	}
}
