package authz

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/directory"
	"github.com/gatehouse/gatehouse/internal/rbac"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
)

// Write-to-effect: how long the next decision takes after a write, beside
// the steady decision, at several tenant sizes (issue: "a change costs
// what it changes"). Sizes: GATEHOUSE_AUTHZ_SIZES (default 2000,20000;
// docs/benchmarks.md runs 2000,20000,200000).
//
//	GATEHOUSE_AUTHZ_SIZES=2000,20000,200000 go test -run x -bench WriteToEffect -benchtime 400x ./internal/authz/
func BenchmarkWriteToEffect(b *testing.B) {
	for _, n := range benchSizes(b) {
		w := benchWorld(b, n)
		b.Run(fmt.Sprintf("assignments=%d/steady", n), func(b *testing.B) {
			i := 0
			for b.Loop() {
				w.decide(b, w.reqs[i%len(w.reqs)])
				i++
			}
			b.ReportMetric(float64(w.startup.Nanoseconds()), "startup-compile-ns")
		})
		for _, kind := range []string{"assignment-created", "assignment-deleted", "member-added", "unrelated-principal"} {
			b.Run(fmt.Sprintf("assignments=%d/%s", n, kind), func(b *testing.B) { w.afterWrites(b, kind) })
		}
	}
}

func benchSizes(b *testing.B) []int {
	s := os.Getenv("GATEHOUSE_AUTHZ_SIZES")
	if s == "" {
		s = "2000,20000"
	}
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			b.Fatalf("GATEHOUSE_AUTHZ_SIZES: %v", err)
		}
		out = append(out, n)
	}
	return out
}

type benchState struct {
	// startup is the best of three full compiles of the stored state (read
	// and compile, as at start).
	startup time.Duration
	st      store.Store
	a       *Authorizer
	reqs    []rbac.Request
	groups  []string
	r       *rand.Rand
	seq     int
}

var benchWorlds sync.Map

// benchWorld writes n role assignments (a quarter to groups, a tenth of
// principals in groups) over 50 subscriptions into a SQLite store, once
// per size and process.
func benchWorld(b *testing.B, n int) *benchState {
	if w, ok := benchWorlds.Load(n); ok {
		return w.(*benchState)
	}
	dir, err := os.MkdirTemp("", "gatehouse-authz-bench-")
	if err != nil {
		b.Fatal(err)
	}
	st, err := sqlite.Open(filepath.Join(dir, "s.db"))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	r := rand.New(rand.NewPCG(1, 2))
	principals, groups := n/2, max(n/20, 10)
	pid := func(i int) string { return fmt.Sprintf("%08x-0000-4000-8000-000000000000", i) }
	gid := func(i int) string { return fmt.Sprintf("%08x-0000-4000-8000-00000000000g", i) }
	sub := func(i int) string { return fmt.Sprintf("/subscriptions/%08x-5555-4000-8000-000000000000", i) }
	scope := func() string {
		s := sub(r.IntN(50))
		if r.IntN(2) == 0 {
			s += fmt.Sprintf("/resourceGroups/rg-%d", r.IntN(20))
		}
		return s
	}
	roles := []string{"acdd72a7-3385-48ef-bd42-f606fba81ae7", "b24988ac-6180-42a0-ab88-20f7382dd24c", "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd"}
	var docs []store.Doc
	for i := range 50 {
		docs = append(docs, &ScopeParent{TenantID: tTenant, Child: sub(i), Parent: "/"})
	}
	for i := range n {
		who := pid(r.IntN(principals))
		if i%4 == 0 {
			who = gid(r.IntN(groups))
		}
		docs = append(docs, &RoleAssignmentDoc{TenantID: tTenant, RoleAssignment: rbac.RoleAssignment{
			Name: fmt.Sprintf("%08x-aaaa-4000-8000-000000000000", i), Scope: scope(), RoleDefinitionID: roles[r.IntN(len(roles))], PrincipalID: who}})
	}
	for i := range principals / 10 {
		docs = append(docs, &directory.Membership{TenantID: tTenant, GroupID: gid(r.IntN(groups)), MemberID: pid(i * 10)})
	}
	for start := 0; start < len(docs); start += 10000 {
		chunk := docs[start:min(start+10000, len(docs))]
		if err := st.Update(ctx, func(tx store.Tx) error {
			for _, d := range chunk {
				if err := store.PutDoc(ctx, tx, d); err != nil && !strings.Contains(err.Error(), "conflict") {
					return err
				}
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
	w := &benchState{st: st, a: New(st, nil), r: r}
	for i := range 1024 {
		w.reqs = append(w.reqs, rbac.Request{Tenant: tTenant, PrincipalID: pid((i * 7919) % principals),
			Action: "Microsoft.CognitiveServices/accounts/write", Scope: scope() + "/providers/Microsoft.CognitiveServices/accounts/a"})
	}
	for i := range groups {
		w.groups = append(w.groups, gid(i))
	}
	if _, err := w.a.Snapshot(ctx); err != nil {
		b.Fatal(err)
	}
	for range 3 {
		t0 := time.Now()
		if _, err := New(st, nil).Snapshot(ctx); err != nil {
			b.Fatal(err)
		}
		if d := time.Since(t0); w.startup == 0 || d < w.startup {
			w.startup = d
		}
	}
	benchWorlds.Store(n, w)
	return w
}

func (w *benchState) decide(b *testing.B, req rbac.Request) rbac.Decision {
	d, _, err := w.a.Decide(context.Background(), req)
	if err != nil {
		b.Fatal(err)
	}
	return d
}

// afterWrites times the first decision after each write (the write's own
// commit excluded: that is the store's cost, the same at every size), and
// reports its p50 and p99.
func (w *benchState) afterWrites(b *testing.B, kind string) {
	ctx := context.Background()
	var lat []time.Duration
	for b.Loop() {
		b.StopTimer()
		w.seq++
		req := w.reqs[w.seq%len(w.reqs)]
		var d store.Doc
		switch kind {
		case "assignment-created", "assignment-deleted":
			a := &RoleAssignmentDoc{TenantID: tTenant, RoleAssignment: rbac.RoleAssignment{Name: fmt.Sprintf("%08x-bbbb-4000-8000-000000000000", w.seq),
				Scope: req.Scope, RoleDefinitionID: "b24988ac-6180-42a0-ab88-20f7382dd24c", PrincipalID: req.PrincipalID}}
			d = a
			if kind == "assignment-deleted" { // create it unseen, then time its deletion
				if err := w.st.Update(ctx, func(tx store.Tx) error { return store.PutDoc(ctx, tx, a) }); err != nil {
					b.Fatal(err)
				}
				w.decide(b, req)
				d = nil
				if err := w.st.Update(ctx, func(tx store.Tx) error { return tx.Delete(ctx, KindRoleAssignment, a.StoreID()) }); err != nil {
					b.Fatal(err)
				}
			}
		case "member-added":
			d = &directory.Membership{TenantID: tTenant, GroupID: w.groups[w.seq%len(w.groups)], MemberID: req.PrincipalID}
		case "unrelated-principal":
			d = &directory.ServicePrincipal{ID: fmt.Sprintf("%08x-cccc-4000-8000-000000000000", w.seq), AppID: fmt.Sprintf("%08x-dddd-4000-8000-000000000000", w.seq),
				TenantID: tTenant, DisplayName: "ci-bot"}
		}
		if d != nil {
			if err := w.st.Update(ctx, func(tx store.Tx) error { return store.PutDoc(ctx, tx, d) }); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		t0 := time.Now()
		dec := w.decide(b, req)
		lat = append(lat, time.Since(t0))
		if kind == "assignment-created" && !dec.Allowed {
			b.Fatal("the new assignment did not take effect on the next decision")
		}
		if kind == "assignment-deleted" && dec.Granted != nil && strings.Contains(dec.Granted.Assignment.Name, "-bbbb-") {
			b.Fatal("the deleted assignment still granted on the next decision")
		}
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns")
}
