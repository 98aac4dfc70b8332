package arm_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/arm"
	"github.com/gatehouse/gatehouse/internal/directory"
	"github.com/gatehouse/gatehouse/internal/rbac"
)

// What "az resource update|show" without --api-version reads first: the
// provider's metadata, listing each type gatehouse serves with the
// versions the route table answers to, newest first; the CLI takes the
// first stable one, and that version is accepted.
func TestProviderMetadataFromRouteTable(t *testing.T) {
	w := newWorld(t)
	sub := "/subscriptions/" + w.sub
	p := w.mustOK(t, w.admin, "GET", sub+"/providers/Microsoft.CognitiveServices", vRes, "")
	if p["id"] != sub+"/providers/Microsoft.CognitiveServices" || p["namespace"] != "Microsoft.CognitiveServices" || p["registrationState"] != "Registered" {
		t.Fatalf("provider: %v", p)
	}
	var accounts map[string]any
	for _, rt := range p["resourceTypes"].([]any) {
		if m := rt.(map[string]any); m["resourceType"] == "accounts" {
			accounts = m
		}
	}
	if accounts == nil {
		t.Fatalf("no accounts type: %v", p["resourceTypes"])
	}
	var versions []string
	for _, v := range accounts["apiVersions"].([]any) {
		versions = append(versions, v.(string))
	}
	// Exactly the routes' versions (all of them, none other), newest first.
	for _, rt := range arm.Routes() {
		if rt.Type == "microsoft.cognitiveservices/accounts" {
			for _, v := range rt.Versions {
				if !slices.Contains(versions, v) {
					t.Errorf("route version %s not listed", v)
				}
			}
			if len(rt.Versions) != len(versions) {
				t.Errorf("%d versions listed, the route has %d", len(versions), len(rt.Versions))
			}
		}
	}
	if !slices.IsSortedFunc(versions, func(a, b string) int { return strings.Compare(b, a) }) {
		t.Errorf("not newest first: %v", versions)
	}
	if locs := accounts["locations"].([]any); !slices.Contains(locs, any("East US")) {
		t.Errorf("locations: %v", locs)
	}
	stable := ""
	for _, v := range versions {
		if !strings.Contains(v, "preview") {
			stable = v
			break
		}
	}
	w.mustOK(t, w.admin, "GET", w.account, stable, "")

	// The tenant level and the lists; the namespace by the folding rule.
	root := w.mustOK(t, w.admin, "GET", "/providers/microsoft.cognitiveservices", vRes, "")
	if root["id"] != "/providers/Microsoft.CognitiveServices" || root["registrationState"] != nil {
		t.Errorf("tenant-level provider: %v", root)
	}
	for _, path := range []string{"/providers", sub + "/providers"} {
		l := w.mustOK(t, w.admin, "GET", path, vRes, "")["value"].([]any)
		var names []string
		for _, p := range l {
			names = append(names, p.(map[string]any)["namespace"].(string))
		}
		for _, ns := range []string{"Microsoft.Authorization", "Microsoft.CognitiveServices", "Microsoft.Resources"} {
			if !slices.Contains(names, ns) {
				t.Errorf("%s: %s missing from %v", path, ns, names)
			}
		}
	}
	status, m, _ := w.do(t, w.admin, "GET", sub+"/providers/Microsoft.Cogn\u0130tiveServices", vRes, "")
	wantError(t, status, m, 404, "InvalidResourceNamespace")
	status, m, _ = w.do(t, w.admin, "GET", "/subscriptions/"+directory.NewID()+"/providers/Microsoft.CognitiveServices", vRes, "")
	wantError(t, status, m, 404, "SubscriptionNotFound")
	status, m, _ = w.do(t, w.admin, "PUT", sub+"/providers/Microsoft.CognitiveServices", vRes, "{}")
	wantError(t, status, m, 405, "MethodNotAllowed")
}

// Any principal of the tenant reads the catalogs (the provider metadata is
// what a resource group's Contributor needs before "az resource update");
// a principal of another tenant is refused at the subscription.
func TestCatalogsReadableInTheTenantOnly(t *testing.T) {
	w := newTwoTenants(t)
	sub := "/subscriptions/" + w.sub
	p := w.newPrincipal(t, "rg-contributor")
	w.assign(t, p.oid, "ServicePrincipal", roleContrib, w.rg)
	for _, tc := range []struct{ path, version string }{
		{sub + "/providers/Microsoft.CognitiveServices", vRes},
		{sub + "/providers", vRes},
		{"/providers/Microsoft.CognitiveServices", vRes},
		{sub + "/locations", vRes},
		{sub + "/providers/Microsoft.CognitiveServices/skus", vCS},
		{sub + "/providers/Microsoft.CognitiveServices/locations/eastus/models", vCS},
	} {
		w.mustOK(t, p.token, "GET", tc.path, tc.version, "")
	}
	tokB := w.adminB
	status, m, _ := w.do(t, tokB, "GET", sub+"/providers/Microsoft.CognitiveServices", vRes, "")
	wantError(t, status, m, 401, "InvalidAuthenticationTokenTenant")
	status, m, _ = w.do(t, tokB, "GET", sub+"/locations", vRes, "")
	wantError(t, status, m, 401, "InvalidAuthenticationTokenTenant")
}

func TestLocationsInAzureShape(t *testing.T) {
	w := newWorld(t)
	sub := "/subscriptions/" + w.sub
	l := w.mustOK(t, w.admin, "GET", sub+"/locations", vRes, "")["value"].([]any)
	var east map[string]any
	for _, v := range l {
		if m := v.(map[string]any); m["name"] == "eastus" {
			east = m
		}
	}
	if east == nil || east["id"] != sub+"/locations/eastus" || east["displayName"] != "East US" || east["type"] != "Region" ||
		east["regionalDisplayName"] != "(US) East US" || east["metadata"].(map[string]any)["regionType"] != "Physical" {
		t.Fatalf("eastus: %v", east)
	}
}

// "az resource show -g RG -n ACCT --resource-type NS/TYPE" sends
// ".../providers/NS//TYPE/NAME"; Azure answers it as the one-slash path.
// The path is normalized once, before authorization: a deny assignment on
// the account denies the "//" spelling too.
func TestEmptySegmentIsNormalizedBeforeAuthorization(t *testing.T) {
	w := newWorld(t)
	slashed := strings.Replace(w.account, "Microsoft.CognitiveServices/accounts", "Microsoft.CognitiveServices//accounts", 1)
	got := w.mustOK(t, w.admin, "GET", slashed, vCS, "")
	if got["id"] != w.account {
		t.Fatalf("id %v, want %s", got["id"], w.account)
	}
	w.mustOK(t, w.admin, "GET", strings.Replace(w.rg, "/resourceGroups/", "//resourceGroups//", 1), vRes, "")

	w.env.Update(t, func(ctx context.Context, tx *directory.Tx) error {
		return arm.PutDenyAssignment(ctx, tx.Store(), w.env.Tenant, rbac.DenyAssignment{Name: directory.NewID(), Scope: w.account,
			Principals:  []rbac.Principal{{ID: rbac.EveryoneID, Type: rbac.SystemDefinedType}},
			Permissions: []rbac.Permission{{Actions: []string{"Microsoft.CognitiveServices/accounts/read", "Microsoft.CognitiveServices/accounts/listKeys/action"}}}}, "no reads")
	})
	for _, tc := range []struct{ method, path string }{
		{"GET", w.account},
		{"GET", slashed},
		{"GET", strings.ReplaceAll(w.account, "/", "//")},
		{"POST", slashed + "/listKeys"},
		{"POST", w.account + "//listKeys"},
	} {
		status, m, _ := w.do(t, w.admin, tc.method, tc.path, vCS, "")
		msg := wantError(t, status, m, 403, "AuthorizationFailed")
		if !strings.Contains(msg, "over scope '"+w.account+"'") {
			t.Errorf("%s %s: decided at another scope: %s", tc.method, tc.path, msg)
		}
	}
}
