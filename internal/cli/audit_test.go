package cli_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// `audit list --denied` shows refused authentications of both surfaces
// beside authorization denials, and leaves out allowed decisions.
func TestAuditListDeniedShowsAuthFailures(t *testing.T) {
	e := testenv.New(t)
	for path, auth := range map[string]string{
		"/subscriptions/" + e.Server.Bootstrap().SubscriptionID + "/resourceGroups?api-version=2021-04-01": "",                 // ARM, no token
		"/accounts/demo/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21":            "Bearer not-a-jwt", // gateway
	} {
		req, _ := http.NewRequest("POST", e.URL+path, nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		if status, _, _ := e.Do(t, req); status != 401 {
			t.Fatalf("%s: %d", path, status)
		}
	}
	// An allowed data-plane call, which --denied must leave out.
	tok := e.AppToken(t, e.Demo, "https://cognitiveservices.azure.com/.default")
	req, _ := http.NewRequest("POST", e.URL+"/accounts/demo/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21",
		strings.NewReader(`{"messages":[{"role":"user","content":"hi"}],"max_tokens":3}`))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	if status, _, body := e.Do(t, req); status != 200 {
		t.Fatalf("allowed call: %d %s", status, body)
	}
	if err := e.Server.FlushTelemetry(context.Background()); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]string{}
	for _, r := range jsonOf(t, mustGH(t, e, "audit", "list", "--denied")).([]any) {
		rec := r.(map[string]any)
		if rec["allowed"] != false {
			t.Errorf("--denied lists an allowed decision: %v", rec)
		}
		if k, _ := rec["authenticationFailure"].(string); k != "" {
			kinds[rec["action"].(string)] = k
		}
	}
	if kinds["authenticate (arm)"] != "missing" || kinds["authenticate (gateway)"] != "malformed-token" {
		t.Errorf("refused authentications in `audit list --denied`: %v", kinds)
	}
	all := jsonOf(t, mustGH(t, e, "audit", "list")).([]any)
	if len(all) < 3 {
		t.Errorf("audit list without --denied: %d records, want the allowed one too", len(all))
	}
}
