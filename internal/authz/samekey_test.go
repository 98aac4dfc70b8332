package authz

import (
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/rbac"
)

// What the store finds under a key is decided under that same key: a deny
// assignment at scope applies to exactly the spellings that the store's
// key folds onto it (and what lies below), whatever the case or the
// Unicode look-alikes of the spelling.
func FuzzStoreKeyIsDecisionKey(f *testing.F) {
	const tenant = "aaaaaaaa-0000-0000-0000-000000000000"
	const scope = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/acct"
	snap, err := rbac.Compile(rbac.Input{
		Parents: map[string]string{ScopeKey(tenant, "/subscriptions/s1"): ScopeKey(tenant, "/")},
		Denies: []rbac.DenyAssignment{{Tenant: tenant, Name: "d", Scope: scope,
			Principals:  []rbac.Principal{{ID: rbac.EveryoneID, Type: rbac.SystemDefinedType}},
			Permissions: []rbac.Permission{{Actions: []string{"*"}}}}},
	})
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{scope, strings.ToUpper(scope), strings.Replace(scope, "Cognitive", "Cogn\u0130tive", 1),
		strings.Replace(scope, "Microsoft", "Micro\u017Foft", 1), scope + "/deployments/d", scope + "x", "/", ""} {
		f.Add(s)
	}
	want := ScopeKey(tenant, scope)
	f.Fuzz(func(t *testing.T, s string) {
		d := snap.Decide(rbac.Request{Tenant: tenant, PrincipalID: "p", Action: "x/read", Scope: s})
		k := ScopeKey(tenant, s)
		denied := d.DeniedBy != nil
		if k == want && !denied {
			t.Fatalf("the store finds %q under the deny's key, the engine does not deny it", s)
		}
		if denied && k != want && !strings.HasPrefix(k, want+"/") {
			t.Fatalf("the engine denies %q (key %q), which the store keeps apart from %q", s, k, want)
		}
	})
}
