package arm_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/arm"
	"github.com/gatehouse/gatehouse/internal/directory"
	"github.com/gatehouse/gatehouse/internal/rbac"
	"github.com/gatehouse/gatehouse/internal/server"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// Regression tests for the authorization holes of the security review,
// through the HTTP API, each with a sibling of its class: another object
// type, another tenant, another spelling.

const (
	tenB      = "bbbbbbbb-1111-2222-3333-444444444444"
	subB      = "bbbbbbbb-5555-6666-7777-888888888888"
	bAdminApp = "bbbbbbbb-aaaa-aaaa-aaaa-aaaaaaaaaaaa"
	bSecret   = "tenant-b-admin-secret-0123456789"
)

// twoTenants is a world in the bootstrap tenant (A) beside a tenant B with
// its own subscription, an Owner at its root, and a management group of
// the same name as one made in A.
type twoTenants struct {
	*world
	adminB string // ARM token of B's Owner at /
}

func newTwoTenants(t *testing.T) *twoTenants {
	t.Helper()
	e := testenv.NewWithConfig(t, `
tenants:
  - domain: b.onmicrosoft.com
    id: `+tenB+`
    applications:
      - displayName: b-admin
        appId: `+bAdminApp+`
        secrets: [{displayName: ci, value: `+bSecret+`}]
    subscriptions: [{id: `+subB+`, displayName: B}]
    managementGroups: [{name: team}]
    roleAssignments: [{principal: b-admin, role: Owner, scope: /}]
`)
	e.Serve(t)
	w := newWorldOn(t, e)
	w.mustOK(t, w.admin, "PUT", mgTeam, vMgmt, `{"properties":{}}`)
	tw := &twoTenants{world: w, adminB: e.AppToken(t, server.Credentials{Tenant: tenB, ClientID: bAdminApp, ClientSecret: bSecret}, armScope)}
	return tw
}

const mgTeam = "/providers/Microsoft.Management/managementGroups/team"

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func customRoleBody(name string, actions []string, scopes ...string) string {
	return `{"properties":{"roleName":"` + name + `","type":"CustomRole","permissions":[{"actions":["` + strings.Join(actions, `","`) +
		`"]}],"assignableScopes":["` + strings.Join(scopes, `","`) + `"]}}`
}

// Row 1: a Contributor of one resource group named the administrator's
// object id as its account's identity, then deleted the account, which
// deleted the administrator. The class: only gatehouse creates and deletes
// identities, for any identity type and any resource kind.
func TestIdentityOfAnotherPrincipalIsNeverTaken(t *testing.T) {
	w := newTwoTenants(t)
	c := w.newPrincipal(t, "contributor")
	w.assign(t, c.oid, "ServicePrincipal", roleContrib, w.rg)
	adminOID := w.env.Server.Bootstrap().AdminSPID
	for _, tc := range []struct{ path, body string }{
		{w.rg + "/providers/Microsoft.CognitiveServices/accounts/ua", `{"location":"eastus","kind":"OpenAI","sku":{"name":"S0"},"identity":{"type":"UserAssigned","principalId":"` + adminOID + `","userAssignedIdentities":{"/subscriptions/` + w.sub + `/resourceGroups/rg1/providers/Microsoft.ManagedIdentity/userAssignedIdentities/nope":{"principalId":"` + adminOID + `"}}}}`},
		{w.rg + "/providers/Microsoft.CognitiveServices/accounts/sa", `{"location":"eastus","kind":"OpenAI","sku":{"name":"S0"},"identity":{"type":"SystemAssigned","principalId":"` + adminOID + `","tenantId":"` + tenB + `"}}`},
		{w.account + "/projects/px", `{"location":"eastus","identity":{"type":"SystemAssigned","principalId":"` + adminOID + `"}}`},
	} {
		status, m, _ := w.do(t, c.token, "PUT", tc.path, vCS, tc.body)
		if status < 300 {
			id, _ := m["identity"].(map[string]any)
			if id["principalId"] == adminOID || id["tenantId"] == tenB {
				t.Errorf("PUT %s stored the client's identity: %v", tc.path, id)
			}
		}
		w.do(t, c.token, "DELETE", tc.path, vCS, "")
	}
	if _, err := w.env.Directory().ServicePrincipal(t.Context(), adminOID); err != nil {
		t.Fatalf("the administrator's service principal is gone: %v", err)
	}
	w.env.AppToken(t, w.env.Admin, armScope) // the administrator still signs in
}

// A system-assigned identity is made for its resource and deleted with it;
// a user-assigned one needs assign/action and survives the resources that
// use it.
func TestIdentitiesBelongToTheirResource(t *testing.T) {
	w := newWorld(t)
	acct := w.rg + "/providers/Microsoft.CognitiveServices/accounts/withid"
	m := w.mustOK(t, w.admin, "PUT", acct, vCS, `{"location":"eastus","kind":"OpenAI","sku":{"name":"S0"},"identity":{"type":"SystemAssigned"}}`)
	sysOID, _ := m["identity"].(map[string]any)["principalId"].(string)
	if _, err := w.env.Directory().ServicePrincipal(t.Context(), sysOID); err != nil {
		t.Fatalf("system-assigned principal: %v", err)
	}
	uaID := w.rg + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/ua1"
	ua := w.mustOK(t, w.admin, "PUT", uaID, "2023-01-31", `{"location":"eastus"}`)
	uaOID, _ := ua["properties"].(map[string]any)["principalId"].(string)

	// A Cognitive Services Contributor of the resource group may create
	// accounts but not assign the identity (Contributor could: its "*"
	// covers assign/action, as in Azure).
	c := w.newPrincipal(t, "cs-contributor")
	w.assign(t, c.oid, "ServicePrincipal", "25fbc0a9-bd7c-42a3-aa1a-3b75d497ee68", w.rg)
	body := `{"location":"eastus","kind":"OpenAI","sku":{"name":"S0"},"identity":{"type":"SystemAssigned, UserAssigned","userAssignedIdentities":{"` + uaID + `":{}}}}`
	status, em, _ := w.do(t, c.token, "PUT", w.rg+"/providers/Microsoft.CognitiveServices/accounts/byc", vCS, body)
	if msg := wantError(t, status, em, 403, "AuthorizationFailed"); !strings.Contains(msg, "userAssignedIdentities/*/assign/action") {
		t.Errorf("message: %s", msg)
	}
	// The Owner may; the entry carries the identity's own ids.
	m = w.mustOK(t, w.admin, "PUT", acct, vCS, body)
	got := m["identity"].(map[string]any)["userAssignedIdentities"].(map[string]any)
	if e, _ := got[uaID].(map[string]any); e["principalId"] != uaOID {
		t.Errorf("userAssignedIdentities = %v", got)
	}
	if m["identity"].(map[string]any)["principalId"] != sysOID {
		t.Errorf("the system-assigned principal changed on update")
	}
	w.mustOK(t, w.admin, "DELETE", acct, vCS, "")
	if _, err := w.env.Directory().ServicePrincipal(t.Context(), sysOID); !directory.IsNotFound(err) {
		t.Errorf("the system-assigned principal survived its account: %v", err)
	}
	if _, err := w.env.Directory().ServicePrincipal(t.Context(), uaOID); err != nil {
		t.Errorf("the user-assigned identity went with an account that used it: %v", err)
	}
	w.mustOK(t, w.admin, "DELETE", uaID, "2023-01-31", "")
	if _, err := w.env.Directory().ServicePrincipal(t.Context(), uaOID); !directory.IsNotFound(err) {
		t.Errorf("the user-assigned identity's principal survived it: %v", err)
	}
}

// Row 2: the Owner of one resource group rewrote a custom role assigned at
// the subscription by naming only its own group as assignable scope. The
// class: an update needs the right at every stored and every new scope.
func TestRoleDefinitionUpdateChecksStoredScopes(t *testing.T) {
	w := newWorld(t)
	sub := "/subscriptions/" + w.sub
	rgB := sub + "/resourceGroups/rgB"
	w.mustOK(t, w.admin, "PUT", rgB, vRes, `{"location":"eastus"}`)
	guid := directory.NewID()
	w.mustOK(t, w.admin, "PUT", sub+"/providers/Microsoft.Authorization/roleDefinitions/"+guid, vAuthz,
		customRoleBody("reader-ish", []string{"*/read"}, sub))
	holder := w.newPrincipal(t, "holder")
	w.assign(t, holder.oid, "ServicePrincipal", guid, sub)
	rgOwner := w.newPrincipal(t, "rg-owner")
	w.assign(t, rgOwner.oid, "ServicePrincipal", roleOwner, rgB)

	status, m, _ := w.do(t, rgOwner.token, "PUT", rgB+"/providers/Microsoft.Authorization/roleDefinitions/"+guid, vAuthz,
		customRoleBody("reader-ish", []string{"*"}, rgB))
	wantError(t, status, m, 403, "AuthorizationFailed")
	status, m, _ = w.do(t, holder.token, "PUT", w.rg+"/providers/Microsoft.CognitiveServices/accounts/x", vCS,
		`{"location":"eastus","kind":"OpenAI","sku":{"name":"S0"}}`)
	wantError(t, status, m, 403, "AuthorizationFailed")
	// The sibling: deleting it needs the stored scopes too.
	status, m, _ = w.do(t, rgOwner.token, "DELETE", rgB+"/providers/Microsoft.Authorization/roleDefinitions/"+guid, vAuthz, "")
	wantError(t, status, m, 403, "AuthorizationFailed")
	// Narrowing the role (by the subscription's Owner) takes away what its
	// assignment above the new scopes granted, on the next request.
	w.mustOK(t, w.admin, "PUT", sub+"/providers/Microsoft.Authorization/roleDefinitions/"+guid, vAuthz,
		customRoleBody("reader-ish", []string{"*/read"}, rgB))
	status, m, _ = w.do(t, holder.token, "GET", w.rg, vRes, "")
	wantError(t, status, m, 403, "AuthorizationFailed")
}

// Rows 3, 4 and 9: tenant B's Owner at its root reached tenant A's custom
// role, subscription and deny assignments. The class: every per-tenant
// object, under identical names and GUIDs.
func TestTenantWallsOverHTTP(t *testing.T) {
	w := newTwoTenants(t)
	subA := "/subscriptions/" + w.sub
	guid := directory.NewID()
	w.mustOK(t, w.admin, "PUT", subA+"/providers/Microsoft.Authorization/roleDefinitions/"+guid, vAuthz,
		customRoleBody("a-reader", []string{"*/read"}, subA))
	holder := w.newPrincipal(t, "holder")
	w.assign(t, holder.oid, "ServicePrincipal", guid, subA)

	// B writes a role with A's GUID through its own subscription: it gets
	// a role of its own; A's is untouched and still only reads.
	w.mustOK(t, w.adminB, "PUT", "/subscriptions/"+subB+"/providers/Microsoft.Authorization/roleDefinitions/"+guid, vAuthz,
		customRoleBody("b-writer", []string{"*"}, "/subscriptions/"+subB))
	a := w.mustOK(t, w.admin, "GET", subA+"/providers/Microsoft.Authorization/roleDefinitions/"+guid, vAuthz, "")
	if a["properties"].(map[string]any)["roleName"] != "a-reader" {
		t.Errorf("A's role became %v", a["properties"])
	}
	status, m, _ := w.do(t, holder.token, "PUT", w.rg+"/providers/Microsoft.CognitiveServices/accounts/x", vCS,
		`{"location":"eastus","kind":"OpenAI","sku":{"name":"S0"}}`)
	wantError(t, status, m, 403, "AuthorizationFailed")

	for _, tc := range []struct {
		name, method, path, body string
		status                   int
	}{
		{"B moves A's subscription under its management group", "PUT", mgTeam + "/subscriptions/" + w.sub, "", 404},
		{"B aims a role at A's subscription", "PUT", "/providers/Microsoft.Authorization/roleDefinitions/" + directory.NewID(), customRoleBody("aim", []string{"*"}, subA), 400},
		{"B aims a role at A's resource group", "PUT", "/providers/Microsoft.Authorization/roleDefinitions/" + directory.NewID(), customRoleBody("aim2", []string{"*"}, w.rg), 400},
		{"B writes in A's subscription", "PUT", w.rg + "/providers/Microsoft.CognitiveServices/accounts/y", `{"location":"eastus","kind":"OpenAI","sku":{"name":"S0"}}`, 401},
		{"B assigns itself in A's subscription", "PUT", subA + "/providers/Microsoft.Authorization/roleAssignments/" + directory.NewID(), assignBody(w.sub, roleOwner, w.env.Server.Bootstrap().AdminSPID, "ServicePrincipal"), 401},
		{"B reads A's role by GUID at the root", "GET", "/providers/Microsoft.Authorization/roleDefinitions/" + directory.NewID(), "", 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, m, _ := w.do(t, w.adminB, tc.method, tc.path, pick(tc.path, vMgmt, vAuthz, vCS), tc.body)
			if status != tc.status {
				t.Fatalf("got %d %v, want %d", status, m, tc.status)
			}
		})
	}
	// Same-named management groups are two objects: B's Owner owns B's.
	w.mustOK(t, w.adminB, "PUT", mgTeam+"/subscriptions/"+subB, vMgmt, "")
	bRole := w.mustOK(t, w.adminB, "GET", "/providers/Microsoft.Authorization/roleDefinitions/"+guid, vAuthz, "")
	if bRole["properties"].(map[string]any)["roleName"] != "b-writer" {
		t.Errorf("B reads %v for its own GUID", bRole["properties"])
	}
	// Lists never show the other tenant's objects.
	for _, path := range []string{"/providers/Microsoft.Authorization/roleDefinitions", "/providers/Microsoft.Authorization/roleAssignments",
		"/providers/Microsoft.Authorization/denyAssignments", "/providers/Microsoft.Management/managementGroups"} {
		m := w.mustOK(t, w.adminB, "GET", path, pick(path, vMgmt, vAuthz, vCS), "")
		for _, v := range m["value"].([]any) {
			if s := strings.ToLower(toJSON(v)); strings.Contains(s, strings.ToLower(w.sub)) || strings.Contains(s, "a-reader") {
				t.Errorf("%s shows tenant A's %s", path, s)
			}
		}
	}
}

func pick(path, mgmt, authz, other string) string {
	switch {
	case strings.Contains(path, "Microsoft.Management"):
		return mgmt
	case strings.Contains(path, "Microsoft.Authorization"):
		return authz
	}
	return other
}

// Row 5: a deny assignment on listKeys was bypassed by spelling the
// namespace with 'İ', which the store folded onto 'i' and the engine did
// not. The class: one folding rule; a namespace or type gatehouse does not
// serve is refused, never folded onto one it serves.
func TestUnicodeSpellingsCannotBypassADeny(t *testing.T) {
	w := newWorld(t)
	w.env.Update(t, func(ctx context.Context, tx *directory.Tx) error {
		return arm.PutDenyAssignment(ctx, tx.Store(), w.env.Tenant, rbac.DenyAssignment{Name: directory.NewID(), Scope: w.account,
			Principals:  []rbac.Principal{{ID: rbac.EveryoneID, Type: rbac.SystemDefinedType}},
			Permissions: []rbac.Permission{{Actions: []string{"Microsoft.CognitiveServices/accounts/listKeys/action"}}}}, "no keys")
	})
	rg := "/subscriptions/" + w.sub + "/resourceGroups/rg1"
	for _, tc := range []struct {
		name, path string
		status     int
		code       string
	}{
		{"as written", w.account, 403, "AuthorizationFailed"},
		{"upper case", strings.ToUpper(w.account), 403, "AuthorizationFailed"},
		{"dotted capital I (U+0130)", rg + "/providers/Microsoft.Cogn\u0130tiveServices/accounts/acct1", 400, "InvalidResourceNamespace"},
		{"long s (U+017F)", rg + "/providers/Micro\u017Foft.CognitiveServices/accounts/acct1", 400, "InvalidResourceNamespace"},
		{"Kelvin sign in the action (U+212A)", "KELVIN", 404, "InvalidResourceType"},
		{"dotted capital I in the type", rg + "/providers/Microsoft.CognitiveServices/accounts\u0130/acct1", 404, "InvalidResourceType"},
		{"dotted capital I in the name", rg + "/providers/Microsoft.CognitiveServices/accounts/acct\u0130", 404, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := tc.path + "/listKeys"
			if tc.path == "KELVIN" {
				path = w.account + "/list\u212Aeys"
			}
			status, m, _ := w.do(t, w.admin, "POST", path, vCS, "")
			code, _ := errCode(m)
			if status != tc.status || tc.code != "" && code != tc.code {
				t.Fatalf("got %d %s %v, want %d %s", status, code, m, tc.status, tc.code)
			}
		})
	}
}

// The telemetry store is the server's, but each tenant reads only its own
// usage and audit records: another tenant's Owner at its root sees none of
// tenant A's calls, refusals or principals.
func TestTelemetryStaysInItsTenant(t *testing.T) {
	w := newTwoTenants(t)
	e := w.env
	chatTok := e.AppToken(t, e.Demo, "https://cognitiveservices.azure.com/.default")
	for _, tok := range []string{chatTok, "not-a-token"} {
		req, _ := http.NewRequest("POST", e.URL+"/accounts/demo/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21",
			strings.NewReader(`{"messages":[{"role":"user","content":"hi"}]}`))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		e.Do(t, req)
	}
	w.do(t, "not-a-token", "GET", w.rg, vRes, "") // a refusal on A's subscription
	if err := e.Server.FlushTelemetry(t.Context()); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/providers/Gatehouse/audit", "/providers/Gatehouse/usage"} {
		a := w.mustOK(t, w.admin, "GET", path, "2025-01-01", "")
		if len(a["value"].([]any)) == 0 {
			t.Errorf("tenant A sees nothing at %s", path)
		}
		b := w.mustOK(t, w.adminB, "GET", path, "2025-01-01", "")
		for _, v := range b["value"].([]any) {
			if s := toJSON(v); strings.Contains(strings.ToLower(s), strings.ToLower(w.sub)) || strings.Contains(s, "/accounts/demo") {
				t.Errorf("tenant B reads tenant A's %s record: %s", path, s)
			}
		}
	}
}
