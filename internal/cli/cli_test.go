package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/cli"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// gh runs the CLI against e as the bootstrap administrator.
func gh(t *testing.T, e *testenv.Env, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	all := append([]string{"--server", e.URL, "--tenant", e.Tenant, "--client-id", e.Admin.ClientID,
		"--client-secret", e.Admin.ClientSecret, "--ca-file", e.CAFile, "--data", t.TempDir()}, args...)
	code := cli.Run(context.Background(), all, &out, &errb)
	return out.String(), errb.String(), code
}

func mustGH(t *testing.T, e *testenv.Env, args ...string) string {
	t.Helper()
	out, errs, code := gh(t, e, args...)
	if code != 0 {
		t.Fatalf("gatehouse %s: exit %d: %s", strings.Join(args, " "), code, errs)
	}
	return out
}

func jsonOf(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("not JSON: %s", s)
	}
	return v
}

func TestDirectoryCommands(t *testing.T) {
	e := testenv.New(t)
	app := jsonOf(t, mustGH(t, e, "ad", "app", "create", "--display-name", "cli-app", "--identifier-uris", "api://cli-app")).(map[string]any)
	appID := app["appId"].(string)
	reset := jsonOf(t, mustGH(t, e, "ad", "app", "credential", "reset", "--id", appID)).(map[string]any)
	if reset["appId"] != appID || len(reset["password"].(string)) != 40 || reset["tenant"] != e.Tenant {
		t.Errorf("credential reset: %v", reset)
	}
	sp := jsonOf(t, mustGH(t, e, "ad", "sp", "create", "--id", appID)).(map[string]any)
	if sp["id"] == appID {
		t.Error("service principal object id equals the appId")
	}
	rbac := jsonOf(t, mustGH(t, e, "ad", "sp", "create-for-rbac", "--name", "ci-bot")).(map[string]any)
	for _, k := range []string{"appId", "displayName", "password", "tenant"} {
		if rbac[k] == nil || rbac[k] == "" {
			t.Errorf("create-for-rbac lacks %s: %v", k, rbac)
		}
	}
	user := jsonOf(t, mustGH(t, e, "ad", "user", "create", "--display-name", "Ann", "--user-principal-name", "ann@"+e.Domain, "--password", "Passw0rd!!")).(map[string]any)
	mustGH(t, e, "ad", "group", "create", "--display-name", "Devs", "--mail-nickname", "devs")
	mustGH(t, e, "ad", "group", "member", "add", "--group", "Devs", "--member-id", user["id"].(string))
	check := jsonOf(t, mustGH(t, e, "ad", "group", "member", "check", "--group", "Devs", "--member-id", user["id"].(string))).(map[string]any)
	if check["value"] != true {
		t.Errorf("member check: %v", check)
	}
	if list := jsonOf(t, mustGH(t, e, "ad", "app", "list", "--display-name", "cli")).([]any); len(list) != 1 {
		t.Errorf("app list: %v", list)
	}
	mustGH(t, e, "ad", "app", "delete", "--id", appID)
	if _, errs, code := gh(t, e, "ad", "app", "show", "--id", appID); code == 0 || !strings.Contains(errs, "Request_ResourceNotFound") {
		t.Errorf("show after delete: %d %s", code, errs)
	}
}

func TestRBACCommands(t *testing.T) {
	e := testenv.New(t)
	mustGH(t, e, "group", "create", "-n", "rg1", "-l", "eastus")
	mustGH(t, e, "cognitiveservices", "account", "create", "-g", "rg1", "-n", "acct1", "-l", "eastus", "--allow-project-management")
	mustGH(t, e, "cognitiveservices", "account", "project", "create", "-g", "rg1", "-n", "acct1", "--project-name", "p1")
	mustGH(t, e, "cognitiveservices", "account", "deployment", "create", "-g", "rg1", "-n", "acct1", "--deployment-name", "gpt-4o-mini",
		"--model-name", "gpt-4o-mini", "--sku-capacity", "10", "--upstream", "simulator?ttft=1ms")
	deps := jsonOf(t, mustGH(t, e, "cognitiveservices", "account", "deployment", "list", "-g", "rg1", "-n", "acct1")).([]any)
	if len(deps) != 1 {
		t.Fatalf("deployments: %v", deps)
	}
	keys := jsonOf(t, mustGH(t, e, "cognitiveservices", "account", "keys", "list", "-g", "rg1", "-n", "acct1")).(map[string]any)
	if len(keys["key1"].(string)) != 32 {
		t.Errorf("keys: %v", keys)
	}
	sub := jsonOf(t, mustGH(t, e, "account", "show")).(map[string]any)["id"].(string)
	scope := "/subscriptions/" + sub + "/resourceGroups/rg1/providers/Microsoft.CognitiveServices/accounts/acct1"
	action := "Microsoft.CognitiveServices/accounts/OpenAI/deployments/chat/completions/action"

	out, _, denied := gh(t, e, "access", "check", "--assignee", e.Demo.ClientID, "--action", action, "--scope", scope+"/deployments/gpt-4o-mini")
	if denied != cli.ExitDenied {
		t.Errorf("access check denied: exit %d, want %d", denied, cli.ExitDenied)
	}
	if !strings.HasPrefix(out, "DENIED") || !strings.Contains(out, "Cognitive Services OpenAI User") || !strings.Contains(out, "gatehouse role assignment create") {
		t.Errorf("access check before:\n%s", out)
	}
	_, warn, code := gh(t, e, "role", "assignment", "create", "--assignee", e.Demo.ClientID, "--role", "Cognitive Services OpenAI User", "--scope", scope)
	if code != 0 || !strings.Contains(warn, "is an application (client) id; using its service principal") {
		t.Fatalf("assignment by appId: %d %s", code, warn)
	}
	out = mustGH(t, e, "access", "check", "--assignee", e.Demo.ClientID, "--action", action, "--scope", scope+"/deployments/gpt-4o-mini")
	if !strings.HasPrefix(out, "ALLOWED") || !strings.Contains(out, "Cognitive Services OpenAI User") {
		t.Errorf("access check after:\n%s", out)
	}
	rows := jsonOf(t, mustGH(t, e, "role", "assignment", "list", "--scope", scope)).([]any)
	if len(rows) != 1 || rows[0].(map[string]any)["roleDefinitionName"] != "Cognitive Services OpenAI User" {
		t.Errorf("assignment list: %v", rows)
	}
	mustGH(t, e, "role", "assignment", "delete", "--assignee", e.Demo.ClientID, "--role", "Cognitive Services OpenAI User", "--scope", scope)
	if rows := jsonOf(t, mustGH(t, e, "role", "assignment", "list", "--scope", scope)).([]any); len(rows) != 0 {
		t.Errorf("after delete: %v", rows)
	}
	defs := jsonOf(t, mustGH(t, e, "role", "definition", "list", "--name", "Foundry User")).([]any)
	if len(defs) != 1 || defs[0].(map[string]any)["name"] != "53ca6127-db72-4b80-b1b0-d745d6d5456d" {
		t.Errorf("role by alias: %v", defs)
	}
	custom := `{"Name":"Deployment Reader","Actions":["Microsoft.CognitiveServices/accounts/deployments/read"],"AssignableScopes":["/subscriptions/` + sub + `"]}`
	mustGH(t, e, "role", "definition", "create", "--role-definition", custom)
	mustGH(t, e, "role", "definition", "delete", "--name", "Deployment Reader")
}
