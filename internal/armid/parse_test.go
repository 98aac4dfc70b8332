package armid

import (
	"errors"
	"strings"
	"testing"
)

const (
	sub  = "00000000-0000-0000-0000-000000000001"
	guid = "11111111-2222-3333-4444-555555555555"
	rg   = "/subscriptions/" + sub + "/resourceGroups/rg1"
	acct = rg + "/providers/Microsoft.CognitiveServices/accounts/a1"
)

// fields is ID without Parent, for comparing one level at a time.
type fields struct {
	Sub, RG, MG, Loc, Provider, Type, Name string
}

func fieldsOf(id *ID) fields {
	return fields{id.SubscriptionID, id.ResourceGroupName, id.ManagementGroupName,
		id.Location, id.Provider, id.ResourceType, id.Name}
}

func TestParseValid(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		want      fields
		canonical string // "" means same as in
		parent    string // "" means no parent (root)
		scope     string // "" means nil
		extension bool
	}{
		{
			name: "root", in: "/",
			want: fields{Provider: "Microsoft.Resources", Type: RootType},
		},
		{
			name: "management group", in: "/providers/Microsoft.Management/managementGroups/mg1",
			want:   fields{MG: "mg1", Provider: "Microsoft.Management", Type: ManagementGroupType, Name: "mg1"},
			parent: "/", scope: "/",
		},
		{
			name: "management group any case", in: "/PROVIDERS/microsoft.management/MANAGEMENTGROUPS/mg1/",
			want:      fields{MG: "mg1", Provider: "microsoft.management", Type: "microsoft.management/MANAGEMENTGROUPS", Name: "mg1"},
			canonical: "/providers/microsoft.management/MANAGEMENTGROUPS/mg1",
			parent:    "/", scope: "/",
		},
		{
			name: "subscription", in: "/subscriptions/" + sub,
			want:   fields{Sub: sub, Provider: "Microsoft.Resources", Type: SubscriptionType, Name: sub},
			parent: "/",
		},
		{
			name: "subscription trailing slash and case", in: "/SUBSCRIPTIONS/" + sub + "/",
			want:      fields{Sub: sub, Provider: "Microsoft.Resources", Type: SubscriptionType, Name: sub},
			canonical: "/subscriptions/" + sub, parent: "/",
		},
		{
			name: "resource group", in: rg,
			want:   fields{Sub: sub, RG: "rg1", Provider: "Microsoft.Resources", Type: ResourceGroupType, Name: "rg1"},
			parent: "/subscriptions/" + sub,
		},
		{
			name: "resource group lower-case keyword", in: "/subscriptions/" + sub + "/resourcegroups/RG1",
			want:      fields{Sub: sub, RG: "RG1", Provider: "Microsoft.Resources", Type: ResourceGroupType, Name: "RG1"},
			canonical: "/subscriptions/" + sub + "/resourceGroups/RG1",
			parent:    "/subscriptions/" + sub,
		},
		{
			name: "resource", in: acct,
			want:   fields{Sub: sub, RG: "rg1", Provider: "Microsoft.CognitiveServices", Type: "Microsoft.CognitiveServices/accounts", Name: "a1"},
			parent: rg, scope: rg,
		},
		{
			name: "child resource", in: acct + "/projects/p1",
			want:   fields{Sub: sub, RG: "rg1", Provider: "Microsoft.CognitiveServices", Type: "Microsoft.CognitiveServices/accounts/projects", Name: "p1"},
			parent: acct, scope: rg,
		},
		{
			name: "grandchild resource", in: acct + "/projects/p1/connections/c1",
			want:   fields{Sub: sub, RG: "rg1", Provider: "Microsoft.CognitiveServices", Type: "Microsoft.CognitiveServices/accounts/projects/connections", Name: "c1"},
			parent: acct + "/projects/p1", scope: rg,
		},
		{
			name: "role definition at subscription", in: "/subscriptions/" + sub + "/providers/Microsoft.Authorization/roleDefinitions/" + guid,
			want:   fields{Sub: sub, Provider: "Microsoft.Authorization", Type: "Microsoft.Authorization/roleDefinitions", Name: guid},
			parent: "/subscriptions/" + sub, scope: "/subscriptions/" + sub,
		},
		{
			name: "role definition at root", in: "/providers/Microsoft.Authorization/roleDefinitions/" + guid,
			want:   fields{Provider: "Microsoft.Authorization", Type: "Microsoft.Authorization/roleDefinitions", Name: guid},
			parent: "/", scope: "/",
		},
		{
			name: "role assignment at root", in: "/providers/Microsoft.Authorization/roleAssignments/" + guid,
			want:   fields{Provider: "Microsoft.Authorization", Type: "Microsoft.Authorization/roleAssignments", Name: guid},
			parent: "/", scope: "/",
		},
		{
			name: "role assignment at management group", in: "/providers/Microsoft.Management/managementGroups/mg1/providers/Microsoft.Authorization/roleAssignments/" + guid,
			want:   fields{MG: "mg1", Provider: "Microsoft.Authorization", Type: "Microsoft.Authorization/roleAssignments", Name: guid},
			parent: "/providers/Microsoft.Management/managementGroups/mg1", scope: "/providers/Microsoft.Management/managementGroups/mg1",
			extension: true,
		},
		{
			name: "role assignment at resource group", in: rg + "/providers/Microsoft.Authorization/roleAssignments/" + guid,
			want:   fields{Sub: sub, RG: "rg1", Provider: "Microsoft.Authorization", Type: "Microsoft.Authorization/roleAssignments", Name: guid},
			parent: rg, scope: rg,
		},
		{
			name: "role assignment on project (extension)", in: acct + "/projects/p1/providers/Microsoft.Authorization/roleAssignments/" + guid,
			want:   fields{Sub: sub, RG: "rg1", Provider: "Microsoft.Authorization", Type: "Microsoft.Authorization/roleAssignments", Name: guid},
			parent: acct + "/projects/p1", scope: acct + "/projects/p1", extension: true,
		},
		{
			name: "extension keyword any case", in: acct + "/Providers/Microsoft.Authorization/roleAssignments/" + guid,
			want:      fields{Sub: sub, RG: "rg1", Provider: "Microsoft.Authorization", Type: "Microsoft.Authorization/roleAssignments", Name: guid},
			canonical: acct + "/providers/Microsoft.Authorization/roleAssignments/" + guid,
			parent:    acct, scope: acct, extension: true,
		},
		{
			name: "location", in: "/subscriptions/" + sub + "/providers/Microsoft.CognitiveServices/locations/eastus",
			want:   fields{Sub: sub, Loc: "eastus", Provider: "Microsoft.CognitiveServices", Type: "Microsoft.CognitiveServices/locations", Name: "eastus"},
			parent: "/subscriptions/" + sub, scope: "/subscriptions/" + sub,
		},
		{
			name: "location usages collection", in: "/subscriptions/" + sub + "/providers/Microsoft.CognitiveServices/locations/eastus/usages",
			want:   fields{Sub: sub, Loc: "eastus", Provider: "Microsoft.CognitiveServices", Type: "Microsoft.CognitiveServices/locations/usages"},
			parent: "/subscriptions/" + sub + "/providers/Microsoft.CognitiveServices/locations/eastus",
			scope:  "/subscriptions/" + sub,
		},
		{
			name: "location usages trailing slash", in: "/subscriptions/" + sub + "/providers/Microsoft.CognitiveServices/Locations/eastus/usages/",
			want:      fields{Sub: sub, Loc: "eastus", Provider: "Microsoft.CognitiveServices", Type: "Microsoft.CognitiveServices/Locations/usages"},
			canonical: "/subscriptions/" + sub + "/providers/Microsoft.CognitiveServices/Locations/eastus/usages",
			parent:    "/subscriptions/" + sub + "/providers/Microsoft.CognitiveServices/Locations/eastus",
			scope:     "/subscriptions/" + sub,
		},
		{
			name: "keywords usable as names", in: "/subscriptions/providers/resourceGroups/providers/providers/N.S/t/providers",
			want:   fields{Sub: "providers", RG: "providers", Provider: "N.S", Type: "N.S/t", Name: "providers"},
			parent: "/subscriptions/providers/resourceGroups/providers", scope: "/subscriptions/providers/resourceGroups/providers",
		},
		{
			name: "non-ASCII name", in: rg + "/providers/Microsoft.Web/sites/café",
			want:   fields{Sub: sub, RG: "rg1", Provider: "Microsoft.Web", Type: "Microsoft.Web/sites", Name: "café"},
			parent: rg, scope: rg,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if got := fieldsOf(id); got != tt.want {
				t.Errorf("fields\n got %+v\nwant %+v", got, tt.want)
			}
			canonical := tt.canonical
			if canonical == "" {
				canonical = tt.in
			}
			if got := id.String(); got != canonical {
				t.Errorf("String() = %q, want %q", got, canonical)
			}
			if got := id.Key(); got != strings.ToLower(canonical) {
				t.Errorf("Key() = %q, want %q", got, strings.ToLower(canonical))
			}
			if got := id.Parent.String(); got != tt.parent {
				t.Errorf("Parent = %q, want %q", got, tt.parent)
			}
			if got := id.Scope().String(); got != tt.scope {
				t.Errorf("Scope() = %q, want %q", got, tt.scope)
			}
			if got := id.IsExtension(); got != tt.extension {
				t.Errorf("IsExtension() = %v, want %v", got, tt.extension)
			}
		})
	}
}

func TestParseInvalid(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // substring of the error message
	}{
		{"empty", "", "empty"},
		{"no leading slash", "subscriptions/" + sub, `must start with "/"`},
		{"double slash only", "//", "empty segment 1"},
		{"double slash", "/subscriptions//resourceGroups/rg1", "empty segment 2"},
		{"two trailing slashes", "/subscriptions/" + sub + "//", "empty segment 3"},
		{"unknown leading segment", "/tenants/x", `unknown leading segment "tenants"`},
		{"missing subscription id", "/subscriptions", "missing subscription ID"},
		{"missing subscription id trailing slash", "/subscriptions/", "missing subscription ID"},
		{"missing resource group name", "/subscriptions/" + sub + "/resourceGroups", "missing resource group name"},
		{"junk after subscription", "/subscriptions/" + sub + "/locations/eastus", `unexpected segment 3 "locations": want "resourceGroups" or "providers"`},
		{"junk after resource group", rg + "/accounts/a1", `unexpected segment 5 "accounts": want "providers" after a resource group`},
		{"providers alone", "/providers", "must be followed by a namespace and a resource type"},
		{"providers without type", rg + "/providers/Microsoft.CognitiveServices", "must be followed by a namespace and a resource type"},
		{"resource without name", rg + "/providers/Microsoft.CognitiveServices/accounts", `missing name after resource type "Microsoft.CognitiveServices/accounts"`},
		{"child without name", acct + "/projects", `missing name after resource type "Microsoft.CognitiveServices/accounts/projects"`},
		{"extension without name", acct + "/providers/Microsoft.Authorization/roleAssignments", "missing name after resource type"},
		{"location without name", "/subscriptions/" + sub + "/providers/Microsoft.CognitiveServices/locations", "missing name after resource type"},
		{"location collection not last", "/subscriptions/" + sub + "/providers/Microsoft.CognitiveServices/locations/eastus/usages/u/x", `missing name after resource type "Microsoft.CognitiveServices/locations/usages/x"`},
		{"subscription in provider form", "/providers/Microsoft.Resources/subscriptions/" + sub, "use the /subscriptions/{id}"},
		{"resource group in provider form", "/subscriptions/" + sub + "/providers/microsoft.resources/resourcegroups/rg", "use the /subscriptions/{id}"},
		{"control character", "/subscriptions/a\nb", "control character U+000A at byte 16"},
		{"DEL", "/subscriptions/a\x7f", "control character U+007F"},
		{"C1 control", "/subscriptions/a\u0085", "control character U+0085"},
		{"invalid UTF-8", "/subscriptions/a\xff", "invalid UTF-8 at byte 16"},
		{"too long", "/subscriptions/" + strings.Repeat("a", MaxLen), "the limit is 4096"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := Parse(tt.in)
			if err == nil {
				t.Fatalf("Parse(%q) = %q, want error", tt.in, id)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v does not wrap ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
			if len(err.Error()) > 400 {
				t.Errorf("error message is %d bytes; long input should be truncated", len(err.Error()))
			}
		})
	}
}

func TestParseMaxLen(t *testing.T) {
	prefix := "/subscriptions/"
	ok := prefix + strings.Repeat("a", MaxLen-len(prefix))
	if _, err := Parse(ok); err != nil {
		t.Errorf("Parse of exactly %d bytes: %v", MaxLen, err)
	}
	if _, err := Parse(ok + "a"); err == nil {
		t.Errorf("Parse of %d bytes succeeded", MaxLen+1)
	}
}

func TestMustParsePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MustParse of an invalid ID did not panic")
		}
	}()
	MustParse("nope")
}
