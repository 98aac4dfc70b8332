package arm_test

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
	armScope    = "https://management.azure.com/.default"
	vAuthz      = "2022-04-01"
	vRes        = "2021-04-01"
	vCS         = "2025-06-01"
	roleOwner   = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
	roleContrib = "b24988ac-6180-42a0-ab88-20f7382dd24c"
	roleReader  = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
	roleAIUser  = "53ca6127-db72-4b80-b1b0-d745d6d5456d"
	roleProjMgr = "eadc314b-1a2d-4efa-be10-5d325db5065e"
	roleOAIUser = "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd"
)

// world is a gatehouse with a resource group, an AIServices account, a
// project and a deployment, created by the bootstrap administrator.
type world struct {
	env     *testenv.Env
	admin   string // ARM token of the administrator (Owner at /)
	sub     string
	rg      string // resource group id
	account string // account id
	project string
	deploy  string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	return newWorldOn(t, testenv.New(t))
}

// newWorldOn builds the world's resources in the bootstrap tenant of e.
func newWorldOn(t *testing.T, e *testenv.Env) *world {
	t.Helper()
	w := &world{env: e, admin: e.AppToken(t, e.Admin, armScope), sub: e.Server.Bootstrap().SubscriptionID}
	w.rg = "/subscriptions/" + w.sub + "/resourceGroups/rg1"
	w.account = w.rg + "/providers/Microsoft.CognitiveServices/accounts/acct1"
	w.project = w.account + "/projects/p1"
	w.deploy = w.account + "/deployments/gpt-4o-mini"
	w.mustOK(t, w.admin, "PUT", w.rg, vRes, `{"location":"eastus"}`)
	w.mustOK(t, w.admin, "PUT", w.account, vCS, `{"location":"eastus","kind":"AIServices","sku":{"name":"S0"},"properties":{"allowProjectManagement":true}}`)
	w.mustOK(t, w.admin, "PUT", w.project, vCS, `{"location":"eastus","properties":{}}`)
	w.mustOK(t, w.admin, "PUT", w.deploy, vCS, `{"sku":{"name":"Standard","capacity":10},"properties":{"model":{"format":"OpenAI","name":"gpt-4o-mini","version":"2024-07-18"}}}`)
	return w
}

// do sends an ARM request and decodes the JSON answer.
func (w *world) do(t *testing.T, tok, method, path, version, body string) (int, map[string]any, http.Header) {
	t.Helper()
	url := w.env.URL + path
	if version != "" {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		url += sep + "api-version=" + version
	}
	req, err := http.NewRequest(method, url, bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	req.Header.Set("Content-Type", "application/json")
	status, hdr, raw := w.env.Do(t, req)
	var m map[string]any
	if len(bytes.TrimSpace(raw)) > 0 {
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("%s %s: not JSON (%d): %s", method, path, status, raw)
		}
	}
	return status, m, hdr
}

func (w *world) mustOK(t *testing.T, tok, method, path, version, body string) map[string]any {
	t.Helper()
	status, m, _ := w.do(t, tok, method, path, version, body)
	if status >= 300 {
		t.Fatalf("%s %s: %d %v", method, path, status, m)
	}
	return m
}

// principal is a test app with an ARM token.
type principal struct {
	app   *testenv.App
	oid   string
	token string
}

func (w *world) newPrincipal(t *testing.T, name string) *principal {
	t.Helper()
	a := w.env.NewApp(t, name, testenv.AppOptions{})
	return &principal{app: a, oid: a.SP.ID, token: w.env.AppToken(t, a.Creds(), armScope)}
}

// assign makes the admin give role to principalID at scope; it returns the
// assignment's path.
func (w *world) assign(t *testing.T, principalID, ptype, role, scope string) string {
	t.Helper()
	path := scope + "/providers/Microsoft.Authorization/roleAssignments/" + directory.NewID()
	w.mustOK(t, w.admin, "PUT", path, vAuthz, assignBody(w.sub, role, principalID, ptype))
	return path
}

func assignBody(sub, role, principalID, ptype string) string {
	return `{"properties":{"roleDefinitionId":"/subscriptions/` + sub + `/providers/Microsoft.Authorization/roleDefinitions/` + role +
		`","principalId":"` + principalID + `","principalType":"` + ptype + `"}}`
}

func errCode(m map[string]any) (string, string) {
	e, _ := m["error"].(map[string]any)
	code, _ := e["code"].(string)
	msg, _ := e["message"].(string)
	return code, msg
}

func wantError(t *testing.T, status int, m map[string]any, wantStatus int, wantCode string) string {
	t.Helper()
	code, msg := errCode(m)
	if status != wantStatus || code != wantCode {
		t.Fatalf("got %d %s (%s), want %d %s", status, code, msg, wantStatus, wantCode)
	}
	return msg
}
