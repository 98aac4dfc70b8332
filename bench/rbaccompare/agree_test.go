package rbaccompare

import (
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/rbac"
	"github.com/gatehouse/gatehouse/internal/rbac/rbacbench"
)

// extraRequests draws agreement requests beyond the benchmark's 1,024:
// members of assigned groups (nested), the assignment's own scope, scopes
// below and above it, the management-group assignment, actions taken from
// the assigned role's own Actions, NotActions and DataActions (with `*`
// filled in), upper-cased variants, and a few actions that only an ABAC
// condition decides.
func extraRequests(w *rbacbench.World, n int) []rbac.Request {
	r := rand.New(rand.NewPCG(3, 4))
	base := w.In.Assignments[:w.Base]
	members := map[string][]string{}
	for m, gs := range w.In.GroupsOf {
		for _, g := range gs {
			members[g] = append(members[g], m)
		}
	}
	for _, ms := range members {
		slices.Sort(ms) // map order must not leak into the draws
	}
	roles := map[string]rbac.RoleDefinition{}
	for _, d := range allRoles(w.In) {
		roles[roleGUID(d.ID)] = d
	}
	userUnder := func(id string) string {
		for {
			ms := members[id]
			if len(ms) == 0 {
				return id
			}
			id = ms[r.IntN(len(ms))]
		}
	}
	below := func(scope string) string {
		if top(normScope(scope)) == "" || strings.HasPrefix(normScope(scope), mgPrefix) {
			// above every subscription: any deployment anywhere
			sub := rbacbench.Sub(r.IntN(rbacbench.Subs))
			return rbacbench.Acct(rbacbench.RG(sub, r.IntN(rbacbench.RGsPerSub)), r.IntN(rbacbench.AcctsPerRG)) + "/deployments/gpt-4o"
		}
		switch strings.Count(scope, "/") {
		case 2: // subscription
			return rbacbench.Acct(rbacbench.RG(scope, r.IntN(rbacbench.RGsPerSub)), r.IntN(rbacbench.AcctsPerRG)) + "/deployments/gpt-4o"
		case 4: // resource group
			return rbacbench.Acct(scope, r.IntN(rbacbench.AcctsPerRG)) + "/deployments/gpt-4o"
		case 8: // account
			return scope + "/deployments/gpt-4o"
		}
		return scope
	}
	fill := func(pat string) string { return strings.ReplaceAll(pat, "*", "things") }
	fixed := []struct {
		a    string
		data bool
	}{
		{"Microsoft.Authorization/roleAssignments/write", false}, // conditions decide
		{"Microsoft.Authorization/roleAssignments/delete", false},
		{"Microsoft.CognitiveServices/accounts/deployments/read", false},
		{"Microsoft.CognitiveServices/accounts/OpenAI/deployments/chat/completions/action", true},
		{"Microsoft.CognitiveServices/locations/usages/read", false},
		{"Microsoft.Resources/subscriptions/resourceGroups/read", false},
	}
	out := make([]rbac.Request, n)
	for i := range out {
		a := base[r.IntN(len(base))]
		if i%16 == 0 {
			a = base[len(base)-1] // the management-group assignment
		}
		principal := a.PrincipalID
		switch _, isGroup := members[principal]; {
		case isGroup && r.IntN(10) < 7:
			principal = userUnder(principal)
		case !isGroup && r.IntN(5) == 0:
			principal = rbacbench.GUID(0, r.IntN(rbacbench.Principals))
		}
		scope := a.Scope
		switch p := r.IntN(10); {
		case p < 3:
		case p < 7:
			scope = below(a.Scope)
		case p < 8:
			if anc := rbac.ScopeAncestors(a.Scope, w.In.Parents); len(anc) > 1 {
				scope = anc[1+r.IntN(len(anc)-1)]
			}
		default:
			sub := rbacbench.Sub(r.IntN(rbacbench.Subs))
			scope = rbacbench.Acct(rbacbench.RG(sub, r.IntN(rbacbench.RGsPerSub)), r.IntN(rbacbench.AcctsPerRG))
		}
		var action string
		var data bool
		role := roles[roleGUID(a.RoleDefinitionID)]
		blk := role.Permissions[r.IntN(len(role.Permissions))]
		pick := func(l []string) string { return fill(l[r.IntN(len(l))]) }
		switch p := r.IntN(10); {
		case p < 4 && len(blk.Actions) > 0:
			action = pick(blk.Actions)
		case p < 6 && len(blk.NotActions) > 0:
			action = bothMatch(blk.Actions, pick(blk.NotActions), r)
		case p < 8 && len(blk.DataActions) > 0:
			action, data = pick(blk.DataActions), true
		default:
			f := fixed[r.IntN(len(fixed))]
			action, data = f.a, f.data
		}
		if r.IntN(8) == 0 {
			action, scope, principal = strings.ToUpper(action), strings.ToUpper(scope), strings.ToUpper(principal)
		}
		out[i] = rbac.Request{PrincipalID: principal, Action: action, DataAction: data, Scope: scope}
	}
	return out
}

// bothMatch makes an action that an Actions pattern grants and the
// (filled-in) NotActions pattern na removes, where it can: the trailing
// `*` of a grant is replaced by na ("Microsoft.Provider007/*" and
// "*/delete" give "Microsoft.Provider007/things/delete"). Otherwise it
// returns na.
func bothMatch(actions []string, na string, r *rand.Rand) string {
	var wide []string
	for _, a := range actions {
		if strings.HasSuffix(a, "*") {
			wide = append(wide, a)
		}
	}
	if len(wide) == 0 {
		return na
	}
	a := wide[r.IntN(len(wide))]
	cand := strings.TrimSuffix(a, "*") + strings.TrimPrefix(na, "things/")
	if a == "*" {
		cand = na
	}
	cand = strings.ReplaceAll(cand, "*", "things")
	if rbac.MatchAction(a, cand) {
		return cand
	}
	return na
}

// withoutConditions is in with every condition dropped: the state Casbin
// and OPA are given. A request whose gatehouse decision changes without
// them depends on ABAC and is not compared.
func withoutConditions(in rbac.Input) rbac.Input { return stripped(in, false) }

// withoutNotActions also drops NotActions and NotDataActions: it finds the
// requests that NotActions decide, to make sure the sample has some.
func withoutNotActions(in rbac.Input) rbac.Input { return stripped(in, true) }

func stripped(in rbac.Input, notActions bool) rbac.Input {
	out := in
	out.Roles = allRoles(in)
	for i := range out.Roles {
		ps := append([]rbac.Permission(nil), out.Roles[i].Permissions...)
		for j := range ps {
			ps[j].Condition, ps[j].ConditionVersion = "", ""
			if notActions {
				ps[j].NotActions, ps[j].NotDataActions = nil, nil
			}
		}
		out.Roles[i].Permissions = ps
	}
	out.Assignments = append([]rbac.RoleAssignment(nil), in.Assignments...)
	for i := range out.Assignments {
		out.Assignments[i].Condition, out.Assignments[i].ConditionVersion = "", ""
	}
	return out
}

var agreementRan bool

// TestAgreement checks, before any timing, that the three engines give
// the same allow/deny on the benchmark's 1,024 requests and 1,536 more.
func TestAgreement(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the Azure-sized dataset into three engines (~1 min)")
	}
	// -count N (for the benchmarks) would repeat this N times on the
	// same engines; once per process is enough.
	if agreementRan {
		t.Skip("already checked in this process")
	}
	agreementRan = true
	w := worlds[0]()
	gh := gatehouseFor(t, 0)
	t.Logf("gatehouse: %d assignments, %s", w.Base, gh)
	cb := casbinFor(t, 0)
	t.Logf("casbin: %d p, %d g, %d g2 lines, %s", cb.engine.P, cb.engine.G, cb.engine.G2, cb)
	op := opaFor(t, 0)
	t.Logf("opa: %s", op)
	plain, err := rbac.Compile(withoutConditions(w.In))
	if err != nil {
		t.Fatal(err)
	}
	noNot, err := rbac.Compile(withoutNotActions(w.In))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	reqs := append(append([]rbac.Request(nil), w.Reqs...), extraRequests(w, 1536)...)
	var n struct{ compared, skipped, allow, direct, group, inherited, mg, deny, notActions, data, upper int }
	bad, badCasbin, badOPA := 0, 0, 0
	for i, req := range reqs {
		d := gh.engine.Decide(req)
		if plain.Decide(req).Allowed != d.Allowed {
			n.skipped++
			continue
		}
		n.compared++
		if d.Allowed {
			n.allow++
			g := d.Granted
			if g.ViaGroup == "" {
				n.direct++
			} else {
				n.group++
			}
			if normScope(g.AssignmentScope) != normScope(req.Scope) {
				n.inherited++
			}
			if strings.HasPrefix(normScope(g.AssignmentScope), mgPrefix) {
				n.mg++
			}
		} else {
			n.deny++
			if noNot.Decide(req).Allowed {
				n.notActions++
			}
		}
		if req.DataAction {
			n.data++
		}
		if req.Action != lower(req.Action) {
			if strings.ToUpper(req.Action) == req.Action {
				n.upper++
			}
		}
		c, err := cb.engine.Decide(req)
		if err != nil {
			t.Fatal(err)
		}
		o, err := op.engine.Decide(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if c != d.Allowed {
			badCasbin++
		}
		if o != d.Allowed {
			badOPA++
		}
		if c != d.Allowed || o != d.Allowed {
			bad++
			if bad <= 10 {
				t.Errorf("request %d %+v: gatehouse %v (%s), casbin %v, opa %v", i, req, d.Allowed, d.Explain(), c, o)
			}
		}
	}
	t.Logf("%d requests: %d compared (%d allowed: %d direct, %d via a group, %d from an ancestor scope, %d from a management group; %d denied, %d of them by NotActions; %d data actions; %d upper-cased), %d skipped (an ABAC condition decides), %d disagreements (Casbin %d, OPA %d)",
		len(reqs), n.compared, n.allow, n.direct, n.group, n.inherited, n.mg, n.deny, n.notActions, n.data, n.upper, n.skipped, bad, badCasbin, badOPA)
	for _, c := range []struct {
		what      string
		got, want int
	}{
		{"compared", n.compared, 1000}, {"direct allows", n.direct, 50}, {"group allows", n.group, 50},
		{"inherited allows", n.inherited, 50}, {"management-group allows", n.mg, 1}, {"denies", n.deny, 200},
		{"denies by NotActions", n.notActions, 20}, {"data-plane requests", n.data, 100}, {"upper-cased requests", n.upper, 50},
		{"skipped (ABAC)", n.skipped, 1},
	} {
		if c.got < c.want {
			t.Errorf("only %d %s in the sample, want at least %d", c.got, c.what, c.want)
		}
	}
}
