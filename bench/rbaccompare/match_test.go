package rbaccompare

import (
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/rbac"
	"github.com/gatehouse/gatehouse/internal/rbac/rbacbench"
)

// TestAzureMatch checks the Casbin adapter's `*` matcher against
// gatehouse's, on every pattern of the built-in and generated roles.
func TestAzureMatch(t *testing.T) {
	var pats []string
	for _, r := range append(rbac.BuiltinRoles(), rbacbench.CustomRoleList()[:20]...) {
		for _, b := range r.Permissions {
			for _, l := range [][]string{b.Actions, b.NotActions, b.DataActions, b.NotDataActions} {
				pats = append(pats, l...)
			}
		}
	}
	pats = append(pats, "*", "a*b*c", "**", "*a", "a*", "")
	actions := []string{"", "a", "abc", "aXbYc", "ac", "Microsoft.Provider007/things/delete",
		"Microsoft.CognitiveServices/accounts/deployments/read", "microsoft.authorization/roleassignments/write",
		"Microsoft.CognitiveServices/accounts/OpenAI/deployments/chat/completions/action",
		"Microsoft.CognitiveServices/locations/usages/read", "Microsoft.Support/tickets/write"}
	for _, p := range pats {
		actions = append(actions, strings.ReplaceAll(p, "*", "x/y"), strings.ReplaceAll(p, "*", ""))
	}
	n := 0
	for _, p := range pats {
		for _, a := range actions {
			if got, want := azureMatch(lower(p), lower(a)), rbac.MatchAction(p, a); got != want {
				t.Errorf("azureMatch(%q, %q) = %v, rbac.MatchAction says %v", p, a, got, want)
			}
			n++
		}
	}
	if !azureMatchAny("x|a*", "abc") || azureMatchAny("", "abc") || azureMatchAny("x|y", "abc") {
		t.Error("azureMatchAny")
	}
	t.Logf("%d pairs", n)
}

// TestAncestry checks Casbin's domain matching function against
// rbac.ScopeAncestors.
func TestAncestry(t *testing.T) {
	parents := map[string]string{
		"/subscriptions/S1": "/providers/Microsoft.Management/managementGroups/mg-1",
		"/providers/Microsoft.Management/managementGroups/mg-1": "/providers/Microsoft.Management/managementGroups/root",
	}
	a := newAncestry(parents)
	scopes := []string{"/", "/subscriptions/s1", "/subscriptions/s2", "/subscriptions/s1/resourcegroups/rg",
		"/subscriptions/s1/resourcegroups/rg2", "/subscriptions/s1/resourcegroups/rg/providers/p.q/t/n",
		"/subscriptions/s1/resourcegroups/rg/providers/p.q/t/n/sub/x", "/subscriptions/s10",
		"/providers/microsoft.management/managementgroups/mg-1", "/providers/microsoft.management/managementgroups/root",
		"/providers/microsoft.management/managementgroups/other"}
	for _, s := range scopes {
		anc := rbac.ScopeAncestors(s, parents)
		for _, p := range scopes {
			if got, want := a.within(s, p), slices.Contains(anc, p); got != want {
				t.Errorf("within(%q, %q) = %v, ScopeAncestors says %v (%v)", s, p, got, want, anc)
			}
		}
	}
}
