package rbac

import (
	"errors"
	"strings"
	"testing"
)

const delegCondition = "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals{53ca6127-db72-4b80-b1b0-d745d6d5456d})) AND ((!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})) OR (@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals{53ca6127-db72-4b80-b1b0-d745d6d5456d}))"

func TestParseConditionGood(t *testing.T) {
	good := []string{
		delegCondition,
		"@Request[Microsoft.Authorization/roleAssignments:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {'User', 'Group'}",
		"@Request[Microsoft.Authorization/roleAssignments:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {User, Group}",
		"(\n  (\n    !(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'} AND NOT SubOperationMatches{'Blob.List'})\n  )\n  OR\n  (\n    @Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringEquals 'blobs-example-container'\n  )\n)",
		"@Resource[x] StringLike 'a*c?' || @Resource[y] StringNotLike 'b*'",
		"@Resource[x] StringEquals 'a' && @Resource[y] StringNotEquals 'b' && !(@Resource[z] GuidNotEquals 53ca6127-db72-4b80-b1b0-d745d6d5456d)",
		"{'red', 'blue'} ForAllOfAnyValues:StringEquals {'orange', 'red', 'blue'}",
		"{10, 20} ForAnyOfAllValues:NumericLessThan {15, 18}",
		"@Request[Microsoft.Storage/storageAccounts/blobServices/containers/blobs/tags:Project<$key_case_sensitive$>] StringEquals 'Cascade'",
		"@Request[Microsoft.Storage/storageAccounts/blobServices/containers/blobs/tags&$keys$&] ForAllOfAnyValues:StringEquals {'Project', 'Program'}",
		"NOT Exists @Request[Microsoft.Storage/storageAccounts/blobServices/containers/blobs:versionId]",
		"@Resource[Microsoft.Storage/storageAccounts:isHnsEnabled] BoolEquals true",
		"@Environment[UtcNow] DateTimeGreaterThan '2023-05-01T13:00:00.000Z'",
		"@Principal[Microsoft.Directory/CustomSecurityAttributes/Id:Engineering_Project] StringEquals @Resource[Microsoft.Storage/storageAccounts/blobServices/containers/blobs/tags:Project<$key_case_sensitive$>]",
		"actionmatches{'x/*'} or actionmatches{'y/*'}",
		"ActionMatches{\"Microsoft.X/*\"}",
	}
	for _, src := range good {
		if _, err := ParseCondition(src); err != nil {
			t.Errorf("ParseCondition(%q): %v", src, err)
		}
	}
}

func TestParseConditionBad(t *testing.T) {
	bad := []struct{ src, msg string }{
		{"", "line 1, column 1: empty condition"},
		{"   \n ", "empty condition"},
		{"@Request[a] StringEquals 'x' AND @Request[b] StringEquals 'y' OR @Request[c] StringEquals 'z'", "column 63: AND and OR are mixed without parentheses"},
		{"(@Request[a] StringEquals 'x'", "column 30: expected ')' to close the '(' at column 1, found end of condition"},
		{"@Request[a] StringEqual 'x'", "column 13: unknown operator 'StringEqual'"},
		{"@Request[a] ForSomeValues:StringEquals 'x'", "unknown cross-product prefix 'ForSomeValues:'"},
		{"@Request[a] StringEquals", "column 25: expected an expression, an attribute or a value, found end of condition"},
		{"@Request[a StringEquals 'x'", "missing ']'"},
		{"@Requests[a] StringEquals 'x'", "unknown attribute source @Requests"},
		{"@[a] StringEquals 'x'", "expected an attribute source after '@'"},
		{"@Request[a] StringEquals 'x", "column 26: unterminated string"},
		{"@Request[a] GuidEquals {53ca6127-db72-4b80-b1b0-d745d6d5456}", "\"53ca6127-db72-4b80-b1b0-d745d6d5456\" is not a valid value for GuidEquals"},
		{"@Request[a] NumericEquals 'ten'", "is not a valid value for NumericEquals"},
		{"@Request[a] StringEquals {'x',}", "expected a value in the {…} list, found '}'"},
		{"@Request[a] StringEquals {'x' 'y'}", "expected ',' or '}' in the value list"},
		{"ActionMatches 'x'", "expected '{' after ActionMatches"},
		{"ActionMatches{'x'", "expected '}' to close ActionMatches"},
		{"Exists 'x'", "expected an attribute such as @Request[…] after Exists"},
		{"@Request[a] StringEquals 'x' )", "unexpected ')' after a complete expression"},
		{"@Request[a] StringEquals 'x' & @Request[b] StringEquals 'y'", "unexpected '&' (did you mean \"&&\"?)"},
		{"!", "expected an expression, an attribute or a value, found end of condition"},
		{"AND", "found keyword 'AND'"},
		{"@Request[a] StringEquals 'x'\nAND\n@Request[b] Bogus 'y'", "line 3, column 13: unknown operator 'Bogus'"},
		{strings.Repeat("(", 100) + "@Request[a] StringEquals 'x'" + strings.Repeat(")", 100), "nested deeper than 64 levels"},
		{"x ] y", "unexpected ']' outside an attribute reference"},
	}
	for _, c := range bad {
		_, err := ParseCondition(c.src)
		if err == nil {
			t.Errorf("ParseCondition(%q) succeeded, want error containing %q", c.src, c.msg)
			continue
		}
		var ce *ConditionError
		if !errors.As(err, &ce) {
			t.Errorf("ParseCondition(%q) error %T is not a *ConditionError", c.src, err)
		}
		if !strings.Contains(err.Error(), c.msg) {
			t.Errorf("ParseCondition(%q) error\n  %v\nwant it to contain\n  %s", c.src, err, c.msg)
		}
	}
}

func FuzzParseCondition(f *testing.F) {
	f.Add(delegCondition)
	f.Add("@Request[a] ForAllOfAllValues:StringNotLikeIgnoreCase {'x*', \"y?\"}")
	f.Add("!(NOT (Exists @Resource[b]))")
	f.Add("{1,2} NumericLessThan {3}")
	f.Add("(((")
	f.Fuzz(func(t *testing.T, src string) {
		c, err := ParseCondition(src)
		if err != nil {
			var ce *ConditionError
			if !errors.As(err, &ce) || ce.Offset < 0 || ce.Offset > len(src) || ce.Line < 1 || ce.Column < 1 {
				t.Fatalf("ParseCondition(%q): bad error %#v", src, err)
			}
			return
		}
		// A parsed condition must evaluate without panicking.
		attrs := Attributes{Request: map[string][]string{"a": {"x", "1"}}, Resource: map[string][]string{"b": {"53ca6127-db72-4b80-b1b0-d745d6d5456d"}}}
		_ = c.Evaluate("Microsoft.Authorization/roleAssignments/write", attrs)
		_ = c.holdsForAnyAttrs([]byte("microsoft.authorization/roleassignments/write"))
	})
}
