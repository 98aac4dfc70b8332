package graph_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/internal/token"
)

// Graph refuses bad tokens with its own 401 body, unchanged, and says what
// was wrong and the fix in X-Gatehouse-Auth-Failure, as ARM and the data
// plane do; each refusal is in the audit trail, never the token.
func TestGraphAuthFailuresAreExplainedAndAudited(t *testing.T) {
	e := testenv.New(t)
	good := e.GraphToken(t, e.Admin)
	now := time.Now()
	cases := []struct{ kind, auth, explain string }{
		{"missing", "", "no Authorization header"},
		{"malformed-header", "Basic x", "must be 'Bearer <token>'"},
		{"audience", "Bearer " + e.AppToken(t, e.Admin, "https://management.azure.com/.default"), "ask for 'https://graph.microsoft.com/.default'"},
		{"expired", "Bearer " + e.ForgeToken(t, good, func(c *token.Claims) {
			c.Iat, c.Nbf, c.Exp = now.Add(-3*time.Hour).Unix(), now.Add(-3*time.Hour).Unix(), now.Add(-2*time.Hour).Unix()
		}), "the token expired at "},
	}
	for _, c := range cases {
		t.Run(c.kind, func(t *testing.T) {
			req, _ := http.NewRequest("GET", e.URL+"/v1.0/users", nil)
			if c.auth != "" {
				req.Header.Set("Authorization", c.auth)
			}
			status, hdr, raw := e.Do(t, req)
			why := hdr.Get("X-Gatehouse-Auth-Failure")
			if status != 401 || !strings.Contains(string(raw), `"InvalidAuthenticationToken"`) || !strings.Contains(why, c.explain) {
				t.Fatalf("got %d %s, explanation %q; want 401 InvalidAuthenticationToken and %q", status, raw, why, c.explain)
			}
			if tok := strings.TrimPrefix(c.auth, "Bearer "); len(tok) > 20 && strings.Contains(why+string(raw), tok) {
				t.Fatal("the token was echoed")
			}
		})
	}
	if err := e.Server.FlushTelemetry(context.Background()); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", e.URL+"/providers/Gatehouse/audit?api-version=2025-01-01&denied=true&$top=100", nil)
	req.Header.Set("Authorization", "Bearer "+e.AppToken(t, e.Admin, "https://management.azure.com/.default"))
	status, _, raw := e.Do(t, req)
	if status != 200 {
		t.Fatalf("audit: %d %s", status, raw)
	}
	seen := map[string]bool{}
	for _, r := range testenv.DecodeJSON(t, raw)["value"].([]any) {
		rec := r.(map[string]any)
		if rec["action"] == "authenticate (graph)" && rec["allowed"] == false && rec["route"] == "GET /v1.0/users" {
			seen[rec["authenticationFailure"].(string)] = true
		}
	}
	for _, c := range cases {
		if !seen[c.kind] {
			t.Errorf("no graph audit record of kind %s in %s", c.kind, raw)
		}
	}
}
