package rbac

import "testing"

const (
	aiUserGUID = "53ca6127-db72-4b80-b1b0-d745d6d5456d"
	ownerGUID  = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
	raWrite    = "Microsoft.Authorization/roleAssignments/write"
	raDelete   = "Microsoft.Authorization/roleAssignments/delete"
	raRoleAttr = "Microsoft.Authorization/roleAssignments:RoleDefinitionId"
	raTypeAttr = "Microsoft.Authorization/roleAssignments:PrincipalType"
)

func vals(kv ...string) map[string][]string {
	m := map[string][]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = append(m[kv[i]], kv[i+1])
	}
	return m
}

func TestEvaluate(t *testing.T) {
	cases := []struct {
		name, cond, action string
		attrs              Attributes
		want               bool
	}{
		{"deleg: other action", delegCondition, "Microsoft.CognitiveServices/accounts/write", Attributes{}, true},
		{"deleg: write AI User", delegCondition, raWrite, Attributes{Request: vals(raRoleAttr, aiUserGUID)}, true},
		{"deleg: write AI User upper-case", delegCondition, "MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/WRITE", Attributes{Request: vals(raRoleAttr, "53CA6127-DB72-4B80-B1B0-D745D6D5456D")}, true},
		{"deleg: write Owner", delegCondition, raWrite, Attributes{Request: vals(raRoleAttr, ownerGUID)}, false},
		{"deleg: write, attr absent", delegCondition, raWrite, Attributes{}, false},
		{"deleg: write, attr on resource only", delegCondition, raWrite, Attributes{Resource: vals(raRoleAttr, aiUserGUID)}, false},
		{"deleg: delete AI User", delegCondition, raDelete, Attributes{Resource: vals(raRoleAttr, aiUserGUID)}, true},
		{"deleg: delete Owner", delegCondition, raDelete, Attributes{Resource: vals(raRoleAttr, ownerGUID)}, false},
		{"deleg: attribute name case", delegCondition, raWrite, Attributes{Request: vals("microsoft.authorization/roleassignments:roledefinitionid", aiUserGUID)}, true},

		{"principal type in list", "@Request[" + raTypeAttr + "] ForAnyOfAnyValues:StringEqualsIgnoreCase {'User', 'Group'}", raWrite, Attributes{Request: vals(raTypeAttr, "user")}, true},
		{"principal type not in list", "@Request[" + raTypeAttr + "] ForAnyOfAnyValues:StringEqualsIgnoreCase {'User', 'Group'}", raWrite, Attributes{Request: vals(raTypeAttr, "ServicePrincipal")}, false},
		{"principal type absent", "@Request[" + raTypeAttr + "] ForAnyOfAnyValues:StringEqualsIgnoreCase {'User', 'Group'}", raWrite, Attributes{}, false},
		{"case-sensitive StringEquals", "@Request[a] StringEquals 'User'", "x", Attributes{Request: vals("a", "user")}, false},

		{"any-of-any true", "{'red', 'blue'} ForAnyOfAnyValues:StringEquals {'blue', 'green'}", "x", Attributes{}, true},
		{"any-of-any false", "{'red', 'blue'} ForAnyOfAnyValues:StringEquals {'orange', 'green'}", "x", Attributes{}, false},
		{"all-of-any true", "{'red', 'blue'} ForAllOfAnyValues:StringEquals {'orange', 'red', 'blue'}", "x", Attributes{}, true},
		{"all-of-any false", "{'red', 'blue'} ForAllOfAnyValues:StringEquals {'red', 'green'}", "x", Attributes{}, false},
		{"any-of-all true", "{10, 20} ForAnyOfAllValues:NumericLessThan {15, 18}", "x", Attributes{}, true},
		{"all-of-all false", "{10, 20} ForAllOfAllValues:NumericLessThan {5, 15, 18}", "x", Attributes{}, false},
		{"all-of-all true", "{10, 20} ForAllOfAllValues:NumericLessThan {25, 30}", "x", Attributes{}, true},
		{"all-of-all false 2", "{10, 20} ForAllOfAllValues:NumericLessThan {15, 25, 30}", "x", Attributes{}, false},
		{"for-all over absent is false", "@Request[a] ForAllOfAllValues:StringNotEquals {'x'}", "x", Attributes{}, false},
		{"for-all over empty is false", "@Request[a] ForAllOfAnyValues:StringEquals {'x'}", "x", Attributes{Request: map[string][]string{"a": {}}}, false},

		{"not-equals single", "@Request[a] StringNotEquals 'x'", "x", Attributes{Request: vals("a", "y")}, true},
		{"not-equals same", "@Request[a] StringNotEquals 'x'", "x", Attributes{Request: vals("a", "x")}, false},
		{"not-equals absent is false", "@Request[a] StringNotEquals 'x'", "x", Attributes{}, false},
		{"not-equals multi: one equal", "@Request[a] StringNotEquals 'x'", "x", Attributes{Request: vals("a", "y", "a", "x")}, false},
		{"NOT of absent comparison is true", "NOT @Request[a] StringEquals 'x'", "x", Attributes{}, true},
		{"guid not equals", "@Request[a] GuidNotEquals " + aiUserGUID, "x", Attributes{Request: vals("a", ownerGUID)}, true},
		{"guid invalid value", "@Request[a] GuidEquals " + aiUserGUID, "x", Attributes{Request: vals("a", "/providers/Microsoft.Authorization/roleDefinitions/"+aiUserGUID)}, false},
		{"guid braces", "@Request[a] GuidEquals " + aiUserGUID, "x", Attributes{Request: vals("a", "{"+aiUserGUID+"}")}, true},

		{"like a*c?", "@Resource[n] StringLike 'a*c?'", "x", Attributes{Resource: vals("n", "abcd")}, true},
		{"like A*C? case", "@Resource[n] StringLike 'A*C?'", "x", Attributes{Resource: vals("n", "abcd")}, false},
		{"like A*C? ignore case", "@Resource[n] StringLikeIgnoreCase 'A*C?'", "x", Attributes{Resource: vals("n", "abcd")}, true},
		{"like a*c", "@Resource[n] StringLike 'a*c'", "x", Attributes{Resource: vals("n", "abcd")}, false},
		{"like escaped star", `@Resource[n] StringLike 'a\*'`, "x", Attributes{Resource: vals("n", "ab")}, false},
		{"like escaped star literal", `@Resource[n] StringLike 'a\*'`, "x", Attributes{Resource: vals("n", "a*")}, true},
		{"starts with", "@Resource[n] StringStartsWith 'readonly/'", "x", Attributes{Resource: vals("n", "readonly/x")}, true},
		{"not starts with ignore case", "@Resource[n] StringNotStartsWithIgnoreCase 'READONLY/'", "x", Attributes{Resource: vals("n", "readonly/x")}, false},

		{"bool", "@Resource[h] BoolEquals true", "x", Attributes{Resource: vals("h", "True")}, true},
		{"bool not", "@Resource[h] BoolNotEquals true", "x", Attributes{Resource: vals("h", "false")}, true},
		{"numeric", "@Resource[n] NumericGreaterThanEquals 10", "x", Attributes{Resource: vals("n", "10")}, true},
		{"numeric unparsable", "@Resource[n] NumericNotEquals 10", "x", Attributes{Resource: vals("n", "ten")}, false},
		{"datetime", "@Environment[UtcNow] DateTimeLessThan '2030-01-01T00:00:00.0Z'", "x", Attributes{Environment: vals("UtcNow", "2026-06-15T08:00:00Z")}, true},
		{"exists", "Exists @Request[v]", "x", Attributes{Request: vals("v", "")}, true},
		{"not exists", "NOT Exists @Request[v]", "x", Attributes{}, true},
		{"principal attr vs resource attr", "@Principal[p] StringEquals @Resource[r]", "x", Attributes{Principal: vals("p", "alpha"), Resource: vals("r", "alpha")}, true},
		{"suboperation", "ActionMatches{'x'} AND SubOperationMatches{'Blob.List'}", "X", Attributes{Request: vals("subOperation", "blob.list")}, true},
		{"suboperation absent", "SubOperationMatches{'Blob.List'}", "x", Attributes{}, false},
		{"action wildcard", "ActionMatches{'Microsoft.Authorization/roleAssignments/*'}", raWrite, Attributes{}, true},
		{"action other", "ActionMatches{'Microsoft.Authorization/roleDefinitions/*'}", raWrite, Attributes{}, false},
		{"&& and ||", "(ActionMatches{'a'} || ActionMatches{'b'}) && !ActionMatches{'c'}", "B", Attributes{}, true},
	}
	for _, c := range cases {
		cond, err := ParseCondition(c.cond)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := cond.Evaluate(c.action, c.attrs); got != c.want {
			t.Errorf("%s: Evaluate(%q) on %q = %v, want %v", c.name, c.cond, c.action, got, c.want)
		}
	}
}

func TestZeroConditionHolds(t *testing.T) {
	if !(Condition{}).Evaluate("anything", Attributes{}) {
		t.Fatal("the zero Condition must hold")
	}
}

func TestHoldsForAnyAttrs(t *testing.T) {
	c, err := ParseCondition(delegCondition)
	if err != nil {
		t.Fatal(err)
	}
	for action, want := range map[string]bool{
		"Microsoft.CognitiveServices/accounts/OpenAI/deployments/chat/completions/action": true,
		"Microsoft.CognitiveServices/accounts/projects/write":                             true,
		raWrite:  false,
		raDelete: false,
	} {
		if got := c.holdsForAnyAttrs(lowerASCII(nil, action)); got != want {
			t.Errorf("holdsForAnyAttrs(%q) = %v, want %v", action, got, want)
		}
	}
}
