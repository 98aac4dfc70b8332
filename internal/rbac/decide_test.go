package rbac

import (
	"strings"
	"testing"
)

const chatAction = "Microsoft.CognitiveServices/accounts/OpenAI/deployments/chat/completions/action"

func TestDecideNoAllocations(t *testing.T) {
	s := mustCompile(t, Input{
		Assignments: []RoleAssignment{
			{Name: "a1", Scope: tAccount, RoleDefinitionID: "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd", PrincipalID: "g2"},
			{Name: "a2", Scope: tSub, RoleDefinitionID: "acdd72a7-3385-48ef-bd42-f606fba81ae7", PrincipalID: "u1"},
		},
		GroupsOf: map[string][]string{"u1": {"g1"}, "g1": {"g2"}},
		Parents:  map[string]string{tSub: tMG1},
	})
	reqs := map[string]Request{
		"allow via group": {PrincipalID: "U1", Action: chatAction, DataAction: true, Scope: tAccount + "/Deployments/gpt-4o"},
		"allow direct":    {PrincipalID: "u1", Action: "Microsoft.CognitiveServices/accounts/read", Scope: tAccount},
		"deny":            {PrincipalID: "u1", Action: "Microsoft.CognitiveServices/accounts/write", Scope: tAccount},
		"deny data":       {PrincipalID: "u9", Action: chatAction, DataAction: true, Scope: tAccount},
	}
	for name, req := range reqs {
		allocs := testing.AllocsPerRun(200, func() { _ = s.Decide(req) })
		if allocs != 0 {
			t.Errorf("%s: Decide allocates %.1f times", name, allocs)
		}
	}
}

func TestDecidePrefersNearestDirectThenName(t *testing.T) {
	owner, reader := ownerGUID, "acdd72a7-3385-48ef-bd42-f606fba81ae7"
	s := mustCompile(t, Input{
		Assignments: []RoleAssignment{
			{Name: "z-direct-sub", Scope: tSub, RoleDefinitionID: owner, PrincipalID: "u1"},
			{Name: "b-group-rg", Scope: tRG, RoleDefinitionID: reader, PrincipalID: "g1"},
			{Name: "a-group-rg", Scope: tRG, RoleDefinitionID: reader, PrincipalID: "g2"},
			{Name: "c-direct-rg", Scope: tRG, RoleDefinitionID: reader, PrincipalID: "u1"},
			{Name: "d-direct-rg", Scope: tRG, RoleDefinitionID: reader, PrincipalID: "u1"},
		},
		GroupsOf: map[string][]string{"u1": {"g1", "g2"}},
	})
	d := s.Decide(Request{PrincipalID: "u1", Action: "Microsoft.Resources/subscriptions/resourceGroups/read", Scope: tAccount})
	if !d.Allowed || d.Granted.Assignment.Name != "c-direct-rg" || d.Granted.ViaGroup != "" {
		t.Fatalf("want c-direct-rg, got %+v", d.Granted)
	}
	d = s.Decide(Request{PrincipalID: "u1", Action: "Microsoft.Resources/subscriptions/resourceGroups/write", Scope: tAccount})
	if !d.Allowed || d.Granted.Assignment.Name != "z-direct-sub" {
		t.Fatalf("want z-direct-sub (only Owner writes), got %+v", d.Granted)
	}
	if !strings.Contains(d.Explain(), "z-direct-sub") || !strings.Contains(d.Reason, "Owner") {
		t.Errorf("explanations: %q / %q", d.Reason, d.Explain())
	}
}

func TestCompileErrors(t *testing.T) {
	_, err := Compile(Input{
		Assignments: []RoleAssignment{
			{Name: "bad-cond", Scope: tSub, RoleDefinitionID: ownerGUID, PrincipalID: "u1", Condition: "@Request[a] Nope 'x'"},
			{Name: "bad-role", Scope: tSub, RoleDefinitionID: "11111111-1111-1111-1111-111111111111", PrincipalID: "u1"},
			{Name: "bad-version", Scope: tSub, RoleDefinitionID: ownerGUID, PrincipalID: "u1", Condition: "@Request[a] StringEquals 'x'", ConditionVersion: "1.0"},
			{Name: "no-principal", Scope: tSub, RoleDefinitionID: ownerGUID},
		},
		Roles: []RoleDefinition{{ID: "22222222-2222-2222-2222-222222222222", RoleName: "r", Type: CustomRole,
			Permissions: []Permission{{Actions: []string{"*"}, Condition: "(("}}}},
		Denies:  []DenyAssignment{{Name: "nobody", Scope: tSub}},
		Parents: map[string]string{tSub: tRG},
	})
	if err == nil {
		t.Fatal("Compile succeeded")
	}
	for _, want := range []string{
		`role assignment "bad-cond": condition: line 1, column 13: unknown operator 'Nope'`,
		`role assignment "bad-role": unknown role definition`,
		`role assignment "bad-version": unsupported conditionVersion "1.0"`,
		`role assignment "no-principal": no principalId`,
		`role 22222222-2222-2222-2222-222222222222 ("r") permissions[0]: condition:`,
		`deny assignment "nobody": no principals`,
		`want a management group scope`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestCustomRoleReplacesBuiltin(t *testing.T) {
	s := mustCompile(t, Input{
		Roles: []RoleDefinition{{ID: "/providers/Microsoft.Authorization/roleDefinitions/" + strings.ToUpper(ownerGUID),
			RoleName: "Owner", Type: BuiltInRole, AssignableScopes: []string{"/"}, Permissions: []Permission{{Actions: []string{"*/read"}}}}},
		Assignments: []RoleAssignment{{Name: "a", Scope: "/", RoleDefinitionID: ownerGUID, PrincipalID: "u"}},
	})
	if s.Decide(Request{PrincipalID: "u", Action: "x/write", Scope: tSub}).Allowed {
		t.Fatal("the replaced Owner should only read")
	}
	if len(s.Roles("")) != 17 {
		t.Fatalf("want 17 roles, got %d", len(s.Roles("")))
	}
}

// Assignments filed under a scope hash they do not belong to (as after a
// hash collision) must not apply there.
func TestScopeHashCollisionIsFiltered(t *testing.T) {
	s := mustCompile(t, Input{
		Assignments: []RoleAssignment{{Name: "elsewhere", Scope: tSub + "/resourceGroups/other", RoleDefinitionID: ownerGUID, PrincipalID: "u1"}},
	})
	p, _ := s.principals.lookup([]byte("u1"))
	ca := s.grants.candidates(p, fnv(NormalizeScope(tSub+"/resourceGroups/other")))[0]
	s.grants.add(p, fnv(NormalizeScope(tRG)), ca) // pretend both scopes share a hash
	if d := s.Decide(Request{PrincipalID: "u1", Action: "x/write", Scope: tAccount}); d.Allowed {
		t.Fatalf("an assignment of another scope applied: %+v", d.Granted)
	}
}
