package gateway_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/directory"
	"github.com/gatehouse/gatehouse/internal/server"
	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/internal/token"
)

// syncBuffer is a log sink the server writes to from its goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Every refused authentication on the data plane keeps Azure's body, says
// what was wrong and the fix in X-Gatehouse-Auth-Failure, is logged at
// debug and lands in the audit trail (denied), never with the token.
func TestAuthFailuresAreExplainedAndAudited(t *testing.T) {
	var logs syncBuffer
	e := &env{Env: testenv.NewWith(t, func(c *server.Config) {
		c.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})}
	e.admin = e.AppToken(t, e.Admin, armScope)
	e.account = "/subscriptions/" + e.Server.Bootstrap().SubscriptionID + "/resourceGroups/demo/providers/Microsoft.CognitiveServices/accounts/demo"

	good := e.AppToken(t, e.Demo, aiScope)
	parts := strings.Split(good, ".")
	now := time.Now()
	forge := func(mod func(*token.Claims)) string { return e.ForgeToken(t, good, mod) }
	otherPayload := strings.Split(forge(func(c *token.Claims) { c.Exp++ }), ".")[1]

	var other string // a token of another tenant
	e.Update(t, func(ctx context.Context, tx *directory.Tx) error {
		ten, err := tx.CreateTenant(ctx, directory.NewTenant{Domain: "fabrikam.onmicrosoft.com"})
		other = ten.ID
		return err
	})
	otherTok := e.AppToken(t, e.NewApp(t, "fabrikam-app", testenv.AppOptions{Tenant: other}).Creds(), aiScope)

	disabled := e.NewApp(t, "disabled", testenv.AppOptions{})
	disabledTok := e.AppToken(t, disabled.Creds(), aiScope)
	e.Update(t, func(ctx context.Context, tx *directory.Tx) error {
		sp, err := tx.ServicePrincipal(ctx, disabled.SP.ID)
		if err != nil {
			return err
		}
		sp.AccountEnabled = false
		return tx.PutServicePrincipal(ctx, sp)
	})
	deleted := e.NewApp(t, "deleted", testenv.AppOptions{})
	deletedTok := e.AppToken(t, deleted.Creds(), aiScope)
	e.Update(t, func(ctx context.Context, tx *directory.Tx) error {
		return tx.DeleteServicePrincipal(ctx, deleted.SP.ID)
	})

	key := e.key(t)
	bearerBody := "Unauthorized. Access token is missing, invalid, audience is incorrect (https://cognitiveservices.azure.com), or have expired."
	cases := []struct {
		kind, hdr, value string
		status           int
		explain          string // a part of X-Gatehouse-Auth-Failure
		principal        string // the audit record's principal ("" none)
		unverified       bool
	}{
		{"missing", "", "", 401, "no Authorization header", "", false},
		{"malformed-header", "Authorization", "Basic " + good, 401, "must be 'Bearer <token>'", "", false},
		{"malformed-token", "Authorization", "Bearer not-a-jwt", 401, "not a JWT", "", false},
		{"audience", "Authorization", "Bearer " + e.AppToken(t, e.Demo, "https://graph.microsoft.com/.default"), 401,
			"audience 'https://graph.microsoft.com' is not accepted here; ask for 'https://cognitiveservices.azure.com/.default'", "*", true},
		{"issuer", "Authorization", "Bearer " + forge(func(c *token.Claims) { c.Iss = "https://evil.example/x/v2.0" }), 401,
			"issuer 'https://evil.example/x/v2.0' is not accepted", "*", true},
		{"expired", "Authorization", "Bearer " + forge(func(c *token.Claims) {
			c.Iat, c.Nbf, c.Exp = now.Add(-3*time.Hour).Unix(), now.Add(-3*time.Hour).Unix(), now.Add(-2*time.Hour).Unix()
		}), 401, "the token expired at ", "*", true},
		{"not-yet-valid", "Authorization", "Bearer " + forge(func(c *token.Claims) { c.Nbf = now.Add(2 * time.Hour).Unix() }), 401,
			"not valid before", "*", true},
		{"unknown-signing-key", "Authorization", "Bearer " + b64url(`{"typ":"JWT","alg":"RS256","kid":"entra-key-1"}`) + "." + parts[1] + "." + parts[2], 401,
			"signed with key 'entra-key-1', which this server never issued", "*", true},
		{"bad-signature", "Authorization", "Bearer " + parts[0] + "." + otherPayload + "." + parts[2], 401,
			"signature does not verify", "*", true},
		{"tenant", "Authorization", "Bearer " + otherTok, 401, "from tenant '" + other + "' but this resource belongs to tenant '" + e.Tenant + "'", "*", false},
		{"principal-disabled", "Authorization", "Bearer " + disabledTok, 401, "is disabled", disabled.SP.ID, false},
		{"principal-deleted", "Authorization", "Bearer " + deletedTok, 401, "no longer exists", deleted.SP.ID, false},
		{"invalid-key", "api-key", "0123456789abcdef0123456789abcdef", 401, "not one of this account's two keys", "", false},
	}
	for _, c := range cases {
		t.Run(c.kind, func(t *testing.T) {
			status, hdr, body := e.call(t, "POST", chatPath, c.hdr, c.value, chatBody)
			why := hdr.Get("X-Gatehouse-Auth-Failure")
			if status != c.status || !strings.Contains(why, c.explain) {
				t.Errorf("got %d, X-Gatehouse-Auth-Failure %q; want %d and %q", status, why, c.status, c.explain)
			}
			if c.hdr == "Authorization" || c.hdr == "" {
				if m := decode(t, body); m["message"] != bearerBody || hdr.Get("WWW-Authenticate") == "" {
					t.Errorf("Azure's body changed: %s", body)
				}
			}
			assertSafe(t, why, c.value)
		})
	}
	// disableLocalAuth: a key is refused with 403, and said why.
	e.arm(t, "PATCH", e.account, "2025-06-01", `{"properties":{"disableLocalAuth":true}}`)
	status, hdr, _ := e.call(t, "POST", chatPath, "api-key", key, chatBody)
	if why := hdr.Get("X-Gatehouse-Auth-Failure"); status != 403 || !strings.Contains(why, "keys are disabled on this account") {
		t.Errorf("disableLocalAuth: %d %q", status, why)
	}
	cases = append(cases, struct {
		kind, hdr, value string
		status           int
		explain          string
		principal        string
		unverified       bool
	}{kind: "key-auth-disabled", hdr: "api-key", value: key})

	if err := e.Server.FlushTelemetry(context.Background()); err != nil {
		t.Fatal(err)
	}
	audit := e.arm(t, "GET", "/providers/Gatehouse/audit", "2025-01-01&denied=true&$top=1000", "")
	byKind := map[string]map[string]any{}
	for _, r := range audit["value"].([]any) {
		rec := r.(map[string]any)
		if k, _ := rec["authenticationFailure"].(string); k != "" {
			byKind[k] = rec
		}
	}
	for _, c := range cases {
		rec := byKind[c.kind]
		if rec == nil {
			t.Errorf("%s: no audit record (have %v)", c.kind, keys(byKind))
			continue
		}
		if rec["allowed"] != false || rec["clientAddress"] != "127.0.0.1" || !strings.Contains(rec["route"].(string), "/chat/completions") ||
			rec["scope"] != e.account || rec["requestId"] == "" {
			t.Errorf("%s: record %v", c.kind, rec)
		}
		pid, _ := rec["principalId"].(string)
		switch c.principal {
		case "":
			if pid != "" {
				t.Errorf("%s: principal %q recorded, want none", c.kind, pid)
			}
		case "*":
			if pid == "" {
				t.Errorf("%s: the token's principal is not recorded: %v", c.kind, rec)
			}
		default:
			if pid != c.principal {
				t.Errorf("%s: principal %q, want %q", c.kind, pid, c.principal)
			}
		}
		if u, _ := rec["principalUnverified"].(bool); u != c.unverified {
			t.Errorf("%s: principalUnverified = %v, want %v", c.kind, u, c.unverified)
		}
		if c.value != "" {
			assertSafe(t, rec["reason"].(string), c.value)
		}
	}
	log := logs.String()
	for _, c := range cases {
		if !strings.Contains(log, "kind="+c.kind) {
			t.Errorf("no debug log line for %s", c.kind)
		}
		if len(c.value) > 20 && strings.Contains(log, strings.TrimPrefix(strings.TrimPrefix(c.value, "Bearer "), "Basic ")) {
			t.Errorf("%s: the credential was logged", c.kind)
		}
	}
}

// assertSafe checks an explanation is short printable ASCII without the
// credential.
func assertSafe(t *testing.T, s, credential string) {
	t.Helper()
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			t.Errorf("not printable ASCII: %q", s)
			break
		}
	}
	if len(s) > 400 {
		t.Errorf("explanation of %d bytes", len(s))
	}
	cred := strings.TrimPrefix(strings.TrimPrefix(credential, "Bearer "), "Basic ")
	if len(cred) > 8 && strings.Contains(s, cred) {
		t.Errorf("the credential is echoed: %q", s)
	}
}

func b64url(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func keys(m map[string]map[string]any) []string {
	out := []string{}
	for k := range m {
		out = append(out, k)
	}
	return out
}
