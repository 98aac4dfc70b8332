package arm_test

import (
	"testing"
)

// The Cognitive Services catalogs the CLI reads: SKUs (list-kinds,
// list-skus), a region's models, an account's models, and the (empty)
// soft-deleted accounts.
func TestCognitiveCatalogs(t *testing.T) {
	w := newWorld(t)
	cs := "/subscriptions/" + w.sub + "/providers/Microsoft.CognitiveServices"

	kinds := map[string]bool{}
	for _, v := range w.mustOK(t, w.admin, "GET", cs+"/skus", vCS, "")["value"].([]any) {
		sku := v.(map[string]any)
		if sku["resourceType"] != "accounts" || sku["name"] != "S0" || len(sku["locations"].([]any)) == 0 {
			t.Errorf("sku %v", sku)
		}
		kinds[sku["kind"].(string)] = true
	}
	if !kinds["OpenAI"] || !kinds["AIServices"] {
		t.Errorf("kinds %v", kinds)
	}

	found := false
	for _, v := range w.mustOK(t, w.admin, "GET", cs+"/locations/EastUS/models", vCS, "")["value"].([]any) {
		m := v.(map[string]any)
		model := m["model"].(map[string]any)
		if m["kind"] == "OpenAI" && m["skuName"] == "S0" && model["name"] == "gpt-4o-mini" && model["format"] == "OpenAI" &&
			model["version"] == "2024-07-18" && len(model["skus"].([]any)) > 0 {
			found = true
		}
	}
	if !found {
		t.Error("gpt-4o-mini is not offered in eastus")
	}
	status, m, _ := w.do(t, w.admin, "GET", cs+"/locations/atlantis/models", vCS, "")
	wantError(t, status, m, 400, "LocationNotAvailableForResourceType")

	if l := w.mustOK(t, w.admin, "GET", w.account+"/models", vCS, "")["value"].([]any); len(l) == 0 || l[0].(map[string]any)["format"] != "OpenAI" {
		t.Errorf("account models: %v", l)
	}
	status, m, _ = w.do(t, w.admin, "GET", w.rg+"/providers/Microsoft.CognitiveServices/accounts/nope/models", vCS, "")
	wantError(t, status, m, 404, "ResourceNotFound")

	if l := w.mustOK(t, w.admin, "GET", cs+"/deletedAccounts", vCS, "")["value"].([]any); len(l) != 0 {
		t.Errorf("deleted accounts: %v", l)
	}
	w.mustOK(t, w.admin, "DELETE", w.account, vCS, "")
	if l := w.mustOK(t, w.admin, "GET", cs+"/deletedAccounts", vCS, "")["value"].([]any); len(l) != 0 {
		t.Errorf("deleted accounts after a delete: %v (gatehouse does not soft-delete)", l)
	}
	status, m, _ = w.do(t, w.admin, "GET", cs+"/locations/eastus/resourceGroups/rg1/deletedAccounts/acct1", vCS, "")
	wantError(t, status, m, 404, "ResourceNotFound")

	// Listing soft-deleted accounts is authorized, as in Azure; an account
	// reader of one resource group may not list the subscription's.
	p := w.newPrincipal(t, "rg-reader")
	w.assign(t, p.oid, "ServicePrincipal", roleReader, w.rg)
	status, m, _ = w.do(t, p.token, "GET", cs+"/deletedAccounts", vCS, "")
	wantError(t, status, m, 403, "AuthorizationFailed")
	w.mustOK(t, p.token, "GET", cs+"/skus", vCS, "")
}
