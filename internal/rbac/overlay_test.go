package rbac

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// The overlay decides exactly as a fresh compile of the same state: random
// bases and random sequences of assignment and membership changes (groups
// nested several deep, conditions, deny assignments, management groups),
// compared on a sample of requests after every change.
func TestOverlayAgreesWithCompile(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { overlayAgreement(t, seed, 60) })
	}
}

type overlayWorld struct {
	r           *rand.Rand
	principals  []string
	groups      []string
	scopes      []string
	roles       []string
	actions     []string
	assignments map[string]RoleAssignment // by key
	members     map[string][2]string      // membership id → member, group
	in          Input
}

func newOverlayWorld(seed uint64) *overlayWorld {
	w := &overlayWorld{r: rand.New(rand.NewPCG(seed, seed*7)), assignments: map[string]RoleAssignment{}, members: map[string][2]string{}}
	for i := range 8 {
		w.principals = append(w.principals, fmt.Sprintf("p%d", i))
	}
	for i := range 6 {
		w.groups = append(w.groups, fmt.Sprintf("g%d", i))
	}
	mg := TenantScope(tenA, "/providers/Microsoft.Management/managementGroups/m1")
	w.in.Parents = map[string]string{TenantScope(tenA, subA): mg, mg: TenantScope(tenA, "/")}
	w.scopes = []string{"/", "/providers/Microsoft.Management/managementGroups/m1", subA, subA + "/resourceGroups/r1",
		subA + "/resourceGroups/r1/providers/Microsoft.CognitiveServices/accounts/a1", subA + "/resourceGroups/r2"}
	w.roles = []string{ownerGUID, "acdd72a7-3385-48ef-bd42-f606fba81ae7" /* Reader */, custom}
	w.in.Roles = []RoleDefinition{{Tenant: tenA, ID: custom, RoleName: "c", Type: CustomRole, AssignableScopes: []string{subA},
		Permissions: []Permission{{Actions: []string{"Microsoft.CognitiveServices/*"}, NotActions: []string{"*/delete"}}}}}
	w.actions = []string{"Microsoft.CognitiveServices/accounts/write", "Microsoft.CognitiveServices/accounts/delete",
		"Microsoft.Resources/subscriptions/resourceGroups/read", "Microsoft.Authorization/roleAssignments/write"}
	w.in.Denies = []DenyAssignment{{Tenant: tenA, Name: "d", Scope: subA + "/resourceGroups/r2", Principals: []Principal{{ID: "g1"}},
		Permissions: []Permission{{Actions: []string{"*"}}}}}
	for range 10 {
		w.randomAssignment()
	}
	for range 6 {
		w.randomMembership()
	}
	return w
}

func (w *overlayWorld) pick(xs []string) string { return xs[w.r.IntN(len(xs))] }

func (w *overlayWorld) randomAssignment() (string, AssignmentChange) {
	name := fmt.Sprintf("a%d", w.r.IntN(14))
	key := TenantKey(tenA, name)
	if _, ok := w.assignments[key]; ok && w.r.IntN(2) == 0 {
		delete(w.assignments, key)
		return key, AssignmentChange{}
	}
	who := w.pick(w.principals)
	if w.r.IntN(3) == 0 {
		who = w.pick(w.groups)
	}
	a := RoleAssignment{Tenant: tenA, Name: name, Scope: w.pick(w.scopes), RoleDefinitionID: w.pick(w.roles), PrincipalID: who}
	if w.r.IntN(5) == 0 {
		a.Condition = "@Resource[Microsoft.CognitiveServices/accounts:name] StringEquals 'a1'"
		a.ConditionVersion = "2.0"
	}
	w.assignments[key] = a
	return key, AssignmentChange{Present: true, Assignment: a}
}

func (w *overlayWorld) randomMembership() (string, MembershipChange) {
	g := w.pick(w.groups)
	m := w.pick(w.principals)
	if w.r.IntN(2) == 0 {
		m = w.pick(w.groups) // nested, cycles included
	}
	id := g + ":" + m
	if _, ok := w.members[id]; ok {
		delete(w.members, id)
		return id, MembershipChange{Member: m, Group: g}
	}
	w.members[id] = [2]string{m, g}
	return id, MembershipChange{Present: true, Member: m, Group: g}
}

func (w *overlayWorld) input() Input {
	in := w.in
	in.Assignments = nil
	for _, a := range w.assignments {
		in.Assignments = append(in.Assignments, a)
	}
	in.GroupsOf = map[string][]string{}
	for _, e := range w.members {
		in.GroupsOf[e[0]] = append(in.GroupsOf[e[0]], e[1])
	}
	return in
}

func overlayAgreement(t *testing.T, seed uint64, steps int) {
	w := newOverlayWorld(seed)
	base, _ := Compile(w.input())
	cur := base
	for step := range steps {
		var ch Changes
		if w.r.IntN(2) == 0 {
			k, c := w.randomAssignment()
			ch.Assignments = map[string]AssignmentChange{k: c}
		} else {
			k, c := w.randomMembership()
			ch.Memberships = map[string]MembershipChange{k: c}
		}
		cur, _ = cur.With(ch)
		fresh, _ := Compile(w.input())
		for _, p := range append(append([]string{}, w.principals...), w.groups...) {
			for _, sc := range w.scopes {
				for _, act := range w.actions {
					req := Request{Tenant: tenA, PrincipalID: p, Action: act, Scope: sc,
						ResourceAttrs: map[string][]string{"Microsoft.CognitiveServices/accounts:name": {"a1"}}}
					got, want := cur.Decide(req), fresh.Decide(req)
					if got.Allowed != want.Allowed || (got.Granted == nil) != (want.Granted == nil) ||
						got.Granted != nil && got.Granted.Assignment.Name != want.Granted.Assignment.Name ||
						(got.DeniedBy == nil) != (want.DeniedBy == nil) {
						t.Fatalf("step %d: %+v: overlay says %v (%s), compile says %v (%s)", step, req, got.Allowed, got.Explain(), want.Allowed, want.Explain())
					}
				}
				if gp, wp := len(cur.Permissions(tenA, p, sc)), len(fresh.Permissions(tenA, p, sc)); gp != wp {
					t.Fatalf("step %d: Permissions(%s, %s): overlay %d blocks, compile %d", step, p, sc, gp, wp)
				}
			}
		}
	}
	if base.Overlaid() != 0 || cur.Overlaid() == 0 {
		t.Fatalf("the base changed (%d) or the overlay is empty (%d)", base.Overlaid(), cur.Overlaid())
	}
}
