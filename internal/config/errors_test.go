package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/config"
)

// TestErrorPositions: errors name the file, the line where the mistake
// is, the path of the object and, for a misspelt field, the right one.
func TestErrorPositions(t *testing.T) {
	const head = "tenants:\n  - domain: a.example\n    users:\n      - userPrincipalName: ann@a.example\n"
	for _, c := range []struct {
		name, doc string
		want      string // after "FILE:"
	}{
		{"misspelt field", head + "        displayName: Ann\n        pasword: x\n",
			`6:9: tenants[0].users[0]: unknown field "pasword" (did you mean "password"?)`},
		{"case", head + "        displayname: Ann\n",
			`5:9: tenants[0].users[0]: unknown field "displayname" (did you mean "displayName"?)`},
		{"no suggestion", head + "        displayName: Ann\n        favouriteColour: x\n",
			`6:9: tenants[0].users[0]: unknown field "favouriteColour"`},
		{"bad indent on line 5", head + "       displayName: Ann\n", "5:8: "},
		{"wrong type", head + "        displayName: Ann\n        accountEnabled: maybe\n",
			"6:25: tenants[0].users[0].accountEnabled: cannot unmarshal string into bool"},
		{"validation", head + "        password: x\n", "4:9: tenants[0].users[0]: userPrincipalName and displayName are required"},
		{"unknown top level", "tenant: []\n", `1:1: unknown field "tenant" (did you mean "tenants"?)`},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "gatehouse.yaml")
			if err := os.WriteFile(path, []byte(c.doc), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := config.Load(path)
			if err == nil {
				t.Fatal("accepted")
			}
			first, _, _ := strings.Cut(err.Error(), "\n")
			if !strings.HasPrefix(first, path+":"+c.want) {
				t.Errorf("got  %q\nwant %q", first, path+":"+c.want)
			}
			if first == err.Error() && c.name != "validation" {
				t.Errorf("no source excerpt: %q", err)
			}
		})
	}
}
