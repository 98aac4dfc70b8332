package config_test

import (
	"context"
	"encoding/pem"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/directory"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

func TestParseRejects(t *testing.T) {
	cases := []struct {
		name, doc, want string
	}{
		{"unknown top-level field", "tenant: []\n", `unknown field "tenant"`},
		{"unknown tenant field", "tenants:\n- domain: a.example.com\n  aplications: []\n", `unknown field "aplications"`},
		{"unknown application field", "tenants:\n- domain: a.example.com\n  applications:\n  - displayName: x\n    clientSecret: y\n", `unknown field "clientSecret"`},
		{"unknown secret field", "tenants:\n- domain: a.example.com\n  applications:\n  - displayName: x\n    secrets:\n    - displayName: s\n      expires: never\n", `unknown field "expires"`},
		{"not YAML", "tenants: [\n", "1:10: sequence end token ']' not found"},
		{"tenants not a list", "tenants: {domain: a.example.com}\n", "1:10: tenants: mapping was used where sequence is expected"},
		{"wrong type", "tenants:\n- domain: a.example.com\n  users:\n  - userPrincipalName: a@a.example.com\n    displayName: A\n    accountEnabled: maybe\n", "6:21: tenants[0].users[0].accountEnabled: cannot unmarshal string into bool"},
		{"bad end date", "tenants:\n- domain: a.example.com\n  applications:\n  - displayName: x\n    secrets:\n    - displayName: s\n      endDateTime: tomorrow\n", `invalid configuration: parsing time "tomorrow"`},
		{"missing domain", "tenants:\n- displayName: A\n", "tenants[0]: domain is required"},
		{"id not a GUID", "tenants:\n- domain: a.example.com\n  id: tenant-1\n", `tenants[0]: id "tenant-1" is not a GUID`},
		{"user without UPN", "tenants:\n- domain: a.example.com\n  users:\n  - displayName: A\n", "tenants[0].users[0]: userPrincipalName and displayName are required"},
		{"group without name", "tenants:\n- domain: a.example.com\n  groups:\n  - members: [x]\n", "tenants[0].groups[0]: displayName is required"},
		{"application without name", "tenants:\n- domain: a.example.com\n  applications:\n  - appId: 6f219ef1-318b-4d99-a551-bdf6a652d79b\n", "tenants[0].applications[0]: displayName is required"},
		{"secret without name", "tenants:\n- domain: a.example.com\n  applications:\n  - displayName: x\n    secrets:\n    - value: 0123456789abcdefgh\n", "tenants[0].applications[0].secrets[0]: displayName is required"},
		{"certificate with pem and file", "tenants:\n- domain: a.example.com\n  applications:\n  - displayName: x\n    certificates:\n    - pem: x\n      file: y\n", "give exactly one of pem or file"},
		{"certificate with neither", "tenants:\n- domain: a.example.com\n  applications:\n  - displayName: x\n    certificates:\n    - displayName: c\n", "give exactly one of pem or file"},
		{"assignment without role", "tenants:\n- domain: a.example.com\n  applications:\n  - displayName: x\n    appRoleAssignments: [https://graph.microsoft.com]\n", "must be {resource}/{role value}"},
		{"assignment with empty role", "tenants:\n- domain: a.example.com\n  applications:\n  - displayName: x\n    appRoleAssignments: [api://x/]\n", "must be {resource}/{role value}"},
		{"assignment with empty resource", "tenants:\n- domain: a.example.com\n  applications:\n  - displayName: x\n    appRoleAssignments: [/Read]\n", "must be {resource}/{role value}"},
		{"token version 3", "tenants:\n- domain: a.example.com\n  applications:\n  - displayName: x\n    requestedAccessTokenVersion: 3\n", "requestedAccessTokenVersion"},
		{"appId not a GUID", "tenants:\n- domain: a.example.com\n  applications:\n  - displayName: x\n    appId: my-app\n", `appId "my-app" is not a GUID`},
		{"short secret value", "tenants:\n- domain: a.example.com\n  applications:\n  - displayName: x\n    secrets:\n    - displayName: s\n      value: short\n", "at least 16 characters"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := config.Parse([]byte(tc.doc))
			if err == nil {
				t.Fatalf("Parse accepted:\n%s", tc.doc)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
	t.Run("valid document", func(t *testing.T) {
		f, err := config.Parse([]byte(sampleConfig(t, "", "")))
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Tenants) != 1 || len(f.Tenants[0].Applications) != 2 || len(f.Tenants[0].Groups) != 3 ||
			*f.Tenants[0].Applications[0].RequestedAccessTokenVersion != 2 {
			t.Errorf("parsed %+v", f)
		}
	})
	t.Run("Load", func(t *testing.T) {
		if _, err := config.Load(filepath.Join(t.TempDir(), "missing.yaml")); err == nil {
			t.Error("Load of a missing file succeeded")
		}
	})
}

// sampleConfig is a tenant with a v2 resource app, a client app with a
// generated and a given secret, a certificate and role assignments, users
// and three nested groups whose members are named every supported way.
func sampleConfig(t *testing.T, pemCert, secretValue string) string {
	if secretValue == "" {
		secretValue = "given-secret-value-0123456789"
	}
	cert := ""
	if pemCert != "" {
		cert = "    certificates:\n    - displayName: ci\n      pem: |\n" + indent(pemCert, "        ")
	}
	return `tenants:
- domain: contoso.onmicrosoft.com
  displayName: Contoso
  users:
  - userPrincipalName: alice@contoso.onmicrosoft.com
    displayName: Alice
    password: Alice-Passw0rd
  - userPrincipalName: bob@contoso.onmicrosoft.com
    displayName: Bob
    accountEnabled: false
  applications:
  - displayName: orders-api
    identifierUris: [api://orders]
    requestedAccessTokenVersion: 2
    appRoles:
    - value: Orders.Read
      displayName: Read orders
      isEnabled: true
    - value: Orders.Write
      displayName: Write orders
      isEnabled: true
  - displayName: orders-client
    appId: 0b5d7a3e-6b7c-4a5e-9f1d-2c3b4a5d6e7f
    secrets:
    - displayName: generated
    - displayName: given
      value: ` + secretValue + `
` + cert + `    appRoleAssignments:
    - api://orders/Orders.Read
    - https://graph.microsoft.com/Directory.Read.All
  groups:
  - displayName: outer
    members: [middle]
  - displayName: middle
    members: [inner, orders-api]
  - displayName: inner
    description: innermost
    members: [alice@contoso.onmicrosoft.com, 0b5d7a3e-6b7c-4a5e-9f1d-2c3b4a5d6e7f]
`
}

func indent(s, by string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i := range lines {
		lines[i] = by + lines[i]
	}
	return strings.Join(lines, "\n") + "\n"
}

func openDir(t *testing.T) *directory.Directory {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "config.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return directory.New(st, []byte("0123456789abcdef0123456789abcdef"))
}

func apply(t *testing.T, d *directory.Directory, doc string) []config.GeneratedSecret {
	t.Helper()
	f, err := config.Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	gen, err := config.Apply(context.Background(), d, f)
	if err != nil {
		t.Fatal(err)
	}
	return gen
}

// snapshot renders every object id and edge of a tenant, so two applies
// can be compared.
func snapshot(t *testing.T, d *directory.Directory, domain string) (string, *directory.Tenant) {
	t.Helper()
	ctx := context.Background()
	ten, err := d.Tenant(ctx, domain)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	add := func(format string, args ...any) { lines = append(lines, fmt.Sprintf(format, args...)) }
	users, _ := d.Users(ctx, ten.ID)
	for _, u := range users {
		add("user %s %s enabled=%v", u.ID, u.UserPrincipalName, u.AccountEnabled)
	}
	apps, _ := d.Applications(ctx, ten.ID)
	for _, a := range apps {
		add("app %s %s %s uris=%v v=%d", a.ID, a.AppID, a.DisplayName, a.IdentifierURIs, a.TokenVersion())
		for _, r := range a.AppRoles {
			add("  role %s %s", r.ID, r.Value)
		}
		for _, p := range a.PasswordCredentials {
			add("  secret %s %s %s", p.KeyID, p.DisplayName, p.EndDateTime)
		}
		for _, k := range a.KeyCredentials {
			add("  cert %s %x", k.KeyID, k.SHA1)
		}
	}
	sps, _ := d.ServicePrincipals(ctx, ten.ID)
	for _, sp := range sps {
		add("sp %s %s", sp.ID, sp.AppID)
		as, _ := d.AppRoleAssignmentsOf(ctx, sp.ID)
		for _, a := range as {
			add("  assignment %s %s on %s", a.ID, a.AppRoleID, a.ResourceID)
		}
	}
	groups, _ := d.Groups(ctx, ten.ID)
	for _, g := range groups {
		add("group %s %s", g.ID, g.DisplayName)
		ms, _ := d.Members(ctx, g.ID)
		for _, m := range ms {
			add("  member %s %s", m.MemberID, m.MemberType)
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n"), ten
}

func pemOf(c *testenv.Cert) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Cert.Raw}))
}

// TestApplyIdempotent: applying the same file again changes nothing: same
// ids, no duplicate secrets or edges, generated secrets only the first time.
func TestApplyIdempotent(t *testing.T) {
	d := openDir(t)
	ctx := context.Background()
	cert := testenv.NewCert(t, "ci", time.Time{}, time.Time{})
	doc := sampleConfig(t, pemOf(cert), "")

	gen1 := apply(t, d, doc)
	snap1, ten := snapshot(t, d, "contoso.onmicrosoft.com")
	if len(gen1) != 1 || gen1[0].DisplayName != "generated" || gen1[0].AppID != "0b5d7a3e-6b7c-4a5e-9f1d-2c3b4a5d6e7f" ||
		gen1[0].Tenant != ten.ID || gen1[0].Application != "orders-client" {
		t.Fatalf("first apply generated %+v", gen1)
	}
	for i := 0; i < 2; i++ {
		if gen := apply(t, d, doc); len(gen) != 0 {
			t.Errorf("apply #%d generated secrets again: %+v", i+2, gen)
		}
		if snap, _ := snapshot(t, d, "contoso.onmicrosoft.com"); snap != snap1 {
			t.Errorf("apply #%d changed the directory:\n--- first\n%s\n--- now\n%s", i+2, snap1, snap)
		}
	}

	client, err := d.ApplicationByAppID(ctx, "0b5d7a3e-6b7c-4a5e-9f1d-2c3b4a5d6e7f")
	if err != nil {
		t.Fatal(err)
	}
	if len(client.PasswordCredentials) != 2 || len(client.KeyCredentials) != 1 {
		t.Errorf("client has %d secrets and %d certificates", len(client.PasswordCredentials), len(client.KeyCredentials))
	}
	for _, s := range []string{gen1[0].Secret, "given-secret-value-0123456789"} {
		if d.CheckSecret(client, s, time.Now()) != directory.SecretOK {
			t.Errorf("secret %q does not work", s)
		}
	}
	alice, err := d.UserByUPN(ctx, ten.ID, "alice@contoso.onmicrosoft.com")
	if err != nil || !d.CheckPassword(alice, "Alice-Passw0rd") {
		t.Errorf("alice: %v", err)
	}
	if bob, _ := d.UserByUPN(ctx, ten.ID, "bob@contoso.onmicrosoft.com"); bob == nil || bob.AccountEnabled {
		t.Error("bob should be disabled")
	}
	api, err := d.ResourceByName(ctx, ten.ID, "api://orders")
	if err != nil || api.TokenVersion != 2 || len(api.AppRoles) != 2 {
		t.Fatalf("orders-api SP: %+v %v", api, err)
	}
	clientSP, _ := d.ServicePrincipalByAppID(ctx, ten.ID, client.AppID)
	as, _ := d.AppRoleAssignmentsOf(ctx, clientSP.ID)
	if len(as) != 2 {
		t.Errorf("client has %d app role assignments, want 2", len(as))
	}
}

// TestApplyChanges: a changed secret value replaces the old one; a changed
// display name or role list keeps ids of what stays.
func TestApplyChanges(t *testing.T) {
	d := openDir(t)
	ctx := context.Background()
	apply(t, d, sampleConfig(t, "", "first-secret-value-0123456789"))
	snap1, _ := snapshot(t, d, "contoso.onmicrosoft.com")
	apply(t, d, sampleConfig(t, "", "second-secret-value-0123456789"))
	client, _ := d.ApplicationByAppID(ctx, "0b5d7a3e-6b7c-4a5e-9f1d-2c3b4a5d6e7f")
	if got := d.CheckSecret(client, "first-secret-value-0123456789", time.Now()); got != directory.SecretWrong {
		t.Errorf("the replaced secret still checks %v", got)
	}
	if got := d.CheckSecret(client, "second-secret-value-0123456789", time.Now()); got != directory.SecretOK {
		t.Errorf("the new secret checks %v", got)
	}
	if len(client.PasswordCredentials) != 2 {
		t.Errorf("%d secrets after a value change, want 2", len(client.PasswordCredentials))
	}
	snap2, _ := snapshot(t, d, "contoso.onmicrosoft.com")
	roleLines := func(s string) []string {
		var out []string
		for _, l := range strings.Split(s, "\n") {
			if strings.Contains(l, "role ") || strings.HasPrefix(l, "group") || strings.HasPrefix(l, "sp ") || strings.HasPrefix(l, "user") {
				out = append(out, l)
			}
		}
		return out
	}
	if !slices.Equal(roleLines(snap1), roleLines(snap2)) {
		t.Errorf("ids changed with a secret change:\n%v\n%v", roleLines(snap1), roleLines(snap2))
	}
}

// TestApplyMembers: members named by UPN, appId, application display name
// and group name; groups nested three deep.
func TestApplyMembers(t *testing.T) {
	d := openDir(t)
	ctx := context.Background()
	apply(t, d, sampleConfig(t, "", ""))
	ten, _ := d.Tenant(ctx, "contoso.onmicrosoft.com")
	groups, _ := d.Groups(ctx, ten.ID)
	byName := map[string]*directory.Group{}
	for _, g := range groups {
		byName[g.DisplayName] = g
	}
	alice, _ := d.UserByUPN(ctx, ten.ID, "alice@contoso.onmicrosoft.com")
	clientSP, _ := d.ServicePrincipalByAppID(ctx, ten.ID, "0b5d7a3e-6b7c-4a5e-9f1d-2c3b4a5d6e7f")
	apiSP, _ := d.ResourceByName(ctx, ten.ID, "api://orders")
	members := func(g string) []string {
		ms, _ := d.Members(ctx, byName[g].ID)
		var out []string
		for _, m := range ms {
			out = append(out, m.MemberType+":"+m.MemberID)
		}
		sort.Strings(out)
		return out
	}
	want := map[string][]string{
		"outer":  {"group:" + byName["middle"].ID},
		"middle": {"group:" + byName["inner"].ID, "servicePrincipal:" + apiSP.ID},
		"inner":  {"servicePrincipal:" + clientSP.ID, "user:" + alice.ID},
	}
	for g, w := range want {
		sort.Strings(w)
		if got := members(g); !slices.Equal(got, w) {
			t.Errorf("%s members %v, want %v", g, got, w)
		}
	}
	if byName["inner"].Description != "innermost" {
		t.Errorf("description %q", byName["inner"].Description)
	}
	tr, err := d.TransitiveMemberOf(ctx, alice.ID)
	sort.Strings(tr)
	w := []string{byName["outer"].ID, byName["middle"].ID, byName["inner"].ID}
	sort.Strings(w)
	if err != nil || !slices.Equal(tr, w) {
		t.Errorf("alice's transitive groups %v, want %v (%v)", tr, w, err)
	}
}

// TestApplyErrors: references that do not resolve fail the whole apply
// with a message naming them, and nothing is written.
func TestApplyErrors(t *testing.T) {
	base := "tenants:\n- domain: contoso.onmicrosoft.com\n"
	cases := []struct{ name, doc, want string }{
		{"unknown member", base + "  groups:\n  - displayName: g\n    members: [nobody@contoso.onmicrosoft.com]\n", `member "nobody@contoso.onmicrosoft.com"`},
		{"unknown member name", base + "  groups:\n  - displayName: g\n    members: [ghost]\n", `member "ghost"`},
		{"unknown resource", base + "  applications:\n  - displayName: a\n    appRoleAssignments: [api://none/Read]\n", `resource "api://none" not found`},
		{"unknown role", base + "  applications:\n  - displayName: a\n    appRoleAssignments: [https://graph.microsoft.com/Nope.All]\n", `has no app role "Nope.All"`},
		{"assignment without SP", base + "  applications:\n  - displayName: a\n    servicePrincipal: false\n    appRoleAssignments: [https://graph.microsoft.com/Directory.Read.All]\n", "has no service principal"},
		{"bad certificate", base + "  applications:\n  - displayName: a\n    certificates:\n    - pem: not a certificate\n", "not a valid X.509 certificate"},
		{"missing certificate file", base + "  applications:\n  - displayName: a\n    certificates:\n    - file: /nonexistent/cert.pem\n", "/nonexistent/cert.pem"},
		{"bad UPN", base + "  users:\n  - userPrincipalName: alice\n    displayName: A\n", "alias@domain"},
		{"short password", base + "  users:\n  - userPrincipalName: a@contoso.onmicrosoft.com\n    displayName: A\n    password: x\n", "at least 8 characters"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := openDir(t)
			f, err := config.Parse([]byte(tc.doc))
			if err != nil {
				if strings.Contains(err.Error(), tc.want) {
					return // caught even earlier
				}
				t.Fatalf("Parse: %v", err)
			}
			_, err = config.Apply(context.Background(), d, f)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Apply error %v, want one containing %q", err, tc.want)
			}
			if ts, _ := d.Tenants(context.Background()); len(ts) != 0 {
				t.Errorf("a failed apply left %d tenant(s) behind", len(ts))
			}
		})
	}
}

// TestApplyToExistingTenant: a file naming the tenant by id updates it and
// keeps the well-known resources; a second tenant is isolated.
func TestApplyToExistingTenant(t *testing.T) {
	d := openDir(t)
	ctx := context.Background()
	id := "6f219ef1-318b-4d99-a551-bdf6a652d79b"
	doc := "tenants:\n- id: " + id + "\n  domain: one.onmicrosoft.com\n  users:\n  - userPrincipalName: a@one.onmicrosoft.com\n    displayName: A\n" +
		"- domain: two.onmicrosoft.com\n  users:\n  - userPrincipalName: a@two.onmicrosoft.com\n    displayName: A2\n"
	apply(t, d, doc)
	apply(t, d, strings.Replace(doc, "displayName: A\n", "displayName: Renamed\n", 1))
	one, err := d.Tenant(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	users, _ := d.Users(ctx, one.ID)
	if len(users) != 1 || users[0].DisplayName != "Renamed" {
		t.Errorf("tenant one users %+v", users)
	}
	if _, err := d.ResourceByName(ctx, one.ID, "https://graph.microsoft.com"); err != nil {
		t.Errorf("well-known Graph principal missing: %v", err)
	}
	two, _ := d.Tenant(ctx, "two.onmicrosoft.com")
	if two == nil || two.ID == one.ID {
		t.Fatal("second tenant missing")
	}
	if _, err := d.UserByUPN(ctx, one.ID, "a@two.onmicrosoft.com"); !directory.IsNotFound(err) {
		t.Errorf("tenant two's user is visible in tenant one: %v", err)
	}
}
