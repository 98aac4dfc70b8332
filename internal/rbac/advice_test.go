package rbac

import (
	"slices"
	"testing"
)

func roleNames(rs []RoleDefinition) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.RoleName
	}
	return out
}

func mustCompile(t testing.TB, in Input) *Snapshot {
	t.Helper()
	s, err := Compile(in)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestRolesGranting is the advice for the actions people meet most: the
// role a person would pick first (the Foundry RBAC guide's choice, or the
// general role for reads and role assignments), never a role of an
// unrelated service that happens to include the action.
func TestRolesGranting(t *testing.T) {
	s := mustCompile(t, Input{})
	const (
		chat     = "Microsoft.CognitiveServices/accounts/OpenAI/deployments/chat/completions/action"
		embed    = "Microsoft.CognitiveServices/accounts/OpenAI/deployments/embeddings/action"
		agentsR  = "Microsoft.CognitiveServices/accounts/AIServices/agents/read"
		agentsW  = "Microsoft.CognitiveServices/accounts/AIServices/agents/write"
		maasChat = "Microsoft.CognitiveServices/accounts/MaaS/chat/completions/action"
		raRead   = "Microsoft.Authorization/roleAssignments/read"
		listKeys = "Microsoft.CognitiveServices/accounts/listKeys/action"
		depWrite = "Microsoft.CognitiveServices/accounts/deployments/write"
		rgRead   = "Microsoft.Resources/subscriptions/resourceGroups/read"
	)
	cases := []struct {
		name   string
		action string
		data   bool
		first  string
		before [][2]string // each pair: left ranks before right
		absent []string
	}{
		{"chat completions", chat, true, "Cognitive Services OpenAI User",
			[][2]string{{"Cognitive Services OpenAI User", "Cognitive Services OpenAI Contributor"},
				{"Cognitive Services User", "Azure AI User"}, {"Azure AI User", "Azure AI Owner"},
				{"Azure AI User", "Azure AI Developer"}},
			[]string{"Owner", "Contributor", "Cognitive Services Data Reader", "Azure AI Account Owner"}},
		{"embeddings", embed, true, "Cognitive Services OpenAI User",
			[][2]string{{"Cognitive Services OpenAI User", "Cognitive Services OpenAI Contributor"}}, []string{"Owner"}},
		{"agents read", agentsR, true, "Azure AI User",
			[][2]string{{"Azure AI User", "Cognitive Services Data Reader"}, {"Azure AI User", "Azure AI Owner"}},
			[]string{"Cognitive Services OpenAI User", "Reader"}},
		{"agents write", agentsW, true, "Azure AI User",
			[][2]string{{"Azure AI User", "Cognitive Services User"}, {"Azure AI User", "Azure AI Owner"}},
			[]string{"Cognitive Services OpenAI User", "Azure AI Developer", "Owner"}},
		{"Foundry Models (MaaS) chat", maasChat, true, "Cognitive Services User",
			[][2]string{{"Cognitive Services User", "Azure AI Developer"}, {"Cognitive Services User", "Azure AI User"}},
			[]string{"Cognitive Services OpenAI User"}},
		{"role assignments read", raRead, false, "Reader",
			[][2]string{{"Reader", "Role Based Access Control Administrator"}, {"User Access Administrator", "Cognitive Services OpenAI User"},
				{"Role Based Access Control Administrator", "Azure AI User"}},
			nil},
		{"role assignments write", raWrite, false, "Role Based Access Control Administrator",
			[][2]string{{"Role Based Access Control Administrator", "User Access Administrator"}, {"User Access Administrator", "Owner"}},
			// Constrained delegation can restrict this action: not unconditional.
			[]string{"Azure AI Project Manager", "Azure AI Account Owner", "Contributor"}},
		{"list keys", listKeys, false, "Cognitive Services User",
			[][2]string{{"Cognitive Services User", "Cognitive Services Contributor"}, {"Cognitive Services Contributor", "Contributor"}},
			[]string{"Reader", "Cognitive Services OpenAI User"}},
		{"deployments write", depWrite, false, "Cognitive Services OpenAI Contributor",
			[][2]string{{"Cognitive Services OpenAI Contributor", "Cognitive Services Contributor"}, {"Cognitive Services Contributor", "Contributor"}},
			[]string{"Reader", "Cognitive Services OpenAI User", "Cognitive Services User"}},
		{"resource groups read", rgRead, false, "Reader",
			[][2]string{{"Reader", "Cognitive Services User"}, {"Role Based Access Control Administrator", "Azure AI User"}}, nil},
		{"usages read", "Microsoft.CognitiveServices/locations/usages/read", false, "Cognitive Services Usages Reader",
			[][2]string{{"Reader", "Owner"}, {"Cognitive Services User", "Azure AI User"}}, nil},
		// Project Manager also holds every data action, so it ranks above
		// the control-only Cognitive Services Contributor.
		{"projects write", "Microsoft.CognitiveServices/accounts/projects/write", false, "Cognitive Services Contributor",
			[][2]string{{"Cognitive Services Contributor", "Azure AI Project Manager"}, {"Azure AI Administrator", "Owner"}},
			[]string{"Azure AI User", "Reader"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := roleNames(s.RolesGranting(c.action, c.data))
			if len(got) == 0 || got[0] != c.first {
				t.Fatalf("RolesGranting(%q) = %q, want %q first", c.action, got, c.first)
			}
			if !c.data && got[len(got)-1] != "Owner" {
				t.Errorf("Owner (bare *) should rank last: %q", got)
			}
			for _, p := range c.before {
				i, j := slices.Index(got, p[0]), slices.Index(got, p[1])
				if i < 0 || j < 0 || i > j {
					t.Errorf("want %q before %q in %q", p[0], p[1], got)
				}
			}
			for _, a := range c.absent {
				if slices.Contains(got, a) {
					t.Errorf("lists %q: %q", a, got)
				}
			}
		})
	}
	if got := s.RolesGranting("Microsoft.Nothing/none/action", true); len(got) != 0 {
		t.Errorf("unknown data action granted by %q", roleNames(got))
	}
}

// The general roles come before any role of another service for an action
// of Microsoft.Authorization or Microsoft.Resources, whatever its breadth.
func TestRolesGrantingPutsGeneralRolesFirst(t *testing.T) {
	s := mustCompile(t, Input{})
	general := []string{"Reader", "Role Based Access Control Administrator", "User Access Administrator"}
	for _, action := range []string{"Microsoft.Authorization/roleAssignments/read", "Microsoft.Authorization/roleDefinitions/read",
		"Microsoft.Resources/subscriptions/read"} {
		got := roleNames(s.RolesGranting(action, false))
		if len(got) < 3 || got[0] != "Reader" {
			t.Fatalf("%s: %q", action, got)
		}
		for _, g := range got[:3] {
			if !slices.Contains(general, g) {
				t.Errorf("%s: %q among the first three: %q", action, g, got)
			}
		}
	}
}

func TestBreadthOrdersWildcardLast(t *testing.T) {
	owner := FindRole(BuiltinRoles(), "Owner")
	reader := FindRole(BuiltinRoles(), "Reader")
	if Breadth(*owner) < wildcardPenalty || Breadth(*reader) >= wildcardPenalty {
		t.Fatalf("Breadth(Owner)=%d Breadth(Reader)=%d", Breadth(*owner), Breadth(*reader))
	}
}

func TestFindRole(t *testing.T) {
	roles := BuiltinRoles()
	for key, want := range map[string]string{
		"foundry user":                         "Azure AI User",
		"AZURE AI USER":                        "Azure AI User",
		"53CA6127-DB72-4B80-B1B0-D745D6D5456D": "Azure AI User",
		"/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/" + ownerGUID: "Owner",
		"Foundry Project Manager": "Azure AI Project Manager",
		"Foundry Account Owner":   "Azure AI Account Owner",
		"Foundry Owner":           "Azure AI Owner",
	} {
		r := FindRole(roles, key)
		if r == nil || r.RoleName != want {
			t.Errorf("FindRole(%q) = %v, want %s", key, r, want)
		}
	}
	if FindRole(roles, "Nobody") != nil {
		t.Error("FindRole(Nobody) found something")
	}
	if len(roles) != 17 {
		t.Errorf("BuiltinRoles has %d roles, want 17", len(roles))
	}
	roles[0].Permissions[0].Actions[0] = "mutated"
	if BuiltinRoles()[0].Permissions[0].Actions[0] == "mutated" {
		t.Error("BuiltinRoles returns shared slices")
	}
}

func TestPermissions(t *testing.T) {
	s := mustCompile(t, Input{
		Assignments: []RoleAssignment{
			{Name: "a-sub", Scope: tSub, RoleDefinitionID: "acdd72a7-3385-48ef-bd42-f606fba81ae7", PrincipalID: "u1"},
			{Name: "b-acct", Scope: tAccount, RoleDefinitionID: aiUserGUID, PrincipalID: "g1",
				Condition: "@Request[x] StringEquals 'y'"},
			{Name: "c-other", Scope: tAccount, RoleDefinitionID: ownerGUID, PrincipalID: "u2"},
		},
		GroupsOf: map[string][]string{"u1": {"g1"}},
	})
	got := s.Permissions("", "U1", tAccount+"/deployments/d")
	if len(got) != 2 {
		t.Fatalf("got %d blocks, want 2: %+v", len(got), got)
	}
	if !slices.Contains(got[0].DataActions, "Microsoft.CognitiveServices/*") || got[0].Condition != "@Request[x] StringEquals 'y'" || got[0].ConditionVersion != "2.0" {
		t.Errorf("first block should be Azure AI User's with the assignment condition: %+v", got[0])
	}
	if !slices.Equal(got[1].Actions, []string{"*/read"}) {
		t.Errorf("second block should be Reader's: %+v", got[1])
	}
	if got := s.Permissions("", "u1", "/subscriptions/other"); len(got) != 0 {
		t.Errorf("no permissions expected elsewhere, got %+v", got)
	}
}
