package cli_test

import (
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// TestAssigneeKinds: --assignee finds users, groups and service principals
// by the names az accepts, and says what it looked for when none matches.
func TestAssigneeKinds(t *testing.T) {
	e := testenv.New(t)
	user := jsonOf(t, mustGH(t, e, "ad", "user", "create", "--display-name", "Ann", "--user-principal-name", "ann@"+e.Domain, "--password", "Passw0rd!!")).(map[string]any)
	group := jsonOf(t, mustGH(t, e, "ad", "group", "create", "--display-name", "Devs", "--mail-nickname", "devs")).(map[string]any)
	bot := jsonOf(t, mustGH(t, e, "ad", "sp", "create-for-rbac", "--name", "ci-bot")).(map[string]any)
	botSP := jsonOf(t, mustGH(t, e, "ad", "sp", "show", "--id", bot["appId"].(string))).(map[string]any)
	sub := jsonOf(t, mustGH(t, e, "account", "show")).(map[string]any)["id"].(string)
	scope := "/subscriptions/" + sub
	for _, c := range []struct {
		assignee, id, kind string
	}{
		{"ann@" + e.Domain, user["id"].(string), "User"},
		{user["id"].(string), user["id"].(string), "User"},
		{"Devs", group["id"].(string), "Group"},
		{group["id"].(string), group["id"].(string), "Group"},
		{"ci-bot", botSP["id"].(string), "ServicePrincipal"},
		{bot["appId"].(string), botSP["id"].(string), "ServicePrincipal"},
		{botSP["id"].(string), botSP["id"].(string), "ServicePrincipal"},
	} {
		out := mustGH(t, e, "role", "assignment", "create", "--assignee", c.assignee, "--role", "Reader", "--scope", scope)
		row := jsonOf(t, out).(map[string]any)
		if row["principalId"] != c.id || row["principalType"] != c.kind {
			t.Errorf("--assignee %s: %v", c.assignee, row)
		}
		mustGH(t, e, "role", "assignment", "delete", "--ids", row["id"].(string))
	}
	_, errs, code := gh(t, e, "role", "assignment", "create", "--assignee", "Nobody", "--role", "Reader", "--scope", scope)
	if code != 1 || !strings.Contains(errs, "no user (by user principal name), group (by display name) or service principal") {
		t.Errorf("unknown assignee: %d %s", code, errs)
	}
}

// TestShapesAsAz: create and list print an assignment flat, the same way;
// account show prints az's profile entry.
func TestShapesAsAz(t *testing.T) {
	e := testenv.New(t)
	acct := jsonOf(t, mustGH(t, e, "account", "show")).(map[string]any)
	for _, k := range []string{"id", "name", "tenantId", "homeTenantId", "state", "environmentName"} {
		if s, _ := acct[k].(string); s == "" {
			t.Errorf("account show lacks %s: %v", k, acct)
		}
	}
	if u, _ := acct["user"].(map[string]any); acct["isDefault"] != true || acct["tenantId"] != e.Tenant || u["name"] != e.Admin.ClientID || u["type"] != "servicePrincipal" {
		t.Errorf("account show: %v", acct)
	}
	scope := "/subscriptions/" + acct["id"].(string)
	created := jsonOf(t, mustGH(t, e, "role", "assignment", "create", "--assignee", e.Demo.ClientID, "--role", "Reader", "--scope", scope)).(map[string]any)
	rows := jsonOf(t, mustGH(t, e, "role", "assignment", "list", "--scope", scope)).([]any)
	if len(rows) != 1 {
		t.Fatalf("list: %v", rows)
	}
	listed := rows[0].(map[string]any)
	for _, k := range []string{"id", "name", "principalId", "principalType", "roleDefinitionId", "roleDefinitionName", "scope"} {
		if created[k] == nil || created[k] != listed[k] {
			t.Errorf("%s: created %v, listed %v", k, created[k], listed[k])
		}
	}
	if _, nested := created["properties"]; nested {
		t.Errorf("create nests properties: %v", created)
	}
	all := jsonOf(t, mustGH(t, e, "role", "assignment", "list", "--all", "--scope", scope)).([]any)
	for _, r := range all {
		if r := r.(map[string]any); r["roleDefinitionName"] == "" {
			t.Errorf("row without a role name: %v", r)
		}
	}
}
