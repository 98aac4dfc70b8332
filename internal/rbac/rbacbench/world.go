// Package rbacbench generates the Azure-sized authorization state that the
// RBAC benchmarks run on: internal/rbac's BenchmarkDecide and
// bench/rbaccompare's comparison with Casbin and OPA use the very same data
// (the same constants, the PCG(1, 2) seed and draw order).
//
// Sizes follow Azure's limits (4,000 assignments per subscription, 5,000
// custom roles per tenant): 50 subscriptions × 4,000 assignments, 100,000
// principals, groups nested three deep, 500 custom roles with wildcards.
// The "10x" variant adds ten times as many assignments for other
// principals and in other subscriptions, which a decision must not notice.
package rbacbench

import (
	"fmt"
	"math/rand/v2"

	"github.com/gatehouse/gatehouse/internal/rbac"
)

// The sizes of the base state.
const (
	Subs        = 50
	PerSub      = 4000
	Principals  = 100000
	CustomRoles = 500
	RGsPerSub   = 20
	AcctsPerRG  = 2
)

// GUID is the i-th GUID of a kind (principals 0, subscriptions 1, …).
func GUID(kind, i int) string {
	return fmt.Sprintf("%08x-%04x-4000-8000-%012x", i, kind, i*7919)
}

// Sub, RG and Acct are the IDs of the i-th subscription, of resource
// group r in sub, and of account a in rg.
func Sub(i int) string { return "/subscriptions/" + GUID(1, i) }

func RG(sub string, r int) string {
	return fmt.Sprintf("%s/resourceGroups/rg-%02d", sub, r)
}

func Acct(rg string, a int) string {
	return fmt.Sprintf("%s/providers/Microsoft.CognitiveServices/accounts/acct-%d", rg, a)
}

// World is one generated authorization state and its request list.
type World struct {
	In   rbac.Input
	Reqs []rbac.Request
	// Base is the number of assignments before the unrelated ones.
	Base int
}

// CustomRoleList is the state's custom roles, with wildcards and
// NotActions.
func CustomRoleList() []rbac.RoleDefinition {
	out := make([]rbac.RoleDefinition, CustomRoles)
	for i := range out {
		out[i] = rbac.RoleDefinition{
			ID: GUID(2, i), RoleName: fmt.Sprintf("Custom %03d", i), Type: rbac.CustomRole,
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

// groups: 100,000 users in two of 2,000 groups; each of those in one
// of 200; each of those in one of 20 — three levels.
func groupTree(r *rand.Rand) (map[string][]string, []string) {
	groups := map[string][]string{}
	var all []string
	l1, l2, l3 := make([]string, 2000), make([]string, 200), make([]string, 20)
	for i := range l3 {
		l3[i] = GUID(5, i)
	}
	for i := range l2 {
		l2[i] = GUID(4, i)
		groups[l2[i]] = []string{l3[r.IntN(len(l3))]}
	}
	for i := range l1 {
		l1[i] = GUID(3, i)
		groups[l1[i]] = []string{l2[r.IntN(len(l2))]}
	}
	for i := 0; i < Principals; i++ {
		groups[GUID(0, i)] = []string{l1[r.IntN(len(l1))], l1[r.IntN(len(l1))]}
	}
	all = append(append(append(all, l1...), l2...), l3...)
	return groups, all
}

// scope picks an assignment scope in sub: 10% subscription, 40%
// resource group, 40% account, 10% deployment.
func assignScope(r *rand.Rand, sub string) string {
	rg := RG(sub, r.IntN(RGsPerSub))
	acct := Acct(rg, r.IntN(AcctsPerRG))
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

func assignment(r *rand.Rand, n int, scope, principal string, roleIDs []string) rbac.RoleAssignment {
	name := GUID(6, n)
	return rbac.RoleAssignment{
		ID: scope + "/providers/Microsoft.Authorization/roleAssignments/" + name, Name: name, Scope: scope,
		RoleDefinitionID: roleIDs[r.IntN(len(roleIDs))], PrincipalID: principal, PrincipalType: "User",
	}
}

// BuildWorld generates the state: extraFactor 0 is the Azure-sized one,
// 10 adds ten times as many unrelated assignments.
func BuildWorld(extraFactor int) *World {
	r := rand.New(rand.NewPCG(1, 2))
	w := &World{}
	w.In.Roles = CustomRoleList()
	var roleIDs []string
	for _, b := range rbac.BuiltinRoles() {
		roleIDs = append(roleIDs, b.ID)
	}
	for _, c := range w.In.Roles {
		roleIDs = append(roleIDs, c.ID)
	}
	var groups []string
	w.In.GroupsOf, groups = groupTree(r)
	w.In.Parents = map[string]string{}
	for s := 0; s < Subs; s++ {
		w.In.Parents[Sub(s)] = fmt.Sprintf("/providers/Microsoft.Management/managementGroups/mg-%d", s%5)
	}
	for m := 0; m < 5; m++ {
		w.In.Parents[fmt.Sprintf("/providers/Microsoft.Management/managementGroups/mg-%d", m)] = "/providers/Microsoft.Management/managementGroups/mg-root"
	}
	n := 0
	for s := 0; s < Subs; s++ {
		for k := 0; k < PerSub; k++ {
			p := GUID(0, r.IntN(Principals))
			if r.IntN(5) == 0 {
				p = groups[r.IntN(len(groups))]
			}
			w.In.Assignments = append(w.In.Assignments, assignment(r, n, assignScope(r, Sub(s)), p, roleIDs))
			n++
		}
	}
	w.In.Assignments = append(w.In.Assignments,
		assignment(r, n, "/providers/Microsoft.Management/managementGroups/mg-root", groups[len(groups)-1], roleIDs))
	w.Reqs = requests(r, w.In.Assignments)
	w.Base = len(w.In.Assignments)
	w.addUnrelated(r, extraFactor, n+1, roleIDs)
	return w
}

// addUnrelated adds extraFactor × the base count: half for principals that
// are never asked about on the same scopes, half in other subscriptions.
func (w *World) addUnrelated(r *rand.Rand, extraFactor, n int, roleIDs []string) {
	extra := extraFactor * Subs * PerSub
	for k := 0; k < extra; k++ {
		var scope, p string
		if k%2 == 0 {
			scope, p = assignScope(r, Sub(r.IntN(Subs))), GUID(7, k)
		} else {
			scope, p = assignScope(r, "/subscriptions/"+GUID(8, r.IntN(extraFactor*Subs))), GUID(0, r.IntN(Principals))
		}
		w.In.Assignments = append(w.In.Assignments, assignment(r, n+k, scope, p, roleIDs))
	}
}

// requests mixes allows and denies: requests below real assignments
// of their principal (mostly allowed) and random ones (mostly denied).
func requests(r *rand.Rand, as []rbac.RoleAssignment) []rbac.Request {
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
			principal = GUID(0, r.IntN(Principals))
		}
		sub := a.Scope[:len("/subscriptions/")+36]
		scope := Acct(RG(sub, r.IntN(RGsPerSub)), r.IntN(AcctsPerRG)) + "/deployments/gpt-4o"
		reqs[i] = rbac.Request{PrincipalID: principal, PrincipalType: "User", Action: act.a, DataAction: act.data, Scope: scope}
	}
	return reqs
}
