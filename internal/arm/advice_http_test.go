package arm_test

import "testing"

// A denied ARM call's advice proposes the role a person would pick, at a
// scope roles are assigned at — never the role assignment or role
// definition being addressed.
func TestAdviceProposesAPlausibleRoleAndScope(t *testing.T) {
	w := newWorld(t)
	p := w.newPrincipal(t, "advice")
	rdID := "/subscriptions/" + w.sub + "/providers/Microsoft.Authorization/roleDefinitions/0f6e0ff7-43cb-4bd4-9a04-2aa6bb1d4c6b"
	for _, c := range []struct {
		name, method, path, version, body string
		role, scope                       string
	}{
		{"list role assignments", "GET", w.rg + "/providers/Microsoft.Authorization/roleAssignments", vAuthz, "",
			"Reader", w.rg},
		{"create a role assignment", "PUT", w.account + "/providers/Microsoft.Authorization/roleAssignments/5b8a0a70-5d0c-4d7e-9c51-4c8b3c1f7e01", vAuthz,
			assignBody(w.sub, roleAIUser, p.oid, "ServicePrincipal"), "Role Based Access Control Administrator", w.account},
		{"create a custom role", "PUT", rdID, vAuthz,
			`{"properties":{"roleName":"x","permissions":[{"actions":["*/read"]}],"assignableScopes":["/subscriptions/` + w.sub + `"]}}`,
			"User Access Administrator", "/subscriptions/" + w.sub},
		{"list keys", "POST", w.account + "/listKeys", vCS, "", "Cognitive Services User", w.account},
		{"write a deployment", "PUT", w.deploy, vCS,
			`{"sku":{"name":"Standard","capacity":1},"properties":{"model":{"format":"OpenAI","name":"gpt-4o-mini"}}}`,
			"Cognitive Services OpenAI Contributor", w.account},
		{"read a resource group", "GET", w.rg, vRes, "", "Reader", w.rg},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, m, _ := w.do(t, p.token, c.method, c.path, c.version, c.body)
			wantError(t, status, m, 403, "AuthorizationFailed")
			info := adviceOf(t, m)
			if info["leastPrivilegedRole"] != c.role || info["assignmentScope"] != c.scope {
				t.Errorf("advice proposes %v at %v, want %s at %s", info["leastPrivilegedRole"], info["assignmentScope"], c.role, c.scope)
			}
			if cmd, _ := info["command"].(string); len(cmd) < len(c.scope) || cmd[len(cmd)-len(c.scope):] != c.scope {
				t.Errorf("command does not end with the scope %s: %s", c.scope, cmd)
			}
		})
	}
}

func adviceOf(t *testing.T, m map[string]any) map[string]any {
	t.Helper()
	e, _ := m["error"].(map[string]any)
	infos, _ := e["additionalInfo"].([]any)
	for _, i := range infos {
		if im, _ := i.(map[string]any); im["type"] == "GatehouseAccessAdvice" {
			info, _ := im["info"].(map[string]any)
			return info
		}
	}
	t.Fatalf("no GatehouseAccessAdvice in %v", m)
	return nil
}
