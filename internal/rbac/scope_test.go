package rbac

import (
	"slices"
	"strings"
	"testing"
)

const (
	tSub     = "/subscriptions/s1"
	tRG      = tSub + "/resourceGroups/rg1"
	tAccount = tRG + "/providers/Microsoft.CognitiveServices/accounts/a1"
	tMG1     = "/providers/Microsoft.Management/managementGroups/mg1"
	tMG2     = "/providers/Microsoft.Management/managementGroups/mg2"
)

func TestScopeAncestors(t *testing.T) {
	parents := map[string]string{"/Subscriptions/S1": tMG1, tMG1: tMG2}
	low := strings.ToLower
	cases := []struct {
		scope string
		want  []string
	}{
		{"/", []string{"/"}},
		{"", []string{"/"}},
		{tSub, []string{"/subscriptions/s1", low(tMG1), low(tMG2), "/"}},
		{tSub + "/", []string{"/subscriptions/s1", low(tMG1), low(tMG2), "/"}},
		{"/subscriptions/s2", []string{"/subscriptions/s2", "/"}},
		{tAccount + "/deployments/d1", []string{low(tAccount + "/deployments/d1"), low(tAccount), low(tRG), "/subscriptions/s1", low(tMG1), low(tMG2), "/"}},
		{tAccount + "/projects/p1", []string{low(tAccount + "/projects/p1"), low(tAccount), low(tRG), "/subscriptions/s1", low(tMG1), low(tMG2), "/"}},
		{tMG1, []string{low(tMG1), low(tMG2), "/"}},
		{tMG2, []string{low(tMG2), "/"}},
		// An extension resource's parent is the resource it extends.
		{tAccount + "/providers/Microsoft.Authorization/roleAssignments/x", []string{
			low(tAccount + "/providers/Microsoft.Authorization/roleAssignments/x"), low(tAccount), low(tRG), "/subscriptions/s1", low(tMG1), low(tMG2), "/"}},
		// Subscription-level resources.
		{"/subscriptions/s2/providers/Microsoft.CognitiveServices/locations/eastus", []string{
			"/subscriptions/s2/providers/microsoft.cognitiveservices/locations/eastus", "/subscriptions/s2", "/"}},
		// Tenant-level resources hang off the root.
		{"/providers/Microsoft.Authorization/roleDefinitions/abc", []string{"/providers/microsoft.authorization/roledefinitions/abc", "/"}},
		// Malformed tails stay with the deepest parsable level.
		{"/subscriptions/s2/resourceGroups", []string{"/subscriptions/s2/resourcegroups", "/subscriptions/s2", "/"}},
		{"/subscriptions/s2/resourceGroups/rg/providers/ns/type", []string{"/subscriptions/s2/resourcegroups/rg/providers/ns/type", "/subscriptions/s2/resourcegroups/rg", "/subscriptions/s2", "/"}},
		{"subscriptions/s2", []string{"/subscriptions/s2", "/"}},
	}
	for _, c := range cases {
		if got := ScopeAncestors(c.scope, parents); !slices.Equal(got, c.want) {
			t.Errorf("ScopeAncestors(%q):\n got %q\nwant %q", c.scope, got, c.want)
		}
	}
}

func TestScopeAncestorsParentCycle(t *testing.T) {
	parents := map[string]string{tSub: tMG1, tMG1: tMG2, tMG2: tMG1}
	got := ScopeAncestors(tSub, parents)
	want := []string{"/subscriptions/s1", strings.ToLower(tMG1), strings.ToLower(tMG2), "/"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func FuzzScopeAncestors(f *testing.F) {
	f.Add(tAccount+"/deployments/d1", tSub, tMG1)
	f.Add("/", "", "")
	f.Add("//a//b/", "/a", "/b")
	f.Add("/providers/Microsoft.Management/managementGroups/x/providers/a/b/c", tMG1, "/")
	f.Fuzz(func(t *testing.T, scope, child, parent string) {
		got := ScopeAncestors(scope, map[string]string{child: parent})
		norm := NormalizeScope(scope)
		if len(got) == 0 || got[0] != norm && norm != "/" || got[len(got)-1] != "/" {
			t.Fatalf("ScopeAncestors(%q) = %q: must start with the scope and end with /", scope, got)
		}
		seen, prev := map[string]bool{}, len(norm)+1
		for _, a := range got {
			if seen[a] {
				t.Fatalf("ScopeAncestors(%q) repeats %q: %q", scope, a, got)
			}
			seen[a] = true
			switch {
			case a == "/":
			case strings.HasPrefix(norm, a) && (len(a) == len(norm) || norm[len(a)] == '/'):
				if len(a) >= prev {
					t.Fatalf("ScopeAncestors(%q): %q is not above the level before it: %q", scope, a, got)
				}
				prev = len(a)
			case a != NormalizeScope(parent):
				t.Fatalf("ScopeAncestors(%q) invented %q: %q", scope, a, got) // only Parents may add these
			}
		}
	})
}
