package rbaccompare

// This file is a copy of the generator in internal/rbac/bench_test.go
// (unexported there, and in a _test file): the same constants, the same
// PCG(1, 2) seed and the same draw order, so the comparison runs on the
// very data BenchmarkDecide uses. Keep the two in step; TestGeneratorMatches
// checks a fingerprint of the output.

import (
	"fmt"
	"math/rand/v2"

	"github.com/gatehouse/gatehouse/internal/rbac"
)

const (
	benchSubs        = 50
	benchPerSub      = 4000
	benchPrincipals  = 100000
	benchCustomRoles = 500
	benchRGsPerSub   = 20
	benchAcctsPerRG  = 2
)

func benchGUID(kind, i int) string {
	return fmt.Sprintf("%08x-%04x-4000-8000-%012x", i, kind, i*7919)
}

func benchSub(i int) string { return "/subscriptions/" + benchGUID(1, i) }
func benchRG(sub string, r int) string {
	return fmt.Sprintf("%s/resourceGroups/rg-%02d", sub, r)
}
func benchAcct(rg string, a int) string {
	return fmt.Sprintf("%s/providers/Microsoft.CognitiveServices/accounts/acct-%d", rg, a)
}

// World is one generated authorization state and its request list.
type World struct {
	In   rbac.Input
	Reqs []rbac.Request
	// Base is the number of assignments before the unrelated ones.
	Base int
}

func benchCustomRolesList() []rbac.RoleDefinition {
	out := make([]rbac.RoleDefinition, benchCustomRoles)
	for i := range out {
		out[i] = rbac.RoleDefinition{
			ID: benchGUID(2, i), RoleName: fmt.Sprintf("Custom %03d", i), Type: rbac.CustomRole,
			Permissions: []rbac.Permission{{
				Actions: []string{
					fmt.Sprintf("Microsoft.Provider%03d/*", i),
					"Microsoft.CognitiveServices/accounts/*/read",
					fmt.Sprintf("Microsoft.CognitiveServices/accounts/deployments/x%d*/action", i),
					"*/usages/read",
				},
				NotActions:  []string{"*/delete"},
				DataActions: []string{fmt.Sprintf("Microsoft.CognitiveServices/accounts/OpenAI/deployments/*/x%d/action", i), "Microsoft.CognitiveServices/accounts/AIServices/*/read"},
			}},
			AssignableScopes: []string{"/"},
		}
	}
	return out
}

// benchGroups: 100,000 users in two of 2,000 groups; each of those in one
// of 200; each of those in one of 20 — three levels.
func benchGroups(r *rand.Rand) (map[string][]string, []string) {
	groups := map[string][]string{}
	var all []string
	l1, l2, l3 := make([]string, 2000), make([]string, 200), make([]string, 20)
	for i := range l3 {
		l3[i] = benchGUID(5, i)
	}
	for i := range l2 {
		l2[i] = benchGUID(4, i)
		groups[l2[i]] = []string{l3[r.IntN(len(l3))]}
	}
	for i := range l1 {
		l1[i] = benchGUID(3, i)
		groups[l1[i]] = []string{l2[r.IntN(len(l2))]}
	}
	for i := 0; i < benchPrincipals; i++ {
		groups[benchGUID(0, i)] = []string{l1[r.IntN(len(l1))], l1[r.IntN(len(l1))]}
	}
	all = append(append(append(all, l1...), l2...), l3...)
	return groups, all
}

// benchScope picks an assignment scope in sub: 10% subscription, 40%
// resource group, 40% account, 10% deployment.
func benchScope(r *rand.Rand, sub string) string {
	rg := benchRG(sub, r.IntN(benchRGsPerSub))
	acct := benchAcct(rg, r.IntN(benchAcctsPerRG))
	switch p := r.IntN(10); {
	case p == 0:
		return sub
	case p <= 4:
		return rg
	case p <= 8:
		return acct
	default:
		return acct + "/deployments/gpt-4o"
	}
}

func benchAssignment(r *rand.Rand, n int, scope, principal string, roleIDs []string) rbac.RoleAssignment {
	name := benchGUID(6, n)
	return rbac.RoleAssignment{
		ID: scope + "/providers/Microsoft.Authorization/roleAssignments/" + name, Name: name, Scope: scope,
		RoleDefinitionID: roleIDs[r.IntN(len(roleIDs))], PrincipalID: principal, PrincipalType: "User",
	}
}

// BuildWorld is buildBenchWorld: extraFactor 0 is the Azure-sized state,
// 10 adds ten times as many unrelated assignments.
func BuildWorld(extraFactor int) *World {
	r := rand.New(rand.NewPCG(1, 2))
	w := &World{}
	w.In.Roles = benchCustomRolesList()
	var roleIDs []string
	for _, b := range rbac.BuiltinRoles() {
		roleIDs = append(roleIDs, b.ID)
	}
	for _, c := range w.In.Roles {
		roleIDs = append(roleIDs, c.ID)
	}
	var groups []string
	w.In.GroupsOf, groups = benchGroups(r)
	w.In.Parents = map[string]string{}
	for s := 0; s < benchSubs; s++ {
		w.In.Parents[benchSub(s)] = fmt.Sprintf("/providers/Microsoft.Management/managementGroups/mg-%d", s%5)
	}
	for m := 0; m < 5; m++ {
		w.In.Parents[fmt.Sprintf("/providers/Microsoft.Management/managementGroups/mg-%d", m)] = "/providers/Microsoft.Management/managementGroups/mg-root"
	}
	n := 0
	for s := 0; s < benchSubs; s++ {
		for k := 0; k < benchPerSub; k++ {
			p := benchGUID(0, r.IntN(benchPrincipals))
			if r.IntN(5) == 0 {
				p = groups[r.IntN(len(groups))]
			}
			w.In.Assignments = append(w.In.Assignments, benchAssignment(r, n, benchScope(r, benchSub(s)), p, roleIDs))
			n++
		}
	}
	w.In.Assignments = append(w.In.Assignments,
		benchAssignment(r, n, "/providers/Microsoft.Management/managementGroups/mg-root", groups[len(groups)-1], roleIDs))
	w.Reqs = benchRequests(r, w.In.Assignments)
	w.Base = len(w.In.Assignments)
	w.addUnrelated(r, extraFactor, n+1, roleIDs)
	return w
}

// addUnrelated adds extraFactor × the base count: half for principals that
// are never asked about on the same scopes, half in other subscriptions.
func (w *World) addUnrelated(r *rand.Rand, extraFactor, n int, roleIDs []string) {
	extra := extraFactor * benchSubs * benchPerSub
	for k := 0; k < extra; k++ {
		var scope, p string
		if k%2 == 0 {
			scope, p = benchScope(r, benchSub(r.IntN(benchSubs))), benchGUID(7, k)
		} else {
			scope, p = benchScope(r, "/subscriptions/"+benchGUID(8, r.IntN(extraFactor*benchSubs))), benchGUID(0, r.IntN(benchPrincipals))
		}
		w.In.Assignments = append(w.In.Assignments, benchAssignment(r, n+k, scope, p, roleIDs))
	}
}

// benchRequests mixes allows and denies: requests below real assignments
// of their principal (mostly allowed) and random ones (mostly denied).
func benchRequests(r *rand.Rand, as []rbac.RoleAssignment) []rbac.Request {
	actions := []struct {
		a    string
		data bool
	}{
		{"Microsoft.CognitiveServices/accounts/deployments/read", false},
		{"Microsoft.CognitiveServices/accounts/OpenAI/deployments/chat/completions/action", true},
		{"Microsoft.CognitiveServices/accounts/write", false},
		{"Microsoft.CognitiveServices/accounts/AIServices/agents/read", true},
	}
	reqs := make([]rbac.Request, 1024)
	for i := range reqs {
		act := actions[r.IntN(len(actions))]
		a := as[r.IntN(len(as))]
		principal := a.PrincipalID
		if i%2 == 1 {
			principal = benchGUID(0, r.IntN(benchPrincipals))
		}
		sub := a.Scope[:len("/subscriptions/")+36]
		scope := benchAcct(benchRG(sub, r.IntN(benchRGsPerSub)), r.IntN(benchAcctsPerRG)) + "/deployments/gpt-4o"
		reqs[i] = rbac.Request{PrincipalID: principal, PrincipalType: "User", Action: act.a, DataAction: act.data, Scope: scope}
	}
	return reqs
}
