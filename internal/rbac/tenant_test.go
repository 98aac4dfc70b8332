package rbac

import (
	"slices"
	"strings"
	"testing"
)

const (
	tenA   = "aaaaaaaa-0000-0000-0000-000000000000"
	tenB   = "bbbbbbbb-0000-0000-0000-000000000000"
	subA   = "/subscriptions/a1a1a1a1-0000-0000-0000-000000000000"
	subB   = "/subscriptions/b1b1b1b1-0000-0000-0000-000000000000"
	mgTeam = "/providers/Microsoft.Management/managementGroups/team"
	custom = "c0c0c0c0-0000-0000-0000-000000000000"
)

// twoTenants builds two tenants with identical management group names, a
// custom role GUID both use with different permissions, and assignments
// of the same name, so that every cross-tenant match would be visible.
func twoTenants(t *testing.T) *Snapshot {
	t.Helper()
	parents := map[string]string{
		TenantScope(tenA, subA):   TenantScope(tenA, mgTeam),
		TenantScope(tenA, mgTeam): TenantScope(tenA, "/"),
		TenantScope(tenB, subB):   TenantScope(tenB, mgTeam),
		TenantScope(tenB, mgTeam): TenantScope(tenB, "/"),
	}
	return mustCompile(t, Input{
		Parents: parents,
		Roles: []RoleDefinition{
			{Tenant: tenA, ID: custom, RoleName: "reader-ish", Type: CustomRole, AssignableScopes: []string{subA},
				Permissions: []Permission{{Actions: []string{"*/read"}}}},
			{Tenant: tenB, ID: custom, RoleName: "writer", Type: CustomRole, AssignableScopes: []string{subB},
				Permissions: []Permission{{Actions: []string{"*"}}}},
		},
		Assignments: []RoleAssignment{
			{Tenant: tenB, Name: "root-owner", Scope: "/", RoleDefinitionID: ownerGUID, PrincipalID: "bob"},
			{Tenant: tenB, Name: "mg-owner", Scope: mgTeam, RoleDefinitionID: ownerGUID, PrincipalID: "bill"},
			{Tenant: tenA, Name: "same", Scope: subA, RoleDefinitionID: custom, PrincipalID: "ann"},
			{Tenant: tenB, Name: "same", Scope: subB, RoleDefinitionID: custom, PrincipalID: "ben"},
		},
		Denies: []DenyAssignment{{Tenant: tenB, Name: "d", Scope: "/", Principals: []Principal{{ID: EveryoneID, Type: SystemDefinedType}},
			Permissions: []Permission{{Actions: []string{"*/delete"}}}}},
	})
}

func TestTenantWalls(t *testing.T) {
	s := twoTenants(t)
	for _, tc := range []struct {
		name   string
		req    Request
		allow  bool
		reason string
	}{
		{"B root Owner on A's subscription (as B)", Request{Tenant: tenB, PrincipalID: "bob", Action: "x/write", Scope: subA}, false, "not in the caller's tenant"},
		{"B root Owner on A's subscription (claiming A)", Request{Tenant: tenA, PrincipalID: "bob", Action: "x/write", Scope: subA}, false, "no role assignment"},
		{"B root Owner on B's subscription", Request{Tenant: tenB, PrincipalID: "bob", Action: "x/write", Scope: subB + "/resourceGroups/rg"}, true, ""},
		{"B MG Owner on A's same-named MG", Request{Tenant: tenA, PrincipalID: "bill", Action: "x/write", Scope: mgTeam}, false, ""},
		{"B MG Owner on B's MG", Request{Tenant: tenB, PrincipalID: "bill", Action: "x/write", Scope: mgTeam}, true, ""},
		{"B MG Owner below it", Request{Tenant: tenB, PrincipalID: "bill", Action: "x/write", Scope: subB}, true, ""},
		{"A's custom role keeps its own permissions", Request{Tenant: tenA, PrincipalID: "ann", Action: "x/write", Scope: subA}, false, ""},
		{"A's custom role reads", Request{Tenant: tenA, PrincipalID: "ann", Action: "x/read", Scope: subA}, true, ""},
		{"B's custom role writes", Request{Tenant: tenB, PrincipalID: "ben", Action: "x/write", Scope: subB}, true, ""},
		{"B's deny at B's root", Request{Tenant: tenB, PrincipalID: "bob", Action: "x/delete", Scope: subB}, false, "deny assignment"},
		{"B's deny does not reach A", Request{Tenant: tenA, PrincipalID: "ann", Action: "x/read", Scope: subA}, true, ""},
		{"an unplaced subscription is in no tenant", Request{Tenant: tenB, PrincipalID: "bob", Action: "x/read", Scope: "/subscriptions/ffffffff-0000-0000-0000-000000000000"}, false, "not in the caller's tenant"},
		{"a forged tenants path stays in the caller's tenant", Request{Tenant: tenA, PrincipalID: "bob", Action: "x/write", Scope: "/tenants/" + tenB}, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := s.Decide(tc.req)
			if d.Allowed != tc.allow {
				t.Fatalf("allowed = %v, want %v (%s)", d.Allowed, tc.allow, d.Reason)
			}
			if tc.reason != "" && !strings.Contains(d.Reason, tc.reason) {
				t.Errorf("reason %q lacks %q", d.Reason, tc.reason)
			}
		})
	}
	if r, ok := s.Role(tenA, custom); !ok || r.RoleName != "reader-ish" {
		t.Errorf("tenant A sees role %+v", r)
	}
	if r, ok := s.Role(tenB, "reader-ish"); ok {
		t.Errorf("tenant B finds A's role by name: %+v", r)
	}
	for _, r := range s.Roles(tenA) {
		if r.Tenant == tenB {
			t.Errorf("tenant A lists B's role %s", r.RoleName)
		}
	}
	if p := s.Permissions(tenB, "bob", subA); len(p) != 0 {
		t.Errorf("permissions across tenants: %v", p)
	}
}

// Entries that would reach into another tenant are refused at compile.
func TestTenantCompileRefusals(t *testing.T) {
	_, err := Compile(Input{
		Parents: map[string]string{
			TenantScope(tenA, subA):   TenantScope(tenA, "/"),
			TenantScope(tenB, mgTeam): TenantScope(tenA, "/providers/Microsoft.Management/managementGroups/x"),
		},
		Roles: []RoleDefinition{{Tenant: tenB, ID: ownerGUID, RoleName: "fake owner", Type: CustomRole, AssignableScopes: []string{"/"},
			Permissions: []Permission{{Actions: []string{"*"}}}}},
		Assignments: []RoleAssignment{
			{Tenant: tenB, Name: "into-a", Scope: subA, RoleDefinitionID: ownerGUID, PrincipalID: "bob"},
			{Tenant: tenB, Name: "a-role", Scope: "/", RoleDefinitionID: custom, PrincipalID: "bob"},
		},
		Denies: []DenyAssignment{{Tenant: tenB, Name: "deny-in-a", Scope: subA, Principals: []Principal{{ID: "x"}}}},
	})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"an edge between two tenants", "cannot take a built-in role's ID",
		`role assignment "into-a": scope ` + NormalizeScope(subA) + " is not in tenant", `role assignment "a-role": unknown role definition`,
		`deny assignment "deny-in-a"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

// An assignment counts only where its role is assignable: narrowing a
// custom role's assignable scopes takes its wider assignments away.
func TestAssignableScopesAreEnforced(t *testing.T) {
	rg := subA + "/resourceGroups/rg1"
	s, err := Compile(Input{
		Parents: map[string]string{TenantScope(tenA, subA): TenantScope(tenA, "/")},
		Roles: []RoleDefinition{{Tenant: tenA, ID: custom, RoleName: "narrow", Type: CustomRole, AssignableScopes: []string{rg},
			Permissions: []Permission{{Actions: []string{"*"}}}}},
		Assignments: []RoleAssignment{
			{Tenant: tenA, Name: "at-sub", Scope: subA, RoleDefinitionID: custom, PrincipalID: "p"},
			{Tenant: tenA, Name: "at-rg", Scope: rg + "/providers/Microsoft.CognitiveServices/accounts/x", RoleDefinitionID: custom, PrincipalID: "q"},
		},
	})
	if err == nil || !strings.Contains(err.Error(), `"at-sub": role "narrow" is not assignable`) {
		t.Fatalf("err = %v", err)
	}
	if s.Decide(Request{Tenant: tenA, PrincipalID: "p", Action: "x/write", Scope: rg}).Allowed {
		t.Error("an assignment above the role's assignable scopes granted")
	}
	if !s.Decide(Request{Tenant: tenA, PrincipalID: "q", Action: "x/write", Scope: rg + "/providers/Microsoft.CognitiveServices/accounts/x"}).Allowed {
		t.Error("an assignment inside the assignable scopes did not grant")
	}
}

// TenantScope places every scope not under a subscription below the
// tenant's root, case-folded once.
func TestTenantScope(t *testing.T) {
	for _, tc := range []struct{ tenant, scope, want string }{
		{"", "/Subscriptions/X/", "/subscriptions/x"},
		{"T", "/", "/tenants/t"},
		{"t", "", "/tenants/t"},
		{"t", mgTeam, "/tenants/t/providers/microsoft.management/managementgroups/team"},
		{"t", "/SUBSCRIPTIONS/abc/resourceGroups/R", "/subscriptions/abc/resourcegroups/r"},
		{"t", "/subscriptions", "/tenants/t/subscriptions"},
		{"t", "/tenants/u", "/tenants/t/tenants/u"},
	} {
		if got := TenantScope(tc.tenant, tc.scope); got != tc.want {
			t.Errorf("TenantScope(%q, %q) = %q, want %q", tc.tenant, tc.scope, got, tc.want)
		}
	}
}

func FuzzTenantScope(f *testing.F) {
	f.Add("t", "/providers/x/y/z")
	f.Add("", "/subscriptions/s")
	f.Fuzz(func(t *testing.T, tenant, scope string) {
		got := TenantScope(tenant, scope)
		norm := NormalizeScope(scope)
		if tenant == "" || strings.HasPrefix(norm, "/subscriptions/") {
			if got != norm {
				t.Fatalf("TenantScope(%q,%q) = %q, want %q", tenant, scope, got, norm)
			}
			return
		}
		if !strings.HasPrefix(got, "/tenants/") || !strings.HasSuffix(got, strings.TrimPrefix(norm, "/")) {
			t.Fatalf("TenantScope(%q,%q) = %q", tenant, scope, got)
		}
	})
}

func TestPathAncestors(t *testing.T) {
	acct := TenantScope(tenA, subA+"/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/a")
	for _, tc := range []struct {
		scope string
		want  []string
	}{
		{acct + "/projects/p", []string{acct, NormalizeScope(subA + "/resourceGroups/rg"), NormalizeScope(subA)}},
		{NormalizeScope(subA), []string{}},
		{TenantScope(tenA, "/"), []string{}},
		{TenantScope(tenA, mgTeam), []string{}},
	} {
		if got := PathAncestors(tc.scope); !slices.Equal(got, tc.want) {
			t.Errorf("PathAncestors(%q) = %q, want %q", tc.scope, got, tc.want)
		}
	}
}
