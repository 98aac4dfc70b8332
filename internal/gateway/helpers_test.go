package gateway_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/directory"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

const (
	armScope  = "https://management.azure.com/.default"
	aiScope   = "https://cognitiveservices.azure.com/.default"
	roleOAI   = "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd"
	roleAIUsr = "53ca6127-db72-4b80-b1b0-d745d6d5456d"
	chatPath  = "/accounts/demo/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21"
	chatBody  = `{"messages":[{"role":"user","content":"Hello"}],"max_tokens":5}`
)

// env is a gatehouse with its demo account, and ARM ids of the demo.
type env struct {
	*testenv.Env
	admin   string // ARM token of the administrator
	account string // demo account id
}

func newEnv(t *testing.T) *env { return newEnvB(t) }

func newEnvB(t testing.TB) *env {
	t.Helper()
	e := testenv.New(t)
	sub := e.Server.Bootstrap().SubscriptionID
	return &env{Env: e, admin: e.AppToken(t, e.Admin, armScope),
		account: "/subscriptions/" + sub + "/resourceGroups/demo/providers/Microsoft.CognitiveServices/accounts/demo"}
}

// call sends a data-plane request with the given auth header.
func (e *env) call(t *testing.T, method, path, hdr, value, body string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, e.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if hdr != "" {
		req.Header.Set(hdr, value)
	}
	return e.Do(t, req)
}

func (e *env) bearer(t *testing.T, tok, path, body string) (int, http.Header, []byte) {
	t.Helper()
	return e.call(t, "POST", path, "Authorization", "Bearer "+tok, body)
}

// arm sends an ARM request as the administrator.
func (e *env) arm(t testing.TB, method, path, version, body string) map[string]any {
	t.Helper()
	req, err := http.NewRequest(method, e.URL+path+"?api-version="+version, bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+e.admin)
	req.Header.Set("Content-Type", "application/json")
	status, _, raw := e.Do(t, req)
	if status >= 300 {
		t.Fatalf("%s %s: %d %s", method, path, status, raw)
	}
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	return m
}

func (e *env) key(t *testing.T) string {
	t.Helper()
	m := e.arm(t, "POST", e.account+"/listKeys", "2025-06-01", "")
	return m["key1"].(string)
}

// assign gives role to principal at scope and returns the assignment path.
func (e *env) assign(t *testing.T, principal, role, scope string) string {
	t.Helper()
	path := scope + "/providers/Microsoft.Authorization/roleAssignments/" + directory.NewID()
	e.arm(t, "PUT", path, "2022-04-01", `{"properties":{"roleDefinitionId":"`+role+`","principalId":"`+principal+`","principalType":"ServicePrincipal"}}`)
	return path
}

// deployment creates a deployment of the demo account.
func (e *env) deployment(t testing.TB, name string, capacity int, upstream string) {
	t.Helper()
	e.arm(t, "PUT", e.account+"/deployments/"+name, "2025-06-01",
		`{"sku":{"name":"Standard","capacity":`+itoa(capacity)+`},"properties":{"model":{"format":"OpenAI","name":"gpt-4o-mini"},"upstream":"`+upstream+`"}}`)
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("not JSON: %s", b)
	}
	return m
}

func errorOf(t *testing.T, b []byte) (code, msg string, extra map[string]any) {
	t.Helper()
	e, _ := decode(t, b)["error"].(map[string]any)
	code, _ = e["code"].(string)
	msg, _ = e["message"].(string)
	extra, _ = e["gatehouse"].(map[string]any)
	return
}
