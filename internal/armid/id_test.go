package armid

import (
	"slices"
	"testing"
)

func TestAncestors(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"/", nil},
		{"/subscriptions/" + sub, []string{"/"}},
		{rg, []string{"/", "/subscriptions/" + sub}},
		{acct + "/projects/p1/providers/Microsoft.Authorization/roleAssignments/" + guid,
			[]string{"/", "/subscriptions/" + sub, rg, acct, acct + "/projects/p1"}},
		{"/providers/Microsoft.Management/managementGroups/mg1/providers/Microsoft.Authorization/roleAssignments/" + guid,
			[]string{"/", "/providers/Microsoft.Management/managementGroups/mg1"}},
		{"/subscriptions/" + sub + "/providers/Microsoft.CognitiveServices/locations/eastus/usages",
			[]string{"/", "/subscriptions/" + sub, "/subscriptions/" + sub + "/providers/Microsoft.CognitiveServices/locations/eastus"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var got []string
			for _, a := range MustParse(tt.in).Ancestors() {
				got = append(got, a.String())
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Ancestors()\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestEqual(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{rg, "/SUBSCRIPTIONS/" + sub + "/resourcegroups/RG1/", true},
		{acct, rg + "/providers/microsoft.cognitiveservices/ACCOUNTS/A1", true},
		{acct, acct + "/projects/p1", false},
		{"/", "/", true},
		{"/subscriptions/" + sub, rg, false},
		// Same names, different structure.
		{rg + "/providers/N.S/a/x/b/y", rg + "/providers/N.S/a/x/providers/N.S/b/y", false},
	}
	for _, tt := range tests {
		t.Run(tt.a+" vs "+tt.b, func(t *testing.T) {
			a, b := MustParse(tt.a), MustParse(tt.b)
			if got := Equal(a, b); got != tt.want {
				t.Errorf("Equal = %v, want %v", got, tt.want)
			}
			if got := a.Key() == b.Key(); got != tt.want {
				t.Errorf("Key equality = %v, want %v (%q, %q)", got, tt.want, a.Key(), b.Key())
			}
		})
	}
	if !Equal(nil, nil) || Equal(nil, Root()) || Equal(Root(), nil) {
		t.Error("Equal with nil IDs is wrong")
	}
}

func TestNilID(t *testing.T) {
	var id *ID
	if id.String() != "" || id.Key() != "" || id.Ancestors() != nil || id.Scope() != nil || id.IsExtension() {
		t.Error("nil ID methods should return zero values")
	}
}

// Hand-built IDs render like parsed ones, so callers can construct IDs
// without formatting strings themselves.
func TestHandBuilt(t *testing.T) {
	s := &ID{Parent: Root(), SubscriptionID: sub, Provider: "Microsoft.Resources", ResourceType: SubscriptionType, Name: sub}
	g := &ID{Parent: s, SubscriptionID: sub, ResourceGroupName: "rg1", Provider: "Microsoft.Resources", ResourceType: ResourceGroupType, Name: "rg1"}
	a := &ID{Parent: g, SubscriptionID: sub, ResourceGroupName: "rg1", Provider: "Microsoft.CognitiveServices",
		ResourceType: "Microsoft.CognitiveServices/accounts", Name: "a1"}
	if got := a.String(); got != acct {
		t.Errorf("String() = %q, want %q", got, acct)
	}
	if !Equal(a, MustParse(acct)) {
		t.Error("hand-built ID not Equal to parsed one")
	}
}
