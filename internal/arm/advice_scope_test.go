package arm_test

import (
	"testing"

	"github.com/gatehouse/gatehouse/internal/arm"
)

// The advice assigns at a scope a person would pick, never at a role
// definition, a role assignment or a deployment.
func TestAssignmentScope(t *testing.T) {
	const (
		sub  = "/subscriptions/00000000-0000-0000-0000-000000000001"
		rg   = sub + "/resourceGroups/demo"
		acct = rg + "/providers/Microsoft.CognitiveServices/accounts/demo"
		raID = "/providers/Microsoft.Authorization/roleAssignments/11111111-1111-1111-1111-111111111111"
		rdID = "/providers/Microsoft.Authorization/roleDefinitions/22222222-2222-2222-2222-222222222222"
	)
	for _, c := range []struct{ name, scope, want string }{
		{"root", "/", "/"},
		{"subscription", sub, sub},
		{"resource group", rg, rg},
		{"account", acct, acct},
		{"project", acct + "/projects/p1", acct + "/projects/p1"},
		{"deployment", acct + "/deployments/gpt-4o-mini", acct},
		{"project connection", acct + "/projects/p1/connections/c", acct + "/projects/p1"},
		{"management group", "/providers/Microsoft.Management/managementGroups/mg1", "/providers/Microsoft.Management/managementGroups/mg1"},
		{"tenant role definition", rdID, "/"},
		{"subscription role definition", sub + rdID, sub},
		{"role assignment on a resource group", rg + raID, rg},
		{"role assignment on an account", acct + raID, acct},
		{"role assignment on a project", acct + "/projects/p1" + raID, acct + "/projects/p1"},
		{"role assignment on a management group", "/providers/Microsoft.Management/managementGroups/mg1" + raID, "/providers/Microsoft.Management/managementGroups/mg1"},
		{"role assignments collection", rg + "/providers/Microsoft.Authorization/roleAssignments", rg},
		{"location usages", sub + "/providers/Microsoft.CognitiveServices/locations/eastus/usages", sub},
		{"folded keywords", "/SUBSCRIPTIONS/x/RESOURCEGROUPS/rg/PROVIDERS/Microsoft.CognitiveServices/ACCOUNTS/a/DEPLOYMENTS/d",
			"/subscriptions/x/resourceGroups/rg/providers/Microsoft.CognitiveServices/ACCOUNTS/a"},
		{"not an ARM id", "nonsense", "nonsense"},
	} {
		if got := arm.AssignmentScope(c.scope); got != c.want {
			t.Errorf("%s: AssignmentScope(%q) = %q, want %q", c.name, c.scope, got, c.want)
		}
	}
}
