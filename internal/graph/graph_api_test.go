package graph_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/directory"
	"github.com/gatehouse/gatehouse/internal/server"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

type obj = map[string]any

// g is a Graph client for one token.
type g struct {
	t   *testing.T
	e   *testenv.Env
	tok string
}

func (c g) do(method, path string, body any) (int, obj) {
	c.t.Helper()
	return c.e.Graph(c.t, c.tok, method, path, body)
}

// on rebinds the client to a subtest, so failures are reported there.
func (c g) on(t *testing.T) g { c.t = t; return c }

// must calls and fails the test unless the status is want.
func (c g) must(want int, method, path string, body any) obj {
	c.t.Helper()
	status, out := c.do(method, path, body)
	if status != want {
		c.t.Fatalf("%s %s: %d, want %d: %v", method, path, status, want, out)
	}
	return out
}

func admin(t *testing.T, e *testenv.Env) g { return g{t, e, e.GraphToken(t, e.Admin)} }

// graphError asserts Graph's error shape and returns its code.
func graphError(t *testing.T, status int, body obj, wantStatus int, wantCode string) {
	t.Helper()
	if status != wantStatus {
		t.Errorf("status %d, want %d: %v", status, wantStatus, body)
	}
	e, _ := body["error"].(obj)
	if e == nil || e["code"] != wantCode {
		t.Errorf("error %v, want code %s", body["error"], wantCode)
		return
	}
	if msg, _ := e["message"].(string); msg == "" {
		t.Error("error without message")
	}
	if inner, _ := e["innerError"].(obj); inner == nil || inner["request-id"] == "" || inner["date"] == "" {
		t.Errorf("innerError %v", e["innerError"])
	}
}

func values(body obj) []obj {
	var out []obj
	vs, _ := body["value"].([]any)
	for _, v := range vs {
		out = append(out, v.(obj))
	}
	return out
}

func ids(body obj) []string {
	var out []string
	for _, v := range values(body) {
		out = append(out, v["id"].(string))
	}
	sort.Strings(out)
	return out
}

func strs(body obj) []string {
	var out []string
	vs, _ := body["value"].([]any)
	for _, v := range vs {
		out = append(out, v.(string))
	}
	sort.Strings(out)
	return out
}

func sorted(s ...string) []string { s = slices.Clone(s); sort.Strings(s); return s }

func q(filter string) string { return "?$filter=" + url.QueryEscape(filter) }

func TestGraphApplications(t *testing.T) {
	e := testenv.New(t)
	a := admin(t, e)

	one := a.must(201, "POST", "/v1.0/applications", obj{"displayName": "app-one", "identifierUris": []string{"api://app-one"}})
	two := a.must(201, "POST", "/v1.0/applications", obj{"displayName": "app-two", "api": obj{"requestedAccessTokenVersion": 2}})
	id, appID := one["id"].(string), one["appId"].(string)
	if !directory.IsGUID(id) || !directory.IsGUID(appID) || id == appID {
		t.Fatalf("ids %q %q", id, appID)
	}
	if one["publisherDomain"] != e.Domain || one["signInAudience"] != "AzureADMyOrg" || len(one["passwordCredentials"].([]any)) != 0 {
		t.Errorf("created %v", one)
	}
	if v := two["api"].(obj)["requestedAccessTokenVersion"]; toString(v) != "2" {
		t.Errorf("api %v", two["api"])
	}

	t.Run("list and filter", func(t *testing.T) {
		a := a.on(t)
		all := ids(a.must(200, "GET", "/v1.0/applications", nil))
		if len(all) != 4 || !slices.Contains(all, id) || !slices.Contains(all, two["id"].(string)) {
			t.Errorf("list %v: want the two new apps plus admin and demo", all)
		}
		for filter, want := range map[string][]string{
			"displayName eq 'app-one'":                                   {id},
			"displayName eq 'APP-ONE'":                                   {id},
			"startswith(displayName,'app-')":                             sorted(id, two["id"].(string)),
			"appId eq '" + appID + "'":                                   {id},
			"identifierUris/any(x:x eq 'api://app-one')":                 {id},
			"displayName eq 'nothing'":                                   nil,
			"startswith(displayName,'app') and appId eq '" + appID + "'": {id},
		} {
			if got := ids(a.must(200, "GET", "/v1.0/applications"+q(filter), nil)); !slices.Equal(got, want) {
				t.Errorf("$filter=%s: %v, want %v", filter, got, want)
			}
		}
		status, body := a.do("GET", "/v1.0/applications"+q("displayName ne 'x'"), nil)
		graphError(t, status, body, 400, "Request_BadRequest")
	})
	t.Run("get and alternate key", func(t *testing.T) {
		a := a.on(t)
		if got := a.must(200, "GET", "/v1.0/applications/"+id, nil); got["appId"] != appID {
			t.Errorf("get %v", got)
		}
		if got := a.must(200, "GET", "/v1.0/applications(appId='"+appID+"')", nil); got["id"] != id {
			t.Errorf("alternate key %v", got)
		}
		status, body := a.do("GET", "/v1.0/applications/"+directory.NewID(), nil)
		graphError(t, status, body, 404, "Request_ResourceNotFound")
	})
	t.Run("patch", func(t *testing.T) {
		a := a.on(t)
		a.must(204, "PATCH", "/v1.0/applications/"+id, obj{"displayName": "app-one-renamed", "identifierUris": []string{"api://app-one", "api://app-one-b"}})
		got := a.must(200, "GET", "/v1.0/applications/"+id, nil)
		if got["displayName"] != "app-one-renamed" || len(got["identifierUris"].([]any)) != 2 {
			t.Errorf("after patch %v", got)
		}
		status, body := a.do("PATCH", "/v1.0/applications/"+two["id"].(string), obj{"identifierUris": []string{"api://app-one"}})
		graphError(t, status, body, 400, "Request_BadRequest")
		status, body = a.do("PATCH", "/v1.0/applications/"+id, obj{"api": obj{"requestedAccessTokenVersion": 3}})
		graphError(t, status, body, 400, "Request_BadRequest")
	})
	t.Run("addPassword shows the secret once", func(t *testing.T) {
		a := a.on(t)
		a.must(201, "POST", "/v1.0/servicePrincipals", obj{"appId": appID})
		cred := a.must(200, "POST", "/v1.0/applications/"+id+"/addPassword", obj{"passwordCredential": obj{"displayName": "rbac"}})
		secret, _ := cred["secretText"].(string)
		keyID, _ := cred["keyId"].(string)
		if len(secret) < 32 || cred["hint"] != secret[:3] || cred["displayName"] != "rbac" || !directory.IsGUID(keyID) {
			t.Fatalf("addPassword %v", cred)
		}
		got := a.must(200, "GET", "/v1.0/applications/"+id, nil)
		pcs := got["passwordCredentials"].([]any)
		if len(pcs) != 1 {
			t.Fatalf("passwordCredentials %v", pcs)
		}
		pc := pcs[0].(obj)
		if pc["secretText"] != nil || pc["keyId"] != keyID || pc["hint"] != secret[:3] {
			t.Errorf("GET shows %v", pc)
		}
		for _, list := range []obj{a.must(200, "GET", "/v1.0/applications", nil), a.must(200, "GET", "/v1.0/applications(appId='"+appID+"')", nil)} {
			if strings.Contains(jsonText(t, list), secret) {
				t.Error("a GET response contains the secret text")
			}
		}
		status, body := e.Token(t, testenv.ClientCredentials(appID, secret, "https://cognitiveservices.azure.com/.default"))
		if status != 200 {
			t.Fatalf("the new secret does not work: %v", body)
		}
		// With no body at all (the CLI's reset).
		req, _ := http.NewRequest("POST", e.URL+"/v1.0/applications/"+id+"/addPassword", nil)
		req.Header.Set("Authorization", "Bearer "+a.tok)
		if st, _, raw := e.Do(t, req); st != 200 || !strings.Contains(string(raw), "secretText") {
			t.Errorf("addPassword without body: %d %s", st, raw)
		}
		a.must(204, "POST", "/v1.0/applications/"+id+"/removePassword", obj{"keyId": keyID})
		status, body = e.Token(t, testenv.ClientCredentials(appID, secret, "https://cognitiveservices.azure.com/.default"))
		if status != 401 || body["error_codes"].([]any)[0] == nil {
			t.Errorf("removed secret still works: %d %v", status, body)
		}
		status, body = a.do("POST", "/v1.0/applications/"+id+"/removePassword", obj{"keyId": keyID})
		graphError(t, status, body, 404, "Request_ResourceNotFound")
	})
	t.Run("delete", func(t *testing.T) {
		a := a.on(t)
		sp := a.must(200, "GET", "/v1.0/servicePrincipals(appId='"+appID+"')", nil)
		a.must(204, "DELETE", "/v1.0/applications/"+id, nil)
		status, body := a.do("GET", "/v1.0/applications/"+id, nil)
		graphError(t, status, body, 404, "Request_ResourceNotFound")
		status, body = a.do("GET", "/v1.0/servicePrincipals/"+sp["id"].(string), nil)
		graphError(t, status, body, 404, "Request_ResourceNotFound")
		status, body = a.do("DELETE", "/v1.0/applications/"+id, nil)
		graphError(t, status, body, 404, "Request_ResourceNotFound")
	})
	t.Run("create errors", func(t *testing.T) {
		a := a.on(t)
		for name, body := range map[string]any{"no name": obj{}, "blank name": obj{"displayName": " "},
			"bad appId": obj{"displayName": "x", "appId": "nope"}, "bad json": "{"} {
			status, out := a.do("POST", "/v1.0/applications", body)
			if status != 400 {
				t.Errorf("%s: %d %v", name, status, out)
			}
		}
	})
}

func jsonText(t *testing.T, v any) string {
	t.Helper()
	var sb strings.Builder
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case obj:
			for k, vv := range x {
				sb.WriteString(k + "=")
				walk(vv)
			}
		case []any:
			for _, vv := range x {
				walk(vv)
			}
		default:
			sb.WriteString(strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(toString(x), "\n", ""), " ", "")) + ";")
		}
	}
	walk(v)
	return sb.String()
}

func toString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	if s, ok := v.(interface{ String() string }); ok {
		return s.String()
	}
	return ""
}

func TestGraphServicePrincipals(t *testing.T) {
	e := testenv.New(t)
	a := admin(t, e)
	app := a.must(201, "POST", "/v1.0/applications", obj{"displayName": "sp-app"})
	appID := app["appId"].(string)
	sp := a.must(201, "POST", "/v1.0/servicePrincipals", obj{"appId": appID})
	spID := sp["id"].(string)
	if spID == appID || spID == app["id"] || sp["appOwnerOrganizationId"] != e.Tenant || sp["servicePrincipalType"] != "Application" {
		t.Errorf("created %v", sp)
	}
	status, body := a.do("POST", "/v1.0/servicePrincipals", obj{"appId": appID})
	graphError(t, status, body, 400, "Request_BadRequest")
	status, body = a.do("POST", "/v1.0/servicePrincipals", obj{"appId": directory.NewID()})
	graphError(t, status, body, 400, "Request_BadRequest")
	status, body = a.do("POST", "/v1.0/servicePrincipals", obj{})
	graphError(t, status, body, 400, "Request_BadRequest")

	if got := a.must(200, "GET", "/v1.0/servicePrincipals(appId='"+appID+"')", nil); got["id"] != spID {
		t.Errorf("alternate key: %v", got)
	}
	if got := a.must(200, "GET", "/v1.0/servicePrincipals/"+spID, nil); got["appId"] != appID {
		t.Errorf("get: %v", got)
	}
	if got := ids(a.must(200, "GET", "/v1.0/servicePrincipals"+q("appId eq '"+appID+"'"), nil)); !slices.Equal(got, []string{spID}) {
		t.Errorf("filter: %v", got)
	}
	if got := ids(a.must(200, "GET", "/v1.0/servicePrincipals"+q("servicePrincipalNames/any(c:c eq 'https://graph.microsoft.com')"), nil)); len(got) != 1 {
		t.Errorf("Graph by name: %v", got)
	}

	graphSP := a.must(200, "GET", "/v1.0/servicePrincipals(appId='"+directory.GraphAppID+"')", nil)
	graphSPID := graphSP["id"].(string)
	t.Run("app role assignment", func(t *testing.T) {
		a := a.on(t)
		as := a.must(201, "POST", "/v1.0/servicePrincipals/"+graphSPID+"/appRoleAssignedTo",
			obj{"principalId": spID, "resourceId": graphSPID, "appRoleId": directory.GraphDirectoryReadAll})
		if as["principalType"] != "ServicePrincipal" || as["resourceDisplayName"] != "Microsoft Graph" || as["principalDisplayName"] != "sp-app" {
			t.Errorf("assignment %v", as)
		}
		if got := ids(a.must(200, "GET", "/v1.0/servicePrincipals/"+spID+"/appRoleAssignments", nil)); !slices.Equal(got, []string{as["id"].(string)}) {
			t.Errorf("appRoleAssignments %v", got)
		}
		status, body := a.do("POST", "/v1.0/servicePrincipals/"+graphSPID+"/appRoleAssignedTo",
			obj{"principalId": spID, "resourceId": graphSPID, "appRoleId": directory.NewID()})
		graphError(t, status, body, 400, "Request_BadRequest")

		// Deleting goes through a principal the assignment belongs to.
		demoSP := a.must(200, "GET", "/v1.0/servicePrincipals(appId='"+e.Demo.ClientID+"')", nil)["id"].(string)
		aid := as["id"].(string)
		status, body = a.do("DELETE", "/v1.0/servicePrincipals/"+demoSP+"/appRoleAssignments/"+aid, nil)
		graphError(t, status, body, 404, "Request_ResourceNotFound")
		status, body = a.do("DELETE", "/v1.0/servicePrincipals/"+demoSP+"/appRoleAssignedTo/"+aid, nil)
		graphError(t, status, body, 404, "Request_ResourceNotFound")
		a.must(204, "DELETE", "/v1.0/servicePrincipals/"+spID+"/appRoleAssignments/"+strings.ToUpper(aid), nil)
		if got := ids(a.must(200, "GET", "/v1.0/servicePrincipals/"+spID+"/appRoleAssignments", nil)); len(got) != 0 {
			t.Errorf("after delete: %v", got)
		}
		status, body = a.do("DELETE", "/v1.0/servicePrincipals/"+spID+"/appRoleAssignments/"+aid, nil)
		graphError(t, status, body, 404, "Request_ResourceNotFound")
	})
	t.Run("disable", func(t *testing.T) {
		a := a.on(t)
		cred := a.must(200, "POST", "/v1.0/applications/"+app["id"].(string)+"/addPassword", obj{"passwordCredential": obj{"displayName": "x"}})
		a.must(204, "PATCH", "/v1.0/servicePrincipals/"+spID, obj{"accountEnabled": false})
		status, body := e.Token(t, testenv.ClientCredentials(appID, cred["secretText"].(string), "https://graph.microsoft.com/.default"))
		if status != 400 || body["error"] != "unauthorized_client" {
			t.Errorf("disabled SP got %d %v", status, body)
		}
		a.must(204, "PATCH", "/v1.0/servicePrincipals/"+spID, obj{"accountEnabled": true})
		if status, body := e.Token(t, testenv.ClientCredentials(appID, cred["secretText"].(string), "https://graph.microsoft.com/.default")); status != 200 {
			t.Errorf("re-enabled SP: %d %v", status, body)
		}
	})
	t.Run("first-party principals cannot be deleted", func(t *testing.T) {
		a := a.on(t)
		status, body := a.do("DELETE", "/v1.0/servicePrincipals/"+graphSPID, nil)
		graphError(t, status, body, 400, "Request_BadRequest")
	})
	t.Run("delete", func(t *testing.T) {
		a := a.on(t)
		a.must(204, "DELETE", "/v1.0/servicePrincipals(appId='"+appID+"')", nil)
		status, body := a.do("GET", "/v1.0/servicePrincipals/"+spID, nil)
		graphError(t, status, body, 404, "Request_ResourceNotFound")
		if got := a.must(200, "GET", "/v1.0/applications/"+app["id"].(string), nil); got["appId"] != appID {
			t.Error("deleting the SP deleted the application")
		}
	})
}

func TestGraphUsers(t *testing.T) {
	e := testenv.New(t)
	a := admin(t, e)
	upn := "alice@" + e.Domain
	u := a.must(201, "POST", "/v1.0/users", obj{"accountEnabled": true, "displayName": "Alice", "mailNickname": "alice",
		"userPrincipalName": upn, "passwordProfile": obj{"forceChangePasswordNextSignIn": false, "password": "Alice-Passw0rd!"}})
	uid := u["id"].(string)
	if strings.Contains(jsonText(t, u), "Alice-Passw0rd!") || strings.Contains(jsonText(t, u), "argon2") {
		t.Error("the user response shows the password or its hash")
	}
	for _, key := range []string{upn, strings.ToUpper(upn), uid} {
		if got := a.must(200, "GET", "/v1.0/users/"+key, nil); got["id"] != uid || got["userPrincipalName"] != upn {
			t.Errorf("GET /users/%s: %v", key, got)
		}
	}
	stored, err := e.Directory().User(context.Background(), uid)
	if err != nil || !e.Directory().CheckPassword(stored, "Alice-Passw0rd!") {
		t.Errorf("password not set: %v", err)
	}
	if got := ids(a.must(200, "GET", "/v1.0/users"+q("userPrincipalName eq '"+upn+"'"), nil)); !slices.Equal(got, []string{uid}) {
		t.Errorf("filter %v", got)
	}
	a.must(204, "PATCH", "/v1.0/users/"+upn, obj{"displayName": "Alice A.", "accountEnabled": false, "passwordProfile": obj{"password": "N3w-Passw0rd!"}})
	got := a.must(200, "GET", "/v1.0/users/"+uid, nil)
	if got["displayName"] != "Alice A." || got["accountEnabled"] != false {
		t.Errorf("after patch %v", got)
	}
	stored, _ = e.Directory().User(context.Background(), uid)
	if !e.Directory().CheckPassword(stored, "N3w-Passw0rd!") {
		t.Error("password change not applied")
	}
	for name, body := range map[string]obj{
		"duplicate UPN":  {"displayName": "A2", "userPrincipalName": upn},
		"no UPN":         {"displayName": "A3"},
		"UPN without @":  {"displayName": "A4", "userPrincipalName": "alice"},
		"short password": {"displayName": "A5", "userPrincipalName": "a5@" + e.Domain, "passwordProfile": obj{"password": "x"}},
	} {
		status, out := a.do("POST", "/v1.0/users", body)
		graphError(t, status, out, 400, "Request_BadRequest")
		_ = name
	}
	// Entra accepts only the tenant's verified domains.
	status, out := a.do("POST", "/v1.0/users", obj{"displayName": "Eve", "userPrincipalName": "eve@contoso.com"})
	graphError(t, status, out, 400, "Request_BadRequest")
	if msg, _ := out["error"].(map[string]any)["message"].(string); !strings.HasPrefix(msg, "The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization.") {
		t.Errorf("foreign UPN domain: %v", out)
	}
	a.must(204, "DELETE", "/v1.0/users/"+upn, nil)
	status, body := a.do("GET", "/v1.0/users/"+uid, nil)
	graphError(t, status, body, 404, "Request_ResourceNotFound")
}

func TestGraphGroups(t *testing.T) {
	e := testenv.New(t)
	a := admin(t, e)
	upn := "bob@" + e.Domain
	uid := a.must(201, "POST", "/v1.0/users", obj{"displayName": "Bob", "userPrincipalName": upn})["id"].(string)
	demoSP := a.must(200, "GET", "/v1.0/servicePrincipals(appId='"+e.Demo.ClientID+"')", nil)["id"].(string)
	var gid [3]string
	for i, name := range []string{"outer", "middle", "inner"} {
		gr := a.must(201, "POST", "/v1.0/groups", obj{"displayName": name, "mailNickname": name, "securityEnabled": true, "mailEnabled": false})
		gid[i] = gr["id"].(string)
		if gr["securityEnabled"] != true {
			t.Errorf("group %v", gr)
		}
	}
	ref := func(id string) obj {
		return obj{"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/" + id}
	}
	addMember := func(group, member string) {
		t.Helper()
		a.must(204, "POST", "/v1.0/groups/"+group+"/members/$ref", ref(member))
	}
	addMember(gid[0], gid[1])
	addMember(gid[1], gid[2])
	addMember(gid[2], uid)
	addMember(gid[2], demoSP)

	t.Run("duplicate member", func(t *testing.T) {
		a := a.on(t)
		status, body := a.do("POST", "/v1.0/groups/"+gid[2]+"/members/$ref", ref(uid))
		graphError(t, status, body, 400, "Request_BadRequest")
	})
	t.Run("member errors", func(t *testing.T) {
		a := a.on(t)
		status, body := a.do("POST", "/v1.0/groups/"+gid[2]+"/members/$ref", ref(directory.NewID()))
		graphError(t, status, body, 404, "Request_ResourceNotFound")
		status, body = a.do("POST", "/v1.0/groups/"+gid[2]+"/members/$ref", obj{"@odata.id": "bob"})
		graphError(t, status, body, 400, "Request_BadRequest")
		status, body = a.do("POST", "/v1.0/groups/"+gid[2]+"/members/$ref", ref(gid[2]))
		graphError(t, status, body, 400, "Request_BadRequest")
	})
	t.Run("members", func(t *testing.T) {
		a := a.on(t)
		ms := values(a.must(200, "GET", "/v1.0/groups/"+gid[2]+"/members", nil))
		types := map[string]string{}
		for _, m := range ms {
			types[m["id"].(string)] = m["@odata.type"].(string)
		}
		if types[uid] != "#microsoft.graph.user" || types[demoSP] != "#microsoft.graph.servicePrincipal" || len(types) != 2 {
			t.Errorf("members %v", types)
		}
	})
	t.Run("memberOf", func(t *testing.T) {
		a := a.on(t)
		for _, who := range []string{"/v1.0/users/" + uid, "/v1.0/users/" + upn, "/v1.0/directoryObjects/" + uid} {
			if got := ids(a.must(200, "GET", who+"/memberOf", nil)); !slices.Equal(got, []string{gid[2]}) {
				t.Errorf("%s/memberOf %v", who, got)
			}
			if got := ids(a.must(200, "GET", who+"/transitiveMemberOf", nil)); !slices.Equal(got, sorted(gid[:]...)) {
				t.Errorf("%s/transitiveMemberOf %v, want all three", who, got)
			}
		}
		if got := ids(a.must(200, "GET", "/v1.0/servicePrincipals/"+demoSP+"/transitiveMemberOf", nil)); len(got) != 3 {
			t.Errorf("SP transitiveMemberOf %v", got)
		}
		if got := ids(a.must(200, "GET", "/v1.0/groups/"+gid[2]+"/memberOf", nil)); !slices.Equal(got, []string{gid[1]}) {
			t.Errorf("group memberOf %v", got)
		}
	})
	t.Run("checkMemberGroups and getMemberGroups", func(t *testing.T) {
		a := a.on(t)
		other := a.must(201, "POST", "/v1.0/groups", obj{"displayName": "other"})["id"].(string)
		got := strs(a.must(200, "POST", "/v1.0/users/"+uid+"/checkMemberGroups", obj{"groupIds": []string{strings.ToUpper(gid[0]), other}}))
		if !slices.Equal(got, []string{gid[0]}) {
			t.Errorf("checkMemberGroups %v", got)
		}
		got = strs(a.must(200, "POST", "/v1.0/users/"+uid+"/getMemberGroups", obj{"securityEnabledOnly": false}))
		if !slices.Equal(got, sorted(gid[:]...)) {
			t.Errorf("getMemberGroups %v", got)
		}
	})
	t.Run("getByIds", func(t *testing.T) {
		a := a.on(t)
		got := values(a.must(200, "POST", "/v1.0/directoryObjects/getByIds", obj{"ids": []string{uid, gid[0], demoSP, directory.NewID(), "junk"}}))
		types := map[string]string{}
		for _, o := range got {
			types[o["id"].(string)] = o["@odata.type"].(string)
		}
		want := map[string]string{uid: "#microsoft.graph.user", gid[0]: "#microsoft.graph.group", demoSP: "#microsoft.graph.servicePrincipal"}
		if len(types) != 3 || types[uid] != want[uid] || types[gid[0]] != want[gid[0]] || types[demoSP] != want[demoSP] {
			t.Errorf("getByIds %v", types)
		}
	})
	t.Run("remove", func(t *testing.T) {
		a := a.on(t)
		a.must(204, "DELETE", "/v1.0/groups/"+gid[2]+"/members/"+uid+"/$ref", nil)
		if got := ids(a.must(200, "GET", "/v1.0/users/"+uid+"/transitiveMemberOf", nil)); len(got) != 0 {
			t.Errorf("after removal: %v", got)
		}
		status, body := a.do("DELETE", "/v1.0/groups/"+gid[2]+"/members/"+uid+"/$ref", nil)
		graphError(t, status, body, 404, "Request_ResourceNotFound")
	})
	t.Run("delete group", func(t *testing.T) {
		a := a.on(t)
		a.must(204, "DELETE", "/v1.0/groups/"+gid[1], nil)
		if got := ids(a.must(200, "GET", "/v1.0/servicePrincipals/"+demoSP+"/transitiveMemberOf", nil)); !slices.Equal(got, []string{gid[2]}) {
			t.Errorf("after deleting the middle group: %v", got)
		}
		if got := ids(a.must(200, "GET", "/v1.0/groups/"+gid[0]+"/members", nil)); len(got) != 0 {
			t.Errorf("outer still lists the deleted group: %v", got)
		}
	})
}

// graphApp registers an app with a Graph app role through the API and
// returns its credentials, SP id and the assignment id.
func graphApp(t *testing.T, e *testenv.Env, a g, name, roleID string) (server.Credentials, string, string) {
	t.Helper()
	app := a.must(201, "POST", "/v1.0/applications", obj{"displayName": name})
	sp := a.must(201, "POST", "/v1.0/servicePrincipals", obj{"appId": app["appId"]})
	cred := a.must(200, "POST", "/v1.0/applications/"+app["id"].(string)+"/addPassword", obj{})
	graphSP := a.must(200, "GET", "/v1.0/servicePrincipals(appId='"+directory.GraphAppID+"')", nil)["id"].(string)
	aid := ""
	if roleID != "" {
		aid = a.must(201, "POST", "/v1.0/servicePrincipals/"+graphSP+"/appRoleAssignedTo",
			obj{"principalId": sp["id"], "resourceId": graphSP, "appRoleId": roleID})["id"].(string)
	}
	return server.Credentials{Tenant: e.Tenant, ClientID: app["appId"].(string), ClientSecret: cred["secretText"].(string)}, sp["id"].(string), aid
}

func TestGraphAuthorization(t *testing.T) {
	e := testenv.New(t)
	a := admin(t, e)
	graphSP := a.must(200, "GET", "/v1.0/servicePrincipals(appId='"+directory.GraphAppID+"')", nil)["id"].(string)

	t.Run("no or bad token is 401", func(t *testing.T) {
		cog := e.AppToken(t, e.Admin, "https://cognitiveservices.azure.com/.default")
		for name, tok := range map[string]string{"none": "", "garbage": "a.b.c", "wrong audience": cog,
			"tampered": a.tok[:len(a.tok)-4] + "AAAA"} {
			status, body := e.Graph(t, tok, "GET", "/v1.0/applications", nil)
			graphError(t, status, body, 401, "InvalidAuthenticationToken")
			_ = name
		}
		req, _ := http.NewRequest("GET", e.URL+"/v1.0/users", nil)
		req.Header.Set("Authorization", "Basic "+a.tok)
		status, _, raw := e.Do(t, req)
		graphError(t, status, testenv.DecodeJSON(t, raw), 401, "InvalidAuthenticationToken")
	})
	t.Run("no Graph role is 403", func(t *testing.T) {
		demo := g{t, e, e.GraphToken(t, e.Demo)}
		for _, c := range []struct {
			method, path string
			body         any
		}{{"GET", "/v1.0/applications", nil}, {"GET", "/v1.0/users", nil}, {"POST", "/v1.0/groups", obj{"displayName": "x"}},
			{"GET", "/v1.0/organization", nil}} {
			status, body := demo.do(c.method, c.path, c.body)
			graphError(t, status, body, 403, "Authorization_RequestDenied")
		}
	})
	t.Run("read-only role", func(t *testing.T) {
		creds, _, _ := graphApp(t, e, a, "reader", directory.GraphDirectoryReadAll)
		r := g{t, e, e.GraphToken(t, creds)}
		r.must(200, "GET", "/v1.0/applications", nil)
		r.must(200, "GET", "/v1.0/organization", nil)
		status, body := r.do("POST", "/v1.0/groups", obj{"displayName": "x"})
		graphError(t, status, body, 403, "Authorization_RequestDenied")
	})
	t.Run("deleted service principal is refused on the next request", func(t *testing.T) {
		a := a.on(t)
		creds, spID, _ := graphApp(t, e, a, "doomed", directory.GraphDirectoryReadWriteAll)
		w := g{t, e, e.GraphToken(t, creds)}
		w.must(200, "GET", "/v1.0/users", nil)
		a.must(204, "DELETE", "/v1.0/servicePrincipals/"+spID, nil)
		status, body := w.do("GET", "/v1.0/users", nil)
		graphError(t, status, body, 401, "InvalidAuthenticationToken")
	})
	t.Run("disabled service principal is refused", func(t *testing.T) {
		a := a.on(t)
		creds, spID, _ := graphApp(t, e, a, "paused", directory.GraphDirectoryReadWriteAll)
		w := g{t, e, e.GraphToken(t, creds)}
		a.must(204, "PATCH", "/v1.0/servicePrincipals/"+spID, obj{"accountEnabled": false})
		status, body := w.do("GET", "/v1.0/users", nil)
		graphError(t, status, body, 401, "InvalidAuthenticationToken")
	})
	t.Run("revoked role takes effect with the same token", func(t *testing.T) {
		a := a.on(t)
		creds, spID, aid := graphApp(t, e, a, "revoked", directory.GraphDirectoryReadWriteAll)
		w := g{t, e, e.GraphToken(t, creds)}
		w.must(201, "POST", "/v1.0/groups", obj{"displayName": "before"})
		a.must(204, "DELETE", "/v1.0/servicePrincipals/"+graphSP+"/appRoleAssignedTo/"+aid, nil)
		status, body := w.do("POST", "/v1.0/groups", obj{"displayName": "after"})
		graphError(t, status, body, 403, "Authorization_RequestDenied")
		// A read role granted later works at once, still with the same token.
		a.must(201, "POST", "/v1.0/servicePrincipals/"+spID+"/appRoleAssignments",
			obj{"principalId": spID, "resourceId": graphSP, "appRoleId": directory.GraphDirectoryReadAll})
		w.must(200, "GET", "/v1.0/groups", nil)
		status, body = w.do("POST", "/v1.0/groups", obj{"displayName": "after"})
		graphError(t, status, body, 403, "Authorization_RequestDenied")
	})
	t.Run("me needs a user", func(t *testing.T) {
		a := a.on(t)
		status, body := a.do("GET", "/v1.0/me", nil)
		graphError(t, status, body, 400, "Request_BadRequest")
	})
	t.Run("organization", func(t *testing.T) {
		a := a.on(t)
		orgs := values(a.must(200, "GET", "/v1.0/organization", nil))
		if len(orgs) != 1 || orgs[0]["id"] != e.Tenant {
			t.Errorf("organization %v", orgs)
		}
	})
}

// TestGraphCrossTenant: a second tenant created by configuration is
// invisible to the first tenant's administrator, by every path.
func TestGraphCrossTenant(t *testing.T) {
	e := testenv.New(t)
	ctx := context.Background()
	f, err := config.Parse([]byte(`tenants:
- domain: fabrikam.onmicrosoft.com
  users:
  - userPrincipalName: carol@fabrikam.onmicrosoft.com
    displayName: Carol
  applications:
  - displayName: fabrikam-admin
    secrets:
    - displayName: admin
      value: fabrikam-admin-secret-0123456789
    appRoleAssignments: [https://graph.microsoft.com/Directory.ReadWrite.All]
  groups:
  - displayName: fabrikam-group
    members: [carol@fabrikam.onmicrosoft.com]
`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := config.Apply(ctx, e.Directory(), f); err != nil {
		t.Fatal(err)
	}
	d := e.Directory()
	t2, err := d.Tenant(ctx, "fabrikam.onmicrosoft.com")
	if err != nil {
		t.Fatal(err)
	}
	apps, _ := d.Applications(ctx, t2.ID)
	carol, _ := d.UserByUPN(ctx, t2.ID, "carol@fabrikam.onmicrosoft.com")
	groups, _ := d.Groups(ctx, t2.ID)
	sp2, _ := d.ServicePrincipalByAppID(ctx, t2.ID, apps[0].AppID)
	graph2, _ := d.ServicePrincipalByAppID(ctx, t2.ID, directory.GraphAppID)
	as2, _ := d.AppRoleAssignmentsOf(ctx, sp2.ID)
	if len(apps) != 1 || carol == nil || len(groups) != 1 || len(as2) != 1 {
		t.Fatalf("second tenant: %d apps, user %v, %d groups, %d assignments", len(apps), carol, len(groups), len(as2))
	}
	app2, group2 := apps[0], groups[0]

	a := admin(t, e)
	creds2 := server.Credentials{Tenant: t2.ID, ClientID: app2.AppID, ClientSecret: "fabrikam-admin-secret-0123456789"}
	a2 := g{t, e, e.GraphToken(t, creds2)}
	if orgs := values(a2.must(200, "GET", "/v1.0/organization", nil)); orgs[0]["id"] != t2.ID {
		t.Fatalf("second admin sees organization %v", orgs)
	}
	group1 := a.must(201, "POST", "/v1.0/groups", obj{"displayName": "contoso-group"})["id"].(string)
	graph1 := a.must(200, "GET", "/v1.0/servicePrincipals(appId='"+directory.GraphAppID+"')", nil)["id"].(string)

	notFound := []struct{ method, path string }{
		{"GET", "/v1.0/applications/" + app2.ID},
		{"GET", "/v1.0/applications(appId='" + app2.AppID + "')"},
		{"PATCH", "/v1.0/applications/" + app2.ID},
		{"POST", "/v1.0/applications/" + app2.ID + "/addPassword"},
		{"DELETE", "/v1.0/applications/" + app2.ID},
		{"GET", "/v1.0/servicePrincipals/" + sp2.ID},
		{"GET", "/v1.0/servicePrincipals(appId='" + app2.AppID + "')"},
		{"GET", "/v1.0/servicePrincipals/" + sp2.ID + "/appRoleAssignments"},
		{"PATCH", "/v1.0/servicePrincipals/" + sp2.ID},
		{"DELETE", "/v1.0/servicePrincipals/" + sp2.ID},
		{"GET", "/v1.0/users/" + carol.ID},
		{"GET", "/v1.0/users/" + carol.UserPrincipalName},
		{"PATCH", "/v1.0/users/" + carol.ID},
		{"DELETE", "/v1.0/users/" + carol.ID},
		{"GET", "/v1.0/groups/" + group2.ID},
		{"GET", "/v1.0/groups/" + group2.ID + "/members"},
		{"DELETE", "/v1.0/groups/" + group2.ID},
		{"DELETE", "/v1.0/groups/" + group2.ID + "/members/" + carol.ID + "/$ref"},
		{"GET", "/v1.0/directoryObjects/" + carol.ID},
		{"GET", "/v1.0/directoryObjects/" + app2.ID},
		{"GET", "/v1.0/users/" + carol.ID + "/memberOf"},
		{"GET", "/v1.0/directoryObjects/" + carol.ID + "/transitiveMemberOf"},
		{"POST", "/v1.0/users/" + carol.ID + "/checkMemberGroups"},
		{"POST", "/v1.0/groups/" + group1 + "/members/$ref"}, // adding a foreign member
		{"DELETE", "/v1.0/servicePrincipals/" + graph1 + "/appRoleAssignedTo/" + as2[0].ID},
	}
	for _, c := range notFound {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			a := a.on(t)
			var body any = obj{}
			switch {
			case strings.HasSuffix(c.path, "/members/$ref"):
				body = obj{"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/" + carol.ID}
			case strings.HasSuffix(c.path, "checkMemberGroups"):
				body = obj{"groupIds": []string{group2.ID}}
			case c.method == "GET" || c.method == "DELETE":
				body = nil
			}
			status, out := a.do(c.method, c.path, body)
			graphError(t, status, out, 404, "Request_ResourceNotFound")
		})
	}
	t.Run("lists and lookups", func(t *testing.T) {
		a := a.on(t)
		for _, path := range []string{"/v1.0/applications", "/v1.0/servicePrincipals", "/v1.0/users", "/v1.0/groups"} {
			got := ids(a.must(200, "GET", path, nil))
			for _, foreign := range []string{app2.ID, sp2.ID, carol.ID, group2.ID, graph2.ID} {
				if slices.Contains(got, foreign) {
					t.Errorf("%s lists %s of the other tenant", path, foreign)
				}
			}
		}
		if got := values(a.must(200, "POST", "/v1.0/directoryObjects/getByIds", obj{"ids": []string{carol.ID, group2.ID, sp2.ID, app2.ID}})); len(got) != 0 {
			t.Errorf("getByIds returned objects of the other tenant: %v", got)
		}
		status, body := a.do("POST", "/v1.0/servicePrincipals/"+graph1+"/appRoleAssignedTo",
			obj{"principalId": sp2.ID, "resourceId": graph1, "appRoleId": directory.GraphDirectoryReadAll})
		if status < 400 || status >= 500 {
			t.Errorf("granted a role to the other tenant's SP: %d %v", status, body)
		}
	})
	t.Run("the other tenant is intact", func(t *testing.T) {
		a2 := a2.on(t)
		a2.must(200, "GET", "/v1.0/users/"+carol.ID, nil)
		if got := ids(a2.must(200, "GET", "/v1.0/users/"+carol.ID+"/memberOf", nil)); !slices.Equal(got, []string{group2.ID}) {
			t.Errorf("carol's groups %v", got)
		}
		a2.must(201, "POST", "/v1.0/groups", obj{"displayName": "still-writable"})
		// Symmetric: the second admin cannot see the first tenant.
		status, body := a2.do("GET", "/v1.0/groups/"+group1, nil)
		graphError(t, status, body, 404, "Request_ResourceNotFound")
		status, body = a2.do("GET", "/v1.0/applications(appId='"+e.Admin.ClientID+"')", nil)
		graphError(t, status, body, 404, "Request_ResourceNotFound")
	})
}
