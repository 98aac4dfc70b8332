package arm_test

import (
	"net/url"
	"slices"
	"testing"
)

// GET …/resources lists the tracked resources the caller may read (not
// resource groups, not deployments), without properties, filtered as "az
// resource list" asks.
func TestResourceListFiltersAndReadability(t *testing.T) {
	w := newTwoTenants(t)
	sub := "/subscriptions/" + w.sub
	w.mustOK(t, w.admin, "DELETE", sub+"/resourceGroups/demo", vRes, "") // the bootstrap's demo: keep the lists exact
	rg2 := sub + "/resourceGroups/rg2"
	w.mustOK(t, w.admin, "PUT", rg2, vRes, `{"location":"westus"}`)
	acct2 := rg2 + "/providers/Microsoft.CognitiveServices/accounts/acct2"
	w.mustOK(t, w.admin, "PUT", acct2, vCS, `{"location":"westus","kind":"OpenAI","sku":{"name":"S0"},"tags":{"team":"a and b"}}`)
	uai := w.rg + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/ua1"
	w.mustOK(t, w.admin, "PUT", uai, "2023-01-31", `{"location":"eastus"}`)

	ids := func(tok, path, filter string) []string {
		t.Helper()
		if filter != "" {
			path += "?$filter=" + url.QueryEscape(filter) + "&$expand=createdTime,changedTime,provisioningState"
		}
		var out []string
		for _, v := range w.mustOK(t, tok, "GET", path, vRes, "")["value"].([]any) {
			m := v.(map[string]any)
			if _, ok := m["properties"]; ok {
				t.Errorf("%s has properties", m["id"])
			}
			out = append(out, m["id"].(string))
		}
		slices.Sort(out)
		return out
	}
	want := func(got []string, want ...string) {
		t.Helper()
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("got %v\nwant %v", got, want)
		}
	}
	want(ids(w.admin, sub+"/resources", ""), w.account, w.project, uai, acct2)
	want(ids(w.admin, w.rg+"/resources", ""), w.account, w.project, uai)
	want(ids(w.admin, sub+"/resources", "resourceGroup eq 'RG1'"), w.account, w.project, uai)
	want(ids(w.admin, sub+"/resources", "resourceType eq 'microsoft.cognitiveservices/ACCOUNTS'"), w.account, acct2)
	want(ids(w.admin, sub+"/resources", "name eq 'acct2' and resourceType eq 'Microsoft.CognitiveServices/accounts'"), acct2)
	want(ids(w.admin, sub+"/resources", "location eq 'West US'"), acct2)
	want(ids(w.admin, sub+"/resources", "tagName eq 'team' and tagValue eq 'a and b'"), acct2)
	want(ids(w.admin, sub+"/resources", "startswith(tagName, 'te')"), acct2)
	want(ids(w.admin, sub+"/resources", "substringof('cct', name)"), w.account, w.project, acct2) // a project's name is "acct1/p1"

	// A Reader of rg2 sees only rg2's account; B's administrator nothing.
	r := w.newPrincipal(t, "rg2-reader")
	w.assign(t, r.oid, "ServicePrincipal", roleReader, rg2)
	want(ids(r.token, sub+"/resources", ""), acct2)
	want(ids(r.token, w.rg+"/resources", ""))
	status, m, _ := w.do(t, w.adminB, "GET", sub+"/resources", vRes, "")
	wantError(t, status, m, 401, "InvalidAuthenticationTokenTenant")
	if b := w.mustOK(t, w.adminB, "GET", "/subscriptions/"+subB+"/resources", vRes, "")["value"].([]any); len(b) != 0 {
		t.Errorf("B sees %v", b)
	}

	for _, tc := range []struct {
		path   string
		status int
		code   string
	}{
		{sub + "/resources?$filter=" + url.QueryEscape("properties/x eq 'y'"), 400, "InvalidFilterInQueryString"},
		{sub + "/resources?$filter=" + url.QueryEscape("tagValue eq 'y'"), 400, "InvalidFilterInQueryString"},
		{sub + "/resources?$filter=" + url.QueryEscape("name eq 'unterminated"), 400, "InvalidFilterInQueryString"},
		{sub + "/resources?$top=0", 400, "InvalidTopInQueryString"},
		{sub + "/resources?$top=99999999999999999999", 400, "InvalidTopInQueryString"},
		{sub + "/resourceGroups/nope/resources", 404, "ResourceGroupNotFound"},
	} {
		status, m, _ := w.do(t, w.admin, "GET", tc.path, vRes, "")
		wantError(t, status, m, tc.status, tc.code)
	}
	if l := w.mustOK(t, w.admin, "GET", sub+"/resources?$top=1", vRes, "")["value"].([]any); len(l) != 1 {
		t.Errorf("$top=1: %d", len(l))
	}
}
