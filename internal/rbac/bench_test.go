package rbac_test

import (
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/rbac"
	"github.com/gatehouse/gatehouse/internal/rbac/rbacbench"
)

// The data is rbacbench's: Azure-sized, and the same that
// bench/rbaccompare compares with Casbin and OPA.

var benchSnaps sync.Map // extraFactor → *benchSnap

type benchSnap struct {
	snap    *rbac.Snapshot
	reqs    []rbac.Request
	compile time.Duration
	count   int
}

func loadBench(b *testing.B, extraFactor int) *benchSnap {
	if v, ok := benchSnaps.Load(extraFactor); ok {
		return v.(*benchSnap)
	}
	w := rbacbench.BuildWorld(extraFactor)
	start := time.Now()
	s, err := rbac.Compile(w.In)
	if err != nil {
		b.Fatal(err)
	}
	bs := &benchSnap{snap: s, reqs: w.Reqs, compile: time.Since(start), count: len(w.In.Assignments)}
	benchSnaps.Store(extraFactor, bs)
	runtime.GC() // settle the build's garbage so no GC cycle runs under the timer
	return bs
}

func BenchmarkDecide(b *testing.B) {
	for _, tc := range []struct {
		name  string
		extra int
	}{{"base", 0}, {"10x-unrelated", 10}} {
		b.Run(tc.name, func(b *testing.B) {
			bs := loadBench(b, tc.extra)
			b.Logf("%d assignments, compiled in %v", bs.count, bs.compile.Round(time.Millisecond))
			allowed := 0
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			b.ReportAllocs()
			b.ResetTimer()
			cpu := rbacbench.ThreadCPU()
			for i := 0; b.Loop(); i++ {
				if bs.snap.Decide(bs.reqs[i&1023]).Allowed {
					allowed++
				}
			}
			cpu = rbacbench.ThreadCPU() - cpu
			b.StopTimer()
			b.ReportMetric(float64(allowed)/float64(b.N), "allowed/op")
			if cpu > 0 {
				b.ReportMetric(float64(cpu)/float64(b.N), "cpu-ns/op")
			}
			p50, p99 := decideQuantiles(bs)
			b.ReportMetric(float64(p50.Nanoseconds()), "p50-ns")
			b.ReportMetric(float64(p99.Nanoseconds()), "p99-ns")
		})
	}
}

// decideQuantiles times single calls (timer overhead included).
func decideQuantiles(bs *benchSnap) (p50, p99 time.Duration) {
	const n = 20000
	ds := make([]time.Duration, n)
	for i := range ds {
		req := bs.reqs[i&1023]
		t := time.Now()
		bs.snap.Decide(req)
		ds[i] = time.Since(t)
	}
	slices.Sort(ds)
	return ds[n/2], ds[n*99/100]
}
