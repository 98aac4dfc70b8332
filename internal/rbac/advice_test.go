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

func TestRolesGranting(t *testing.T) {
	s := mustCompile(t, Input{})
	cases := []struct {
		action string
		data   bool
		first  string
		before [][2]string // each pair: left ranks before right
		absent []string
	}{
		{"Microsoft.CognitiveServices/accounts/OpenAI/deployments/chat/completions/action", true,
			"Cognitive Services OpenAI User",
			[][2]string{{"Cognitive Services OpenAI User", "Cognitive Services OpenAI Contributor"},
				{"Cognitive Services User", "Azure AI User"}, {"Azure AI User", "Azure AI Owner"}},
			[]string{"Owner", "Contributor", "Cognitive Services Data Reader", "Azure AI Account Owner"}},
		{raWrite, false, "Role Based Access Control Administrator",
			[][2]string{{"Role Based Access Control Administrator", "User Access Administrator"}, {"User Access Administrator", "Owner"}},
			// Constrained delegation can restrict this action: not unconditional.
			[]string{"Azure AI Project Manager", "Azure AI Account Owner", "Contributor"}},
		{"Microsoft.CognitiveServices/locations/usages/read", false, "Cognitive Services Usages Reader",
			[][2]string{{"Reader", "Owner"}, {"Cognitive Services User", "Azure AI User"}}, nil},
		{"Microsoft.CognitiveServices/accounts/AIServices/agents/write", true, "",
			[][2]string{{"Cognitive Services User", "Azure AI User"}},
			[]string{"Cognitive Services OpenAI User", "Azure AI Developer", "Owner"}},
		// Project Manager also holds every data action, so it ranks above
		// the control-only Cognitive Services Contributor.
		{"Microsoft.CognitiveServices/accounts/projects/write", false, "Cognitive Services Contributor",
			[][2]string{{"Cognitive Services Contributor", "Azure AI Project Manager"}, {"Azure AI Administrator", "Owner"}},
			[]string{"Azure AI User", "Reader"}},
	}
	for _, c := range cases {
		got := roleNames(s.RolesGranting(c.action, c.data))
		t.Logf("%s: %q", c.action, got)
		if len(got) == 0 || c.first != "" && got[0] != c.first {
			t.Errorf("RolesGranting(%q) = %q, want %q first", c.action, got, c.first)
		}
		if got[len(got)-1] != "Owner" && !c.data {
			t.Errorf("RolesGranting(%q): Owner (bare *) should rank last: %q", c.action, got)
		}
		for _, p := range c.before {
			i, j := slices.Index(got, p[0]), slices.Index(got, p[1])
			if i < 0 || j < 0 || i > j {
				t.Errorf("RolesGranting(%q): want %q before %q in %q", c.action, p[0], p[1], got)
			}
		}
		for _, a := range c.absent {
			if slices.Contains(got, a) {
				t.Errorf("RolesGranting(%q) lists %q", c.action, a)
			}
		}
	}
	if got := s.RolesGranting("Microsoft.Nothing/none/action", true); len(got) != 0 {
		t.Errorf("unknown data action granted by %q", roleNames(got))
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
