package rbaccompare

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/rbac"
	"github.com/gatehouse/gatehouse/internal/rbac/rbacbench"
)

// Datasets and engines are built once per test binary and shared by the
// agreement test and every benchmark, so all three engines answer from the
// same data in the same run.

var worlds = map[int]func() *rbacbench.World{
	0:  sync.OnceValue(func() *rbacbench.World { return rbacbench.BuildWorld(0) }),
	10: sync.OnceValue(func() *rbacbench.World { return rbacbench.BuildWorld(10) }),
}

// loaded is one engine built from one dataset, with what it cost.
type loaded[T any] struct {
	engine T
	took   time.Duration
	heapMB float64 // live heap growth after a GC, roughly the engine's size
	// cold is the mean time of the first pass over the 1,024 benchmark
	// requests, right after loading: caches (Casbin's g() memo, OPA's
	// compiled globs) start empty.
	cold time.Duration
	err  error
}

func (l *loaded[T]) String() string {
	return fmt.Sprintf("loaded in %v, ~%.0f MiB live heap, first pass %v/decision",
		l.took.Round(time.Millisecond), l.heapMB, l.cold)
}

func liveHeap() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

func load[T any](build func() (T, error)) *loaded[T] {
	before := liveHeap()
	start := time.Now()
	e, err := build()
	l := &loaded[T]{engine: e, took: time.Since(start), err: err}
	l.heapMB = (float64(liveHeap()) - float64(before)) / (1 << 20)
	return l
}

type lazy[T any] struct {
	mu sync.Mutex
	m  map[int]*loaded[T]
}

func (z *lazy[T]) get(factor int, build func(rbac.Input) (T, error), decide func(T, rbac.Request) error) *loaded[T] {
	z.mu.Lock()
	defer z.mu.Unlock()
	if l, ok := z.m[factor]; ok {
		return l
	}
	w := worlds[factor]()
	l := load(func() (T, error) { return build(w.In) })
	if l.err == nil {
		start := time.Now()
		for _, req := range w.Reqs {
			if l.err = decide(l.engine, req); l.err != nil {
				break
			}
		}
		l.cold = time.Since(start) / time.Duration(len(w.Reqs))
	}
	if z.m == nil {
		z.m = map[int]*loaded[T]{}
	}
	z.m[factor] = l
	return l
}

var (
	gatehouseEngines lazy[*rbac.Snapshot]
	casbinEngines    lazy[*Casbin]
	opaEngines       lazy[*OPA]
)

func gatehouseFor(tb testing.TB, factor int) *loaded[*rbac.Snapshot] {
	l := gatehouseEngines.get(factor, rbac.Compile,
		func(s *rbac.Snapshot, req rbac.Request) error { s.Decide(req); return nil })
	if l.err != nil {
		tb.Fatal(l.err)
	}
	return l
}

func casbinFor(tb testing.TB, factor int) *loaded[*Casbin] {
	l := casbinEngines.get(factor, NewCasbin,
		func(c *Casbin, req rbac.Request) error { _, err := c.Decide(req); return err })
	if l.err != nil {
		tb.Fatal(l.err)
	}
	return l
}

func opaFor(tb testing.TB, factor int) *loaded[*OPA] {
	ctx := context.Background()
	l := opaEngines.get(factor, func(in rbac.Input) (*OPA, error) { return NewOPA(ctx, in) },
		func(o *OPA, req rbac.Request) error { _, err := o.Decide(ctx, req); return err })
	if l.err != nil {
		tb.Fatal(l.err)
	}
	return l
}
