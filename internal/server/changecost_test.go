package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/directory"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// A change costs what it changes, through the HTTP API: with a tenant of a
// few hundred users, groups and role assignments, creating an unrelated
// service principal leaves the authorization state alone, and a new role
// assignment is applied as a change — neither makes the next chat call
// recompile the tenant. The counters say so exactly; the times (logged)
// are only a sanity bound, since timing tests are noisy here.
func TestNextCallAfterAWriteRecompilesNothing(t *testing.T) {
	var cfg strings.Builder
	cfg.WriteString("tenants:\n  - domain: gatehouse.onmicrosoft.com\n    users:\n")
	for i := range 300 {
		fmt.Fprintf(&cfg, "      - {userPrincipalName: u%d@gatehouse.onmicrosoft.com, displayName: U%d}\n", i, i)
	}
	cfg.WriteString("    groups:\n")
	for g := range 30 {
		fmt.Fprintf(&cfg, "      - displayName: G%d\n        members: [", g)
		for i := range 10 {
			if i > 0 {
				cfg.WriteString(", ")
			}
			fmt.Fprintf(&cfg, "u%d@gatehouse.onmicrosoft.com", g*10+i)
		}
		cfg.WriteString("]\n")
	}
	cfg.WriteString("    roleAssignments:\n")
	for i := range 300 {
		fmt.Fprintf(&cfg, "      - {principal: u%d@gatehouse.onmicrosoft.com, role: Reader, scope: /}\n", i)
	}
	e := testenv.NewWithConfig(t, cfg.String())
	e.Serve(t)
	az := e.Server.Authorizer()
	chatTok := e.AppToken(t, e.Demo, "https://cognitiveservices.azure.com/.default")
	chat := func() time.Duration {
		req, _ := http.NewRequest("POST", e.URL+"/accounts/demo/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21",
			strings.NewReader(`{"messages":[{"role":"user","content":"hi"}],"max_tokens":5}`))
		req.Header.Set("Authorization", "Bearer "+chatTok)
		req.Header.Set("Content-Type", "application/json")
		t0 := time.Now()
		status, _, body := e.Do(t, req)
		d := time.Since(t0)
		if status != 200 {
			t.Fatalf("chat: %d %s", status, body)
		}
		return d
	}
	chat()
	steady := chat()
	compiles := az.Stats().Compiles.Load()

	// An unrelated write: a new application and its service principal.
	e.NewApp(t, "ci-bot", testenv.AppOptions{})
	afterUnrelated := chat()
	if got := az.Stats().Compiles.Load(); got != compiles {
		t.Errorf("an unrelated write recompiled the authorization state (%d compiles)", got-compiles)
	}

	// A relevant write: a role assignment through ARM.
	armTok := e.AppToken(t, e.Admin, "https://management.azure.com/.default")
	sub := e.Server.Bootstrap().SubscriptionID
	path := "/subscriptions/" + sub + "/providers/Microsoft.Authorization/roleAssignments/" + directory.NewID()
	body := `{"properties":{"roleDefinitionId":"/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7","principalId":"` + e.Server.Bootstrap().AdminSPID + `","principalType":"ServicePrincipal"}}`
	followed := az.Stats().Followed.Load()
	req, _ := http.NewRequest("PUT", e.URL+path+"?api-version=2022-04-01", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+armTok)
	req.Header.Set("Content-Type", "application/json")
	if status, _, b := e.Do(t, req); status != 201 {
		t.Fatalf("role assignment: %d %s", status, b)
	}
	afterRelevant := chat()
	if got := az.Stats().Compiles.Load(); got != compiles {
		t.Errorf("a role assignment recompiled the authorization state (%d compiles)", got-compiles)
	}
	if az.Stats().Followed.Load() <= followed {
		t.Errorf("the role assignment was not applied as a change")
	}
	t.Logf("steady %v, after an unrelated write %v, after a role assignment %v", steady, afterUnrelated, afterRelevant)
	for what, d := range map[string]time.Duration{"unrelated": afterUnrelated, "relevant": afterRelevant} {
		if d > steady+250*time.Millisecond {
			t.Errorf("the first call after a %s write took %v (steady %v)", what, d, steady)
		}
	}
}
