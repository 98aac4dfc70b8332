package arm_test

import (
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/directory"
)

func TestBadInputGetsARMErrors(t *testing.T) {
	w := newWorld(t)
	other := w.newPrincipal(t, "other")
	raPath := w.account + "/providers/Microsoft.Authorization/roleAssignments/"
	graphTok := w.env.AppToken(t, w.env.Admin, "https://graph.microsoft.com/.default")
	cases := []struct {
		name, tok, method, path, version, body string
		status                                 int
		code                                   string
	}{
		{"no auth header", "", "GET", w.rg, vRes, "", 401, "AuthenticationFailed"},
		{"wrong audience", graphTok, "GET", w.rg, vRes, "", 401, "InvalidAuthenticationTokenAudience"},
		{"garbage token", "abc.def.ghi", "GET", w.rg, vRes, "", 401, "InvalidAuthenticationToken"},
		{"missing api-version", w.admin, "GET", w.rg, "", "", 400, "MissingApiVersionParameter"},
		{"unknown api-version", w.admin, "GET", w.rg, "1999-01-01", "", 400, "NoRegisteredProviderFound"},
		// (".../resourceGroups//x" is ".../resourceGroups/x", as in Azure: normalize.go.)
		{"malformed id", w.admin, "GET", "/subscriptions/" + w.sub + "/nope/x/y", vRes, "", 400, "InvalidResourceId"},
		{"unknown namespace", w.admin, "GET", w.rg + "/providers/Microsoft.Nope/things/x", vRes, "", 400, "InvalidResourceNamespace"},
		{"unknown type", w.admin, "GET", w.rg + "/providers/Microsoft.CognitiveServices/things/x", vCS, "", 404, "InvalidResourceType"},
		{"bad json", w.admin, "PUT", w.rg, vRes, `{"location":`, 400, "InvalidRequestContent"},
		{"empty body", w.admin, "PUT", w.rg, vRes, ``, 400, "InvalidRequestContent"},
		{"no location", w.admin, "PUT", w.rg, vRes, `{}`, 400, "LocationRequired"},
		{"bad rg name", w.admin, "PUT", "/subscriptions/" + w.sub + "/resourceGroups/bad*name", vRes, `{"location":"x"}`, 400, "InvalidResourceGroupName"},
		{"unknown subscription", w.admin, "PUT", "/subscriptions/" + directory.NewID() + "/resourceGroups/x", vRes, `{"location":"x"}`, 404, "SubscriptionNotFound"},
		{"missing rg", w.admin, "GET", "/subscriptions/" + w.sub + "/resourceGroups/nope", vRes, "", 404, "ResourceGroupNotFound"},
		{"non-GUID assignment name", w.admin, "PUT", raPath + "not-a-guid", vAuthz, assignBody(w.sub, roleReader, other.oid, "ServicePrincipal"), 400, "InvalidRoleAssignmentId"},
		{"non-GUID principal", w.admin, "PUT", raPath + directory.NewID(), vAuthz, assignBody(w.sub, roleReader, "bob", "User"), 400, "InvalidPrincipalId"},
		{"unknown principal", w.admin, "PUT", raPath + directory.NewID(), vAuthz, assignBody(w.sub, roleReader, directory.NewID(), "User"), 400, "PrincipalNotFound"},
		{"wrong principal type", w.admin, "PUT", raPath + directory.NewID(), vAuthz, assignBody(w.sub, roleReader, other.oid, "User"), 400, "UnmatchedPrincipalType"},
		{"unknown role", w.admin, "PUT", raPath + directory.NewID(), vAuthz, assignBody(w.sub, directory.NewID(), other.oid, "ServicePrincipal"), 404, "RoleDefinitionDoesNotExist"},
		{"bad condition", w.admin, "PUT", raPath + directory.NewID(), vAuthz,
			`{"properties":{"roleDefinitionId":"` + roleReader + `","principalId":"` + other.oid + `","condition":"((ActionMatches{'x'}","conditionVersion":"2.0"}}`, 400, "InvalidCondition"},
		{"bad condition version", w.admin, "PUT", raPath + directory.NewID(), vAuthz,
			`{"properties":{"roleDefinitionId":"` + roleReader + `","principalId":"` + other.oid + `","condition":"ActionMatches{'x'}","conditionVersion":"1.0"}}`, 400, "InvalidConditionVersion"},
		{"body too large", w.admin, "PUT", w.rg, vRes, `{"location":"eastus","tags":{"a":"` + strings.Repeat("x", 5<<20) + `"}}`, 413, "RequestContentTooLarge"},
		{"bad deployment", w.admin, "PUT", w.account + "/deployments/d2", vCS, `{"properties":{}}`, 400, "InvalidResourceProperties"},
		{"bad account kind", w.admin, "PUT", w.rg + "/providers/Microsoft.CognitiveServices/accounts/a9", vCS, `{"location":"x","kind":"Nope","sku":{"name":"S0"}}`, 400, "InvalidApiSetId"},
		{"project needs project management", w.admin, "PUT", w.rg + "/providers/Microsoft.CognitiveServices/accounts/acct1x/projects/p", vCS, `{"location":"x"}`, 404, "ParentResourceNotFound"},
		{"bad filter", w.admin, "GET", w.rg + "/providers/Microsoft.Authorization/roleAssignments?$filter=foo", vAuthz, "", 400, "UnsupportedQuery"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, m, _ := w.do(t, c.tok, c.method, c.path, c.version, c.body)
			wantError(t, status, m, c.status, c.code)
		})
	}
}

func TestRoleAssignmentConflicts(t *testing.T) {
	w := newWorld(t)
	p := w.newPrincipal(t, "p")
	q := w.newPrincipal(t, "q")
	path := w.assign(t, p.oid, "ServicePrincipal", roleReader, w.account)
	// The same (scope, role, principal) under another name.
	status, m, _ := w.do(t, w.admin, "PUT", w.account+"/providers/Microsoft.Authorization/roleAssignments/"+directory.NewID(), vAuthz,
		assignBody(w.sub, roleReader, p.oid, "ServicePrincipal"))
	if msg := wantError(t, status, m, 409, "RoleAssignmentExists"); msg != "The role assignment already exists." {
		t.Errorf("message %q", msg)
	}
	// The same name for another principal.
	status, m, _ = w.do(t, w.admin, "PUT", path, vAuthz, assignBody(w.sub, roleReader, q.oid, "ServicePrincipal"))
	wantError(t, status, m, 400, "RoleAssignmentUpdateNotPermitted")
	// The same again: an idempotent 200.
	status, _, _ = w.do(t, w.admin, "PUT", path, vAuthz, assignBody(w.sub, roleReader, p.oid, "ServicePrincipal"))
	if status != 200 {
		t.Errorf("repeat PUT: %d", status)
	}
	// Delete twice: 200 then 204.
	if status, _, _ = w.do(t, w.admin, "DELETE", path, vAuthz, ""); status != 200 {
		t.Errorf("delete: %d", status)
	}
	if status, _, _ = w.do(t, w.admin, "DELETE", path, vAuthz, ""); status != 204 {
		t.Errorf("second delete: %d", status)
	}
}
