package arm_test

import (
	"context"
	"testing"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/directory"
)

// Owner at "/" in one tenant grants nothing in another tenant's
// subscription: the token is refused as from the wrong tenant.
func TestOtherTenantsSubscriptionIsRefused(t *testing.T) {
	w := newWorld(t)
	sub := directory.NewID()
	f, err := config.Parse([]byte(`tenants:
  - domain: fabrikam.onmicrosoft.com
    subscriptions:
      - id: ` + sub + `
        displayName: fabrikam
`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := config.Apply(context.Background(), w.env.Directory(), f); err != nil {
		t.Fatal(err)
	}
	status, m, _ := w.do(t, w.admin, "PUT", "/subscriptions/"+sub+"/resourceGroups/intruder", vRes, `{"location":"eastus"}`)
	wantError(t, status, m, 401, "InvalidAuthenticationTokenTenant")
	status, m, _ = w.do(t, w.admin, "GET", "/subscriptions?api-version=2022-12-01", "", "")
	if status != 200 {
		t.Fatalf("list: %d %v", status, m)
	}
	for _, s := range m["value"].([]any) {
		if s.(map[string]any)["subscriptionId"] == sub {
			t.Error("another tenant's subscription is listed")
		}
	}
}

func TestManagementGroupParents(t *testing.T) {
	w := newWorld(t)
	mg := func(name, parent string) (int, map[string]any) {
		body := `{"properties":{"displayName":"` + name + `"}}`
		if parent != "" {
			body = `{"properties":{"details":{"parent":{"id":"/providers/Microsoft.Management/managementGroups/` + parent + `"}}}}`
		}
		status, m, _ := w.do(t, w.admin, "PUT", "/providers/Microsoft.Management/managementGroups/"+name, "2021-04-01", body)
		return status, m
	}
	if status, m := mg("a", ""); status >= 300 {
		t.Fatalf("a: %d %v", status, m)
	}
	if status, m := mg("b", "a"); status >= 300 {
		t.Fatalf("b under a: %d %v", status, m)
	}
	status, m := mg("a", "b")
	wantError(t, status, m, 400, "InvalidParent")
	status, m = mg("c", "nope")
	wantError(t, status, m, 404, "ParentNotFound")
}
