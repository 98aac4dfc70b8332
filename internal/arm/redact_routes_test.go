package arm_test

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/arm"
	"github.com/gatehouse/gatehouse/internal/directory"
)

// Secret values sent in request bodies; none may come back.
var sentSecrets = []string{
	"UpstreamApiKey-5f1c9e", "UpstreamClientSecret-77aa", "UrlPassword-3b2d",
	"PropApiKey-0c4e", "PropPassword-91f0", "PropClientSecret-c3d2", "PropSecret-e8b1",
	"PropPrimaryKey-aa01", "PropConnStr-6d6d", "TopPassword-1234", "TagSecret-9a9a",
	"ShorthandKey-4e4e",
}

// withSecrets adds secret-bearing fields to a request body.
func withSecrets(body map[string]any, shorthand bool) map[string]any {
	props, _ := body["properties"].(map[string]any)
	if props == nil {
		props = map[string]any{}
		body["properties"] = props
	}
	props["upstream"] = map[string]any{"type": "openai", "url": "https://user:" + sentSecrets[2] + "@upstream.example/v1",
		"apiKey": sentSecrets[0], "clientSecret": sentSecrets[1]}
	if shorthand {
		props["upstream"] = "openai=https://upstream.example/v1,apiKey=" + sentSecrets[11]
	}
	props["apiKey"], props["password"], props["clientSecret"] = sentSecrets[3], sentSecrets[4], sentSecrets[5]
	props["secret"], props["primaryKey"], props["connectionString"] = sentSecrets[6], sentSecrets[7], sentSecrets[8]
	body["password"] = sentSecrets[9]
	body["tags"] = map[string]any{"secret": sentSecrets[10]}
	return body
}

// Every write route of the ARM table (walked, not listed: a new route is
// covered the day it is registered) answers without a secret of its
// request, nor the account's keys unless it is listKeys or regenerateKey;
// and reads afterwards do not return the stored secrets either.
func TestNoRouteReturnsSecrets(t *testing.T) {
	w := newWorld(t)
	p := w.newPrincipal(t, "someone")
	keys := w.mustOK(t, w.admin, "POST", w.account+"/listKeys", vCS, "")
	accountKeys := []string{keys["key1"].(string), keys["key2"].(string)}

	mg := "/providers/Microsoft.Management/managementGroups/mg-secrets"
	roleDef := "/subscriptions/" + w.sub + "/providers/Microsoft.Authorization/roleDefinitions/" + directory.NewID()
	// Each resource type: a path of an item, a valid body, and the order
	// it is written in (parents first; moving the subscription last).
	types := map[string]struct {
		path  string
		body  func() map[string]any
		order int
	}{
		"microsoft.resources/resourcegroups": {w.rg, func() map[string]any { return map[string]any{"location": "eastus"} }, 0},
		"microsoft.cognitiveservices/accounts": {w.account, func() map[string]any {
			return map[string]any{"location": "eastus", "kind": "AIServices", "sku": map[string]any{"name": "S0"},
				"properties": map[string]any{"allowProjectManagement": true}, "keyName": "Key1"} // keyName: regenerateKey
		}, 1},
		"microsoft.cognitiveservices/accounts/projects": {w.project, func() map[string]any {
			return map[string]any{"location": "eastus", "properties": map[string]any{}}
		}, 2},
		"microsoft.cognitiveservices/accounts/deployments": {w.deploy, func() map[string]any {
			return map[string]any{"sku": map[string]any{"name": "Standard", "capacity": 10},
				"properties": map[string]any{"model": map[string]any{"format": "OpenAI", "name": "gpt-4o-mini"}}}
		}, 3},
		"microsoft.authorization/roledefinitions": {roleDef, func() map[string]any {
			return map[string]any{"properties": map[string]any{"roleName": "secrets-role", "type": "CustomRole",
				"permissions":      []any{map[string]any{"actions": []any{"Microsoft.Resources/subscriptions/resourceGroups/read"}}},
				"assignableScopes": []any{"/subscriptions/" + w.sub}}}
		}, 4},
		"microsoft.authorization/roleassignments": {w.rg + "/providers/Microsoft.Authorization/roleAssignments/" + directory.NewID(), func() map[string]any {
			var m map[string]any
			_ = json.Unmarshal([]byte(assignBody(w.sub, roleReader, p.oid, "ServicePrincipal")), &m)
			return m
		}, 5},
		"gatehouse/accesscheck": {"/providers/Gatehouse/accessCheck/x", func() map[string]any {
			return map[string]any{"principalId": p.oid, "action": "Microsoft.Resources/subscriptions/resourceGroups/read", "scope": w.rg}
		}, 6},
		"microsoft.management/managementgroups": {mg, func() map[string]any {
			return map[string]any{"properties": map[string]any{"displayName": "secrets"}}
		}, 7},
		"microsoft.management/managementgroups/subscriptions": {mg + "/subscriptions/" + w.sub, func() map[string]any {
			return map[string]any{}
		}, 8},
		"microsoft.managedidentity/userassignedidentities": {w.rg + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/ua", func() map[string]any {
			return map[string]any{"location": "eastus"}
		}, 9},
	}
	routes := arm.Routes()
	sort.Slice(routes, func(i, j int) bool {
		a, b := routes[i], routes[j]
		if types[a.Type].order != types[b.Type].order {
			return types[a.Type].order < types[b.Type].order
		}
		return a.Method+a.Kind+a.Action < b.Method+b.Kind+b.Action
	})
	check := func(t *testing.T, rt arm.RouteInfo, status int, m map[string]any) {
		t.Helper()
		raw, _ := json.Marshal(m)
		if status >= 500 {
			t.Errorf("%d %s", status, raw)
		}
		for _, s := range sentSecrets {
			if strings.Contains(string(raw), s) {
				t.Errorf("the answer (%d) contains the secret %q: %s", status, s, raw)
			}
		}
		if rt.Action == "regeneratekey" && status == 200 {
			accountKeys = []string{m["key1"].(string), m["key2"].(string)}
		}
		if rt.Action != "listkeys" && rt.Action != "regeneratekey" {
			for _, k := range accountKeys {
				if strings.Contains(string(raw), k) {
					t.Errorf("the answer (%d) contains an account key: %s", status, raw)
				}
			}
		}
	}
	wrote := 0
	for _, rt := range routes {
		if rt.Method != "PUT" && rt.Method != "PATCH" && rt.Method != "POST" {
			continue
		}
		ty, ok := types[rt.Type]
		if !ok {
			t.Errorf("route %s %s %s %s: add its type to this test", rt.Kind, rt.Type, rt.Method, rt.Action)
			continue
		}
		path := ty.path
		switch rt.Kind {
		case "list":
			path = path[:strings.LastIndexByte(path, '/')]
		case "action":
			path += "/" + rt.Action
		}
		version := rt.Versions[len(rt.Versions)-1]
		for _, shorthand := range []bool{false, true} {
			body, _ := json.Marshal(withSecrets(ty.body(), shorthand))
			t.Run(rt.Method+" "+rt.Type+" "+rt.Action, func(t *testing.T) {
				status, m, _ := w.do(t, w.admin, rt.Method, path, version, string(body))
				t.Logf("%s %s: %d", rt.Method, path, status)
				check(t, rt, status, m)
				if status < 300 {
					wrote++
				}
			})
		}
	}
	if wrote == 0 {
		t.Fatal("no write succeeded: the test checks only error paths")
	}
	// What was stored with secrets is read back without them.
	for _, rt := range routes {
		ty, ok := types[rt.Type]
		if rt.Method != "GET" || !ok || rt.Kind == "action" {
			continue
		}
		path := ty.path
		if rt.Kind == "list" {
			path = path[:strings.LastIndexByte(path, '/')]
		}
		t.Run("GET "+rt.Kind+" "+rt.Type, func(t *testing.T) {
			status, m, _ := w.do(t, w.admin, "GET", path, rt.Versions[len(rt.Versions)-1], "")
			check(t, rt, status, m)
		})
	}
}

// The deployment PUT of row 7: the answer masks the upstream's key as GET
// does, and keeps the rest of the upstream.
func TestDeploymentPutMasksUpstreamKey(t *testing.T) {
	w := newWorld(t)
	body := `{"sku":{"name":"Standard","capacity":1},"properties":{"model":{"format":"OpenAI","name":"gpt-4o-mini"},` +
		`"upstream":"azure-openai=https://x.openai.azure.com,deployment=gpt-4o,apiKey=very-secret-upstream-key"}}`
	for _, method := range []string{"PUT", "GET"} {
		b := ""
		if method == "PUT" {
			b = body
		}
		m := w.mustOK(t, w.admin, method, w.account+"/deployments/masked", vCS, b)
		up, _ := m["properties"].(map[string]any)["upstream"].(map[string]any)
		if up["apiKey"] != "***" || up["url"] != "https://x.openai.azure.com" || up["deployment"] != "gpt-4o" {
			t.Errorf("%s: upstream %v", method, up)
		}
	}
}

// A secret the request carried is scrubbed from an error that quotes it.
func TestErrorsDoNotEchoSecrets(t *testing.T) {
	w := newWorld(t)
	body := `{"sku":{"name":"Standard","capacity":1},"properties":{"model":{"format":"OpenAI","name":"gpt-4o-mini"},` +
		`"upstream":"openai=ftp://user:LeakyPassword1@upstream.example/v1"}}`
	status, m, _ := w.do(t, w.admin, "PUT", w.account+"/deployments/bad", vCS, body)
	raw, _ := json.Marshal(m)
	if status != 400 || strings.Contains(string(raw), "LeakyPassword1") || !strings.Contains(string(raw), "ftp://") {
		t.Errorf("%d %s", status, raw)
	}
}
