package arm_test

import (
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/directory"
)

// Reading role definitions needs no role assignment, as in Azure: the
// Owner of a subscription (nothing at "/") reads a built-in at the root,
// as armauthorization's GetByID and Terraform do, and a principal with no
// role at all lists them; custom roles of its own tenant only.
func TestRoleDefinitionsReadableByAnyPrincipalOfTheTenant(t *testing.T) {
	w := newTwoTenants(t)
	sub := "/subscriptions/" + w.sub
	owner := w.newPrincipal(t, "sub-owner")
	w.assign(t, owner.oid, "ServicePrincipal", roleOwner, sub)
	nobody := w.newPrincipal(t, "no-roles")

	guidA := directory.NewID()
	w.mustOK(t, w.admin, "PUT", sub+"/providers/Microsoft.Authorization/roleDefinitions/"+guidA, vAuthz,
		customRoleBody("a-custom", []string{"Microsoft.Resources/subscriptions/resourceGroups/read"}, sub))
	guidB := directory.NewID()
	w.mustOK(t, w.adminB, "PUT", "/subscriptions/"+subB+"/providers/Microsoft.Authorization/roleDefinitions/"+guidB, vAuthz,
		customRoleBody("b-custom", []string{"*"}, "/subscriptions/"+subB))

	for _, p := range []*principal{owner, nobody} {
		for _, path := range []string{
			"/providers/Microsoft.Authorization/roleDefinitions/" + roleReader,
			sub + "/providers/Microsoft.Authorization/roleDefinitions/" + roleReader,
			w.account + "/providers/Microsoft.Authorization/roleDefinitions/" + roleReader,
		} {
			m := w.mustOK(t, p.token, "GET", path, vAuthz, "")
			if m["name"] != roleReader || m["properties"].(map[string]any)["roleName"] != "Reader" {
				t.Errorf("%s: %v", path, m)
			}
		}
		m := w.mustOK(t, p.token, "GET", sub+"/providers/Microsoft.Authorization/roleDefinitions/"+guidA, vAuthz, "")
		if m["properties"].(map[string]any)["roleName"] != "a-custom" {
			t.Errorf("custom role: %v", m)
		}
		// B's custom role is not A's, whatever GUID or scope names it.
		for _, path := range []string{"/providers/Microsoft.Authorization/roleDefinitions/" + guidB,
			sub + "/providers/Microsoft.Authorization/roleDefinitions/" + guidB} {
			status, m, _ := w.do(t, p.token, "GET", path, vAuthz, "")
			wantError(t, status, m, 404, "RoleDefinitionDoesNotExist")
		}
		status, m, _ := w.do(t, p.token, "GET", "/subscriptions/"+subB+"/providers/Microsoft.Authorization/roleDefinitions/"+guidB, vAuthz, "")
		wantError(t, status, m, 401, "InvalidAuthenticationTokenTenant")

		names := map[string]bool{}
		for _, path := range []string{"/providers/Microsoft.Authorization/roleDefinitions?$filter=atScopeAndBelow()",
			sub + "/providers/Microsoft.Authorization/roleDefinitions"} {
			for _, v := range w.mustOK(t, p.token, "GET", path, vAuthz, "")["value"].([]any) {
				names[v.(map[string]any)["properties"].(map[string]any)["roleName"].(string)] = true
			}
		}
		if !names["Owner"] || !names["a-custom"] || names["b-custom"] {
			t.Errorf("listed: has Owner %v, a-custom %v, b-custom %v", names["Owner"], names["a-custom"], names["b-custom"])
		}
		r := w.mustOK(t, p.token, "GET", "/providers/Microsoft.Authorization/roleDefinitions?$filter="+strings.ReplaceAll("roleName eq 'Reader'", " ", "%20"), vAuthz, "")
		if l := r["value"].([]any); len(l) != 1 {
			t.Errorf("by name: %v", l)
		}
	}

	// Writing still needs the role: the no-role principal cannot create one.
	status, m, _ := w.do(t, nobody.token, "PUT", sub+"/providers/Microsoft.Authorization/roleDefinitions/"+directory.NewID(), vAuthz,
		customRoleBody("sneaky", []string{"*"}, sub))
	wantError(t, status, m, 403, "AuthorizationFailed")
}
