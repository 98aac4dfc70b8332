package armid

import (
	"reflect"
	"strings"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"/", "//", "", "/subscriptions/s", "/subscriptions/s/resourcegroups/g/",
		acct + "/projects/p1/providers/Microsoft.Authorization/roleAssignments/" + guid,
		"/providers/Microsoft.Management/managementGroups/mg/providers/Microsoft.Authorization/roleAssignments/x",
		"/providers/Microsoft.Authorization/roleDefinitions/" + guid,
		"/subscriptions/s/providers/Microsoft.CognitiveServices/locations/l/usages",
		"/subscriptions/s/providers/Microsoft.Resources/resourceGroups/x",
		"/subscriptions/a\x00", "/subscriptions/\xff", "/PROVIDERS/a/b/c/D/e/providers/f/g/h",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := Parse(s)
		if err != nil {
			if id != nil {
				t.Fatalf("Parse(%q) returned an ID and an error", s)
			}
			return
		}
		str := id.String()
		id2, err := Parse(str)
		if err != nil {
			t.Fatalf("Parse(%q) ok, but Parse(String() = %q): %v", s, str, err)
		}
		if !Equal(id, id2) || !reflect.DeepEqual(id, id2) {
			t.Fatalf("round trip of %q via %q changed the ID:\n%+v\n%+v", s, str, id, id2)
		}
		if got := id2.String(); got != str {
			t.Fatalf("String() not a fixed point: %q then %q", str, got)
		}
		if id.Key() != id2.Key() || id.Key() != strings.ToLower(str) {
			t.Fatalf("Key() unstable: %q vs %q", id.Key(), id2.Key())
		}
		if len(str) > len(s) {
			t.Fatalf("canonical form %q longer than input %q", str, s)
		}
		// Every ancestor is itself a valid ID with the same canonical form.
		for _, a := range id.Ancestors() {
			if _, err := Parse(a.String()); err != nil {
				t.Fatalf("ancestor %q of %q does not parse: %v", a, s, err)
			}
		}
	})
}
