package gateway_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/server"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

const (
	roleCSUser = "a97b65f3-24c7-4388-baec-2e87135dc908"
	// The client-credentials guides' request: no "model" (a serverless
	// endpoint serves one), the 2024-05-01-preview api-version.
	guideQuery = "?api-version=2024-05-01-preview"
	guideBody  = `{"messages":[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"Hello"}],"max_tokens":16}`
)

// serverlessPaths are the spellings of the Foundry Models serverless chat
// route, after the account prefix or host.
var serverlessPaths = []string{"/inference/v1/chat/completions" + guideQuery, "/v1/chat/completions", "/chat/completions" + guideQuery}

// A raw-HTTP client following the guides word for word gets its
// completion with Cognitive Services User (the role for Foundry Models),
// and the guide's 401 naming the MaaS data action without it.
func TestServerlessChatRoutes(t *testing.T) {
	e := newEnv(t)
	app := e.NewApp(t, "serverless", testenv.AppOptions{})
	tok := e.AppToken(t, app.Creds(), aiScope)
	for _, p := range serverlessPaths {
		status, hdr, body := e.bearer(t, tok, "/accounts/demo"+p, guideBody)
		code, msg, _ := errorOf(t, body)
		if status != 401 || code != "PermissionDenied" || !strings.Contains(msg, "Microsoft.CognitiveServices/accounts/MaaS/chat/completions/action") {
			t.Errorf("%s without a role: %d %s", p, status, body)
		}
		if hdr.Get("x-gatehouse-required-role") != "Cognitive Services User" {
			t.Errorf("%s: x-gatehouse-required-role = %q", p, hdr.Get("x-gatehouse-required-role"))
		}
	}
	// Cognitive Services OpenAI User grants OpenAI inference, not Foundry Models.
	e.assign(t, app.SP.ID, roleOAI, e.account)
	if status, _, body := e.bearer(t, tok, "/accounts/demo"+serverlessPaths[0], guideBody); status != 401 {
		t.Errorf("with OpenAI User only: %d %s", status, body)
	}
	e.assign(t, app.SP.ID, roleCSUser, e.account)
	for _, p := range serverlessPaths {
		status, _, body := e.bearer(t, tok, "/accounts/demo"+p, guideBody)
		if status != 200 || decode(t, body)["object"] != "chat.completion" {
			t.Errorf("%s with Cognitive Services User: %d %s", p, status, body)
		}
	}
	// Naming the model works too, and an unknown one is Azure's 404.
	status, _, body := e.bearer(t, tok, "/accounts/demo/v1/chat/completions", `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"x"}]}`)
	if status != 200 {
		t.Errorf("with model: %d %s", status, body)
	}
	status, _, body = e.bearer(t, tok, "/accounts/demo/v1/chat/completions", `{"model":"nope","messages":[{"role":"user","content":"x"}]}`)
	if code, _, _ := errorOf(t, body); status != 404 || code != "DeploymentNotFound" {
		t.Errorf("unknown model: %d %s", status, body)
	}
}

// With several deployments, a request without "model" is told to name one.
func TestServerlessChatNeedsModelWhenSeveral(t *testing.T) {
	e := newEnv(t)
	e.deployment(t, "second", 10, "simulator")
	status, _, body := e.bearer(t, e.AppToken(t, e.Demo, aiScope), "/accounts/demo/chat/completions", guideBody)
	if _, msg, _ := errorOf(t, body); status != 400 || !strings.Contains(msg, "'model'") {
		t.Errorf("%d %s", status, body)
	}
}

// On a --base-domain host the guide's URL works as written.
func TestServerlessChatOnBaseDomainHost(t *testing.T) {
	e := &env{Env: testenv.NewWith(t, func(c *server.Config) { c.BaseDomain = "models.example.test" })}
	app := e.NewApp(t, "serverless-host", testenv.AppOptions{})
	tok := e.AppToken(t, app.Creds(), aiScope)
	e.admin = e.AppToken(t, e.Admin, armScope)
	e.account = "/subscriptions/" + e.Server.Bootstrap().SubscriptionID + "/resourceGroups/demo/providers/Microsoft.CognitiveServices/accounts/demo"
	call := func(path string) (int, []byte) {
		req, _ := http.NewRequest("POST", e.URL+path, strings.NewReader(guideBody))
		req.Host = "demo.models.example.test"
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		status, _, body := e.Do(t, req)
		return status, body
	}
	for _, p := range serverlessPaths {
		if status, body := call(p); status != 401 {
			t.Errorf("%s without a role: %d %s", p, status, body)
		}
	}
	e.assign(t, app.SP.ID, roleCSUser, e.account)
	for _, p := range serverlessPaths {
		if status, body := call(p); status != 200 {
			t.Errorf("%s: %d %s", p, status, body)
		}
	}
}
