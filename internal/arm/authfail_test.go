package arm_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/directory"
	"github.com/gatehouse/gatehouse/internal/server"
	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/internal/token"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Every refused authentication on ARM keeps Azure's code and message, says
// what was wrong and the fix in X-Gatehouse-Auth-Failure, is logged at
// debug and lands in the audit trail (denied), never with the token.
func TestAuthFailuresAreExplainedAndAudited(t *testing.T) {
	var logs lockedBuffer
	w := newWorldOn(t, testenv.NewWith(t, func(c *server.Config) {
		c.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}))
	e := w.env
	good := w.admin
	parts := strings.Split(good, ".")
	now := time.Now()
	forge := func(mod func(*token.Claims)) string { return e.ForgeToken(t, good, mod) }
	otherPayload := strings.Split(forge(func(c *token.Claims) { c.Exp++ }), ".")[1]

	otherSub := directory.NewID() // a subscription of another tenant
	f, err := config.Parse([]byte("tenants:\n  - domain: fabrikam.onmicrosoft.com\n    subscriptions:\n      - id: " + otherSub + "\n        displayName: fabrikam\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := config.Apply(context.Background(), e.Directory(), f); err != nil {
		t.Fatal(err)
	}
	disabled := w.newPrincipal(t, "disabled")
	e.Update(t, func(ctx context.Context, tx *directory.Tx) error {
		sp, err := tx.ServicePrincipal(ctx, disabled.oid)
		if err != nil {
			return err
		}
		sp.AccountEnabled = false
		return tx.PutServicePrincipal(ctx, sp)
	})
	deleted := w.newPrincipal(t, "deleted")
	e.Update(t, func(ctx context.Context, tx *directory.Tx) error { return tx.DeleteServicePrincipal(ctx, deleted.oid) })

	cases := []struct {
		kind, auth, path string
		code, explain    string
		principal        string // "" none, "*" any
		unverified       bool
	}{
		{"missing", "", w.rg, "AuthenticationFailed", "no Authorization header", "", false},
		{"malformed-header", "Basic " + good, w.rg, "AuthenticationFailedInvalidHeader", "must be 'Bearer <token>'", "", false},
		{"malformed-token", "Bearer a.b.c", w.rg, "InvalidAuthenticationToken", "not a JWT", "", false},
		{"audience", "Bearer " + e.AppToken(t, e.Admin, "https://cognitiveservices.azure.com/.default"), w.rg, "InvalidAuthenticationTokenAudience",
			"audience 'https://cognitiveservices.azure.com' is not accepted here; ask for 'https://management.azure.com/.default'", "*", true},
		{"issuer", "Bearer " + forge(func(c *token.Claims) { c.Iss = "https://evil.example/x/v2.0" }), w.rg, "InvalidAuthenticationToken",
			"issuer 'https://evil.example/x/v2.0' is not accepted", "*", true},
		{"expired", "Bearer " + forge(func(c *token.Claims) {
			c.Iat, c.Nbf, c.Exp = now.Add(-3*time.Hour).Unix(), now.Add(-3*time.Hour).Unix(), now.Add(-2*time.Hour).Unix()
		}), w.rg, "ExpiredAuthenticationToken", "the token expired at ", "*", true},
		{"not-yet-valid", "Bearer " + forge(func(c *token.Claims) { c.Nbf = now.Add(2 * time.Hour).Unix() }), w.rg, "InvalidAuthenticationToken",
			"not valid before", "*", true},
		{"unknown-signing-key", "Bearer " + base64.RawURLEncoding.EncodeToString([]byte(`{"typ":"JWT","alg":"RS256","kid":"entra-key-1"}`)) + "." + parts[1] + "." + parts[2],
			w.rg, "InvalidAuthenticationToken", "signed with key 'entra-key-1'", "*", true},
		{"bad-signature", "Bearer " + parts[0] + "." + otherPayload + "." + parts[2], w.rg, "InvalidAuthenticationToken", "signature does not verify", "*", true},
		{"tenant", "Bearer " + good, "/subscriptions/" + otherSub + "/resourceGroups/intruder", "InvalidAuthenticationTokenTenant",
			"this resource belongs to tenant '", "*", false},
		{"principal-disabled", "Bearer " + disabled.token, w.rg, "InvalidAuthenticationToken", "is disabled", disabled.oid, false},
		{"principal-deleted", "Bearer " + deleted.token, w.rg, "InvalidAuthenticationToken", "no longer exists", deleted.oid, false},
	}
	for _, c := range cases {
		t.Run(c.kind, func(t *testing.T) {
			req, _ := http.NewRequest("GET", e.URL+c.path+"?api-version="+vRes, nil)
			if c.auth != "" {
				req.Header.Set("Authorization", c.auth)
			}
			status, hdr, raw := e.Do(t, req)
			why := hdr.Get("X-Gatehouse-Auth-Failure")
			code, _ := errCode(testenv.DecodeJSON(t, raw))
			if status != 401 || code != c.code || !strings.Contains(why, c.explain) {
				t.Errorf("got %d %s, X-Gatehouse-Auth-Failure %q; want 401 %s and %q", status, code, why, c.code, c.explain)
			}
			noCredential(t, why, c.auth)
		})
	}

	if err := e.Server.FlushTelemetry(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, audit, _ := w.do(t, w.admin, "GET", "/providers/Gatehouse/audit?denied=true&$top=1000", "2025-01-01", "")
	byKind := map[string]map[string]any{}
	for _, r := range audit["value"].([]any) {
		rec := r.(map[string]any)
		if k, _ := rec["authenticationFailure"].(string); k != "" {
			byKind[k] = rec
		}
	}
	log := logs.String()
	for _, c := range cases {
		rec := byKind[c.kind]
		if rec == nil {
			t.Errorf("%s: no audit record", c.kind)
			continue
		}
		if rec["allowed"] != false || rec["clientAddress"] != "127.0.0.1" || rec["route"] != "GET "+c.path || rec["requestId"] == "" {
			t.Errorf("%s: record %v", c.kind, rec)
		}
		pid, _ := rec["principalId"].(string)
		if (c.principal == "" && pid != "") || (c.principal == "*" && pid == "") || (len(c.principal) > 1 && pid != c.principal) {
			t.Errorf("%s: principal %q, want %q", c.kind, pid, c.principal)
		}
		if u, _ := rec["principalUnverified"].(bool); u != c.unverified {
			t.Errorf("%s: principalUnverified = %v, want %v", c.kind, u, c.unverified)
		}
		noCredential(t, rec["reason"].(string), c.auth)
		if !strings.Contains(log, "kind="+c.kind) {
			t.Errorf("%s: no debug log line", c.kind)
		}
		if tok := strings.TrimPrefix(strings.TrimPrefix(c.auth, "Bearer "), "Basic "); len(tok) > 8 && strings.Contains(log, tok) {
			t.Errorf("%s: the token was logged", c.kind)
		}
	}
}

// noCredential checks an explanation is short printable ASCII without the
// credential.
func noCredential(t *testing.T, s, auth string) {
	t.Helper()
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			t.Fatalf("not printable ASCII: %q", s)
		}
	}
	if tok := strings.TrimPrefix(strings.TrimPrefix(auth, "Bearer "), "Basic "); len(tok) > 8 && strings.Contains(s, tok) {
		t.Errorf("the credential is echoed: %q", s)
	}
	if len(s) > 400 {
		t.Errorf("explanation of %d bytes", len(s))
	}
}
