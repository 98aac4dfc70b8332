package rbaccompare

import (
	"context"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/rbac"
	"github.com/gatehouse/gatehouse/internal/rbac/rbacbench"
)

// The three benchmarks walk the same rotating list of 1,024 requests
// (internal/rbac's BenchmarkDecide list) on one goroutine locked to its
// OS thread. "base" is the Azure-sized state, "10x" adds ten times as many
// unrelated assignments (other principals on the same scopes, and other
// subscriptions). Casbin runs on "base" only: see README.md.

func BenchmarkGatehouse(b *testing.B) {
	for _, f := range []struct {
		name   string
		factor int
	}{{"base", 0}, {"10x", 10}} {
		b.Run(f.name, func(b *testing.B) {
			l := gatehouseFor(b, f.factor)
			s, reqs := l.engine, worlds[f.factor]().Reqs
			run(b, l.String(), reqs, func(req rbac.Request) bool { return s.Decide(req).Allowed }, 20)
		})
	}
}

func BenchmarkCasbin(b *testing.B) {
	b.Run("base", func(b *testing.B) {
		l := casbinFor(b, 0)
		c, reqs := l.engine, worlds[0]().Reqs
		run(b, l.String(), reqs, func(req rbac.Request) bool {
			ok, err := c.Decide(req)
			if err != nil {
				b.Fatal(err)
			}
			return ok
		}, 1)
	})
}

func BenchmarkOPA(b *testing.B) {
	ctx := context.Background()
	for _, f := range []struct {
		name   string
		factor int
	}{{"base", 0}, {"10x", 10}} {
		b.Run(f.name, func(b *testing.B) {
			l := opaFor(b, f.factor)
			o, reqs := l.engine, worlds[f.factor]().Reqs
			run(b, l.String(), reqs, func(req rbac.Request) bool {
				ok, err := o.Decide(ctx, req)
				if err != nil {
					b.Fatal(err)
				}
				return ok
			}, 1)
		})
	}
}

// order is the benchmark's request list in a fixed random permutation,
// the same for every engine: a slow engine's timed loop may not get
// through all 1,024 requests, and a prefix of a random permutation is an
// unbiased sample of them, where a prefix of the list in its own order
// need not be.
func order(reqs []rbac.Request) []rbac.Request {
	out := make([]rbac.Request, len(reqs))
	for i, j := range rand.New(rand.NewPCG(5, 6)).Perm(len(reqs)) {
		out[i] = reqs[j]
	}
	return out
}

var processStart = time.Now()

var settled sync.Map // benchmark name → true once a GC settled its load

// run times decide over the permuted requests, rotating, and reports
// beside ns/op and allocs:
//   - cpu-ns/op: this thread's CPU time (preemption on a shared machine
//     inflates wall time, not this);
//   - decisions/s: b.N over the timed wall time;
//   - from a second, untimed-by-the-framework pass of `passes` full
//     rounds over all 1,024 requests, each call timed on its own (timer
//     overhead included): p50-ns, p99-ns, mean-ns, and allowed/op, which
//     is then exactly the same for every engine that agrees.
func run(b *testing.B, loadInfo string, reqs []rbac.Request, decide func(rbac.Request) bool, passes int) {
	b.Logf("%d requests; engine %s; %v into the run", len(reqs), loadInfo, time.Since(processStart).Round(time.Second))
	reqs = order(reqs)
	// Settle the load's garbage before the first timed run of each
	// benchmark only: with the 10x data and Casbin resident the live heap
	// is ~10 GiB, and a forced GC before every -count run costs seconds.
	if _, done := settled.LoadOrStore(b.Name(), true); !done {
		runtime.GC()
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.ReportAllocs()
	b.ResetTimer()
	cpu := rbacbench.ThreadCPU()
	for i := 0; b.Loop(); i++ {
		decide(reqs[i%len(reqs)])
	}
	cpu = rbacbench.ThreadCPU() - cpu
	b.StopTimer()
	if cpu > 0 {
		b.ReportMetric(float64(cpu)/float64(b.N), "cpu-ns/op")
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
	ds := make([]time.Duration, passes*len(reqs))
	allowed := 0
	var sum time.Duration
	for i := range ds {
		req := reqs[i%len(reqs)]
		t := time.Now()
		ok := decide(req)
		ds[i] = time.Since(t)
		sum += ds[i]
		if ok {
			allowed++
		}
	}
	slices.Sort(ds)
	b.ReportMetric(float64(ds[len(ds)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(ds[len(ds)*99/100].Nanoseconds()), "p99-ns")
	b.ReportMetric(float64(sum.Nanoseconds())/float64(len(ds)), "mean-ns")
	b.ReportMetric(float64(allowed)/float64(len(ds)), "allowed/op")
}
