package authz

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/gatehouse/gatehouse/internal/directory"
	"github.com/gatehouse/gatehouse/internal/rbac"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
)

const (
	tTenant = "aaaaaaaa-0000-0000-0000-000000000000"
	tSub    = "/subscriptions/a1a1a1a1-0000-0000-0000-000000000000"
	tOwner  = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
	tReader = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
	tCustom = "c0c0c0c0-0000-0000-0000-000000000000"
	tMG     = "/providers/Microsoft.Management/managementGroups/"
)

// The authorizer that follows the store by its changes decides exactly as
// a fresh compile of the store, after every one of a long random sequence
// of writes: role assignments, nested group memberships, custom roles,
// deny assignments, management-group moves and writes that decide nothing.
func TestFollowingAgreesWithCompile(t *testing.T) {
	for seed := uint64(1); seed <= 6; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { followAgreement(t, seed, 150) })
	}
}

func followAgreement(t *testing.T, seed uint64, steps int) {
	ctx := context.Background()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	a := New(st, nil)
	a.CompactAt = 8 // compact often, to exercise the swap
	r := rand.New(rand.NewPCG(seed, 99))
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	principals := []string{"p0", "p1", "p2", "p3", "g0", "g1", "g2"}
	scopes := []string{"/", tMG + "m1", tMG + "m2", tSub, tSub + "/resourceGroups/r1", tSub + "/resourceGroups/r1/providers/Microsoft.CognitiveServices/accounts/a"}
	actions := []string{"Microsoft.CognitiveServices/accounts/write", "Microsoft.Resources/subscriptions/resourceGroups/read", "Microsoft.Authorization/roleAssignments/delete"}
	put := func(d store.Doc) {
		err := st.Update(ctx, func(tx store.Tx) error { return store.PutDoc(ctx, tx, d) })
		if err != nil && !errors.Is(err, store.ErrConflict) { // a second identical assignment is refused
			t.Fatal(err)
		}
	}
	del := func(kind store.Kind, id string) {
		_ = st.Update(ctx, func(tx store.Tx) error { return tx.Delete(ctx, kind, id) })
	}
	put(&ScopeParent{TenantID: tTenant, Child: tSub, Parent: "/"})
	put(&ScopeParent{TenantID: tTenant, Child: tMG + "m2", Parent: tMG + "m1"})
	for step := range steps {
		switch op := r.IntN(10); {
		case op < 4:
			name := fmt.Sprintf("0000000%d-0000-0000-0000-000000000000", r.IntN(9))
			if r.IntN(3) == 0 {
				del(KindRoleAssignment, DocID(tTenant, name))
				break
			}
			put(&RoleAssignmentDoc{TenantID: tTenant, RoleAssignment: rbac.RoleAssignment{Name: name, Scope: pick(scopes...),
				RoleDefinitionID: pick(tOwner, tReader, tCustom), PrincipalID: pick(principals...)}})
		case op < 7:
			m := &directory.Membership{TenantID: tTenant, GroupID: pick("g0", "g1", "g2"), MemberID: pick(principals...)}
			if r.IntN(2) == 0 {
				del(directory.KindMembership, m.StoreID())
			} else {
				put(m)
			}
		case op == 7:
			put(&RoleDefinitionDoc{TenantID: tTenant, RoleDefinition: rbac.RoleDefinition{ID: tCustom, RoleName: "c", Type: rbac.CustomRole,
				AssignableScopes: []string{pick(tSub, tMG+"m1", tSub+"/resourceGroups/r1")},
				Permissions:      []rbac.Permission{{Actions: []string{pick("*", "*/read", "Microsoft.CognitiveServices/*")}}}}})
		case op == 8:
			if r.IntN(2) == 0 {
				put(&DenyAssignmentDoc{TenantID: tTenant, DenyAssignment: rbac.DenyAssignment{Name: "d", Scope: pick(scopes...),
					Principals: []rbac.Principal{{ID: pick(principals...)}}, Permissions: []rbac.Permission{{Actions: []string{"*/write"}}}}})
			} else {
				put(&ScopeParent{TenantID: tTenant, Child: tSub, Parent: pick("/", tMG+"m1", tMG+"m2")})
			}
		default: // decides nothing
			put(&directory.Application{ID: fmt.Sprint(step), AppID: fmt.Sprint(step), TenantID: tTenant, DisplayName: "x"})
		}
		got, err := a.Snapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		in, err := load(ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := rbac.Compile(*in)
		for _, p := range principals {
			for _, sc := range scopes {
				for _, act := range actions {
					req := rbac.Request{Tenant: tTenant, PrincipalID: p, Action: act, Scope: sc}
					if g, w := got.Decide(req), want.Decide(req); g.Allowed != w.Allowed {
						t.Fatalf("step %d: %s %s at %s: following says %v (%s), a compile says %v (%s)", step, p, act, sc, g.Allowed, g.Explain(), w.Allowed, w.Explain())
					}
				}
			}
		}
	}
	s := a.Stats()
	t.Logf("compiles %d, followed %d, skipped %d, compactions %d", s.Compiles.Load(), s.Followed.Load(), s.Skipped.Load(), s.Compactions.Load())
	if s.Followed.Load() == 0 || s.Skipped.Load() == 0 {
		t.Error("the sequence never followed or never skipped: the test exercises nothing")
	}
}
