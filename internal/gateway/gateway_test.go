package gateway_test

import (
	"bufio"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/directory"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

func TestDemoAppCallsChatWithToken(t *testing.T) {
	e := newEnv(t)
	tok := e.AppToken(t, e.Demo, aiScope)
	status, hdr, body := e.bearer(t, tok, chatPath, chatBody)
	if status != 200 {
		t.Fatalf("%d %s", status, body)
	}
	m := decode(t, body)
	if m["object"] != "chat.completion" || m["usage"] == nil {
		t.Errorf("body: %s", body)
	}
	for _, h := range []string{"apim-request-id", "x-request-id", "x-ratelimit-remaining-requests", "x-ratelimit-remaining-tokens"} {
		if hdr.Get(h) == "" {
			t.Errorf("missing header %s", h)
		}
	}
}

func TestNoRoleIsPermissionDeniedWithAdvice(t *testing.T) {
	e := newEnv(t)
	app := e.NewApp(t, "no-role", testenv.AppOptions{})
	tok := e.AppToken(t, app.Creds(), aiScope)
	status, hdr, body := e.bearer(t, tok, chatPath, chatBody)
	code, msg, advice := errorOf(t, body)
	want := "The principal `" + app.SP.ID + "` lacks the required data action `Microsoft.CognitiveServices/accounts/OpenAI/deployments/chat/completions/action` to perform `POST /openai/deployments/{deployment-id}/chat/completions` operation."
	if status != 401 || code != "PermissionDenied" || msg != want {
		t.Fatalf("got %d %s %q\nwant 401 PermissionDenied %q", status, code, msg, want)
	}
	if advice["leastPrivilegedRole"] != "Cognitive Services OpenAI User" || !strings.Contains(advice["command"].(string), "role assignment create") {
		t.Errorf("advice: %v", advice)
	}
	if hdr.Get("x-gatehouse-required-role") != "Cognitive Services OpenAI User" {
		t.Errorf("x-gatehouse-required-role = %q", hdr.Get("x-gatehouse-required-role"))
	}
}

func TestBearerFailures(t *testing.T) {
	e := newEnv(t)
	wrongAud := e.AppToken(t, e.Demo, armScope)
	for name, tok := range map[string]string{"wrong audience": wrongAud, "garbage": "a.b.c", "empty": ""} {
		t.Run(name, func(t *testing.T) {
			status, _, body := e.bearer(t, tok, chatPath, chatBody)
			m := decode(t, body)
			if status != 401 || m["statusCode"] != float64(401) || !strings.HasPrefix(m["message"].(string), "Unauthorized. Access token is missing, invalid, audience is incorrect (https://cognitiveservices.azure.com)") {
				t.Errorf("%d %s", status, body)
			}
		})
	}
}

func TestKeys(t *testing.T) {
	e := newEnv(t)
	key := e.key(t)
	if status, _, body := e.call(t, "POST", chatPath, "api-key", key, chatBody); status != 200 {
		t.Fatalf("api-key: %d %s", status, body)
	}
	if status, _, body := e.call(t, "POST", chatPath, "Ocp-Apim-Subscription-Key", key, chatBody); status != 200 {
		t.Fatalf("Ocp-Apim-Subscription-Key: %d %s", status, body)
	}
	status, _, body := e.call(t, "POST", chatPath, "api-key", "0123456789abcdef0123456789abcdef", chatBody)
	if code, _, _ := errorOf(t, body); status != 401 || code != "401" {
		t.Errorf("wrong key: %d %s", status, body)
	}
	e.arm(t, "PATCH", e.account, "2025-06-01", `{"properties":{"disableLocalAuth":true}}`)
	status, _, body = e.call(t, "POST", chatPath, "api-key", key, chatBody)
	code, msg, _ := errorOf(t, body)
	if status != 403 || code != "AuthenticationTypeDisabled" || msg != "Key based authentication is disabled for this resource." {
		t.Errorf("disableLocalAuth: %d %s", status, body)
	}
	// Tokens still work.
	if status, _, body := e.bearer(t, e.AppToken(t, e.Demo, aiScope), chatPath, chatBody); status != 200 {
		t.Errorf("token with disableLocalAuth: %d %s", status, body)
	}
}

// An assignment made through ARM lets the very next call through; its
// deletion stops the very next one, with the same token.
func TestRoleChangesTakeEffectOnNextCall(t *testing.T) {
	e := newEnv(t)
	app := e.NewApp(t, "dynamic", testenv.AppOptions{})
	tok := e.AppToken(t, app.Creds(), aiScope)
	if status, _, _ := e.bearer(t, tok, chatPath, chatBody); status != 401 {
		t.Fatalf("before: %d", status)
	}
	path := e.assign(t, app.SP.ID, roleOAI, e.account)
	if status, _, body := e.bearer(t, tok, chatPath, chatBody); status != 200 {
		t.Fatalf("after assignment: %d %s", status, body)
	}
	e.arm(t, "DELETE", path, "2022-04-01", "")
	if status, _, _ := e.bearer(t, tok, chatPath, chatBody); status != 401 {
		t.Fatalf("after deletion: %d", status)
	}
}

func TestQuota429(t *testing.T) {
	e := newEnv(t)
	e.deployment(t, "tiny", 1, "simulator") // 1,000 TPM, 6 RPM
	key := e.key(t)
	path := "/accounts/demo/openai/deployments/tiny/chat/completions?api-version=2024-10-21"
	for i := 0; i < 6; i++ {
		if status, _, body := e.call(t, "POST", path, "api-key", key, chatBody); status != 200 {
			t.Fatalf("request %d: %d %s", i+1, status, body)
		}
	}
	status, hdr, body := e.call(t, "POST", path, "api-key", key, chatBody)
	code, msg, _ := errorOf(t, body)
	if status != 429 || code != "429" || !strings.Contains(msg, "exceeded call rate limit") {
		t.Fatalf("7th request: %d %s", status, body)
	}
	for _, h := range []string{"retry-after", "retry-after-ms", "x-ratelimit-remaining-requests", "x-ratelimit-remaining-tokens"} {
		if hdr.Get(h) == "" {
			t.Errorf("429 lacks %s", h)
		}
	}
	// A request whose max_tokens alone exceeds the token quota.
	e.deployment(t, "tiny2", 1, "simulator")
	big := `{"messages":[{"role":"user","content":"x"}],"max_tokens":5000}`
	status, _, body = e.call(t, "POST", "/accounts/demo/openai/deployments/tiny2/chat/completions?api-version=2024-10-21", "api-key", key, big)
	if _, msg, _ := errorOf(t, body); status != 429 || !strings.Contains(msg, "token rate limit") {
		t.Errorf("token limit: %d %s", status, body)
	}
}

// The first streamed chunk reaches the client before the upstream is done.
func TestStreamingIsNotBuffered(t *testing.T) {
	e := newEnv(t)
	e.deployment(t, "slow", 10, "simulator?ttft=20ms&per_token=60ms")
	req, _ := http.NewRequest("POST", e.URL+"/accounts/demo/openai/deployments/slow/chat/completions?api-version=2024-10-21",
		strings.NewReader(`{"messages":[{"role":"user","content":"Hi"}],"max_tokens":15,"stream":true}`))
	req.Header.Set("api-key", e.key(t))
	start := time.Now()
	resp, err := e.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	var first time.Duration
	chunks := 0
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "data: {") {
			if chunks == 0 {
				first = time.Since(start)
			}
			chunks++
		}
	}
	total := time.Since(start)
	if chunks < 10 || first > total/2 {
		t.Fatalf("%d chunks; first after %v of %v: the stream was buffered", chunks, first, total)
	}
}

func TestV1AndLocalRoutes(t *testing.T) {
	e := newEnv(t)
	tok := e.AppToken(t, e.Demo, aiScope)
	if status, _, body := e.bearer(t, tok, "/accounts/demo/openai/v1/chat/completions", `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"x"}]}`); status != 200 {
		t.Errorf("v1 chat: %d %s", status, body)
	}
	if status, _, body := e.bearer(t, tok, "/accounts/demo/openai/v1/embeddings", `{"model":"gpt-4o-mini","input":"x"}`); status != 200 {
		t.Errorf("v1 embeddings: %d %s", status, body)
	}
	status, _, body := e.call(t, "GET", "/accounts/demo/openai/deployments?api-version=2024-10-21", "Authorization", "Bearer "+tok, "")
	if status != 200 || !strings.Contains(string(body), `"gpt-4o-mini"`) {
		t.Errorf("deployments: %d %s", status, body)
	}
	status, _, body = e.bearer(t, tok, "/accounts/demo/openai/deployments/nope/chat/completions?api-version=2024-10-21", chatBody)
	if code, _, _ := errorOf(t, body); status != 404 || code != "DeploymentNotFound" {
		t.Errorf("unknown deployment: %d %s", status, body)
	}
	status, _, body = e.bearer(t, tok, "/accounts/nope/openai/deployments/x/chat/completions?api-version=2024-10-21", chatBody)
	if status != 404 {
		t.Errorf("unknown account: %d %s", status, body)
	}
	status, _, body = e.bearer(t, tok, chatPath, `{"messages":`)
	if status != 400 {
		t.Errorf("bad JSON: %d %s", status, body)
	}
}

// A project-scope assignment grants the project's routes, not the
// account's (Azure's inheritance: the project is not above the deployment).
func TestProjectScope(t *testing.T) {
	e := newEnv(t)
	app := e.NewApp(t, "project-user", testenv.AppOptions{})
	e.assign(t, app.SP.ID, roleAIUsr, e.account+"/projects/demo-project")
	tok := e.AppToken(t, app.Creds(), "https://ai.azure.com/.default")
	status, _, body := e.bearer(t, tok, "/accounts/demo/api/projects/demo-project/openai/v1/chat/completions", `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"x"}]}`)
	if status != 200 {
		t.Fatalf("project route: %d %s", status, body)
	}
	status, _, body = e.bearer(t, tok, chatPath, chatBody)
	if code, _, _ := errorOf(t, body); status != 401 || code != "PermissionDenied" {
		t.Errorf("account route with a project assignment: %d %s", status, body)
	}
	status, _, body = e.bearer(t, tok, "/accounts/demo/api/projects/other/openai/v1/chat/completions", `{"model":"gpt-4o-mini","messages":[]}`)
	if status != 404 {
		t.Errorf("unknown project: %d %s", status, body)
	}
}

func TestUpstreamDownIsBadGateway(t *testing.T) {
	e := newEnv(t)
	e.deployment(t, "down", 10, "openai=http://127.0.0.1:1/v1")
	status, _, body := e.call(t, "POST", "/accounts/demo/openai/deployments/down/chat/completions?api-version=2024-10-21", "api-key", e.key(t), chatBody)
	if code, _, _ := errorOf(t, body); status != 502 || code != "BadGateway" {
		t.Errorf("%d %s", status, body)
	}
}

func TestDeletedPrincipalRefused(t *testing.T) {
	e := newEnv(t)
	app := e.NewApp(t, "gone", testenv.AppOptions{})
	e.assign(t, app.SP.ID, roleOAI, e.account)
	tok := e.AppToken(t, app.Creds(), aiScope)
	if status, _, _ := e.bearer(t, tok, chatPath, chatBody); status != 200 {
		t.Fatalf("before: %d", status)
	}
	e.Update(t, func(ctx context.Context, tx *directory.Tx) error { return tx.DeleteServicePrincipal(ctx, app.SP.ID) })
	if status, _, _ := e.bearer(t, tok, chatPath, chatBody); status != 401 {
		t.Errorf("after deletion: %d", status)
	}
}

func TestUsageAndAuditRecorded(t *testing.T) {
	e := newEnv(t)
	tok := e.AppToken(t, e.Demo, aiScope)
	e.bearer(t, tok, chatPath, chatBody)
	e.bearer(t, e.AppToken(t, e.NewApp(t, "denied", testenv.AppOptions{}).Creds(), aiScope), chatPath, chatBody)
	if err := e.Server.FlushTelemetry(context.Background()); err != nil {
		t.Fatal(err)
	}
	usage := e.arm(t, "GET", "/providers/Gatehouse/usage", "2025-01-01", "")
	if v, _ := usage["value"].([]any); len(v) == 0 {
		t.Errorf("no usage recorded: %v", usage)
	}
	audit := e.arm(t, "GET", "/providers/Gatehouse/audit", "2025-01-01", "")
	var allowed, denied int
	for _, r := range audit["value"].([]any) {
		if r.(map[string]any)["allowed"] == true {
			allowed++
		} else {
			denied++
		}
	}
	if allowed < 1 || denied < 1 {
		t.Errorf("audit: %d allowed, %d denied: %v", allowed, denied, audit)
	}
}
