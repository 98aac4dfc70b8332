// Package rbaccorpus reads the RBAC conformance corpus
// (internal/rbac/testdata/corpus/*.yaml: scenarios of state and checks)
// for the tests that run it: the engine's own (internal/rbac) and the one
// that replays it through the ARM API (internal/arm). ${NAME}
// placeholders expand to the fixed scopes, actions and GUIDs of Vars before
// parsing; see testdata/corpus/README.md.
package rbaccorpus

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/gatehouse/gatehouse/internal/rbac"
)

// Vars are the values of the corpus placeholders.
var Vars = func() map[string]string {
	sub := "/subscriptions/11111111-1111-1111-1111-111111111111"
	rg := sub + "/resourceGroups/rg-ai"
	acct := rg + "/providers/Microsoft.CognitiveServices/accounts/acct"
	cs := "Microsoft.CognitiveServices/accounts/"
	return map[string]string{
		"SUB": sub, "SUB2": "/subscriptions/22222222-2222-2222-2222-222222222222",
		"RG": rg, "RG2": sub + "/resourceGroups/rg-other",
		"ACCT": acct, "ACCT2": rg + "/providers/Microsoft.CognitiveServices/accounts/acct2",
		"DEP": acct + "/deployments/gpt-4o", "PROJ": acct + "/projects/proj",
		"MG1": "/providers/Microsoft.Management/managementGroups/mg-team",
		"MG2": "/providers/Microsoft.Management/managementGroups/mg-corp",

		"CHAT": cs + "OpenAI/deployments/chat/completions/action", "EMBED": cs + "OpenAI/deployments/embeddings/action",
		"RESP_WRITE": cs + "OpenAI/responses/write", "STORED_READ": cs + "OpenAI/stored-completions/read",
		"FILES_WRITE": cs + "OpenAI/files/write", "AGENTS_READ": cs + "AIServices/agents/read",
		"AGENTS_WRITE": cs + "AIServices/agents/write",
		"ACCT_READ":    cs + "read", "ACCT_WRITE": cs + "write", "ACCT_DELETE": cs + "delete",
		"LISTKEYS": cs + "listKeys/action", "DEP_READ": cs + "deployments/read", "DEP_WRITE": cs + "deployments/write",
		"PROJ_WRITE": cs + "projects/write", "USAGES_READ": "Microsoft.CognitiveServices/locations/usages/read",
		"RA_WRITE": "Microsoft.Authorization/roleAssignments/write", "RA_DELETE": "Microsoft.Authorization/roleAssignments/delete",
		"RA_READ": "Microsoft.Authorization/roleAssignments/read", "RG_READ": "Microsoft.Resources/subscriptions/resourceGroups/read",
		"RA_ROLE": "Microsoft.Authorization/roleAssignments:RoleDefinitionId", "RA_TYPE": "Microsoft.Authorization/roleAssignments:PrincipalType",
		"AI_USER_ID": "53ca6127-db72-4b80-b1b0-d745d6d5456d", "OWNER_ID": "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "EVERYONE": rbac.EveryoneID,
	}
}()

// File is one corpus file: a common state and its scenarios.
type File struct {
	Common    State      `json:"common"`
	Scenarios []Scenario `json:"scenarios"`
}

// State is roles, assignments, groups, deny assignments and parents.
type State struct {
	Roles       []rbac.RoleDefinition `json:"roles"`
	Assignments []Assignment          `json:"assignments"`
	Groups      map[string][]string   `json:"groups"`
	Denies      []Deny                `json:"denies"`
	Parents     map[string]string     `json:"parents"`
}

// Scenario is a state (added to the file's common one) and its checks.
type Scenario struct {
	Name string `json:"name"`
	State
	Checks []Check `json:"checks"`
}

// Assignment is a role assignment by role GUID, name or alias.
type Assignment struct {
	Name          string `json:"name"`
	Scope         string `json:"scope"`
	Role          string `json:"role"` // GUID, name or alias
	Principal     string `json:"principal"`
	PrincipalType string `json:"principalType"`
	Condition     string `json:"condition"`
}

// Deny is a deny assignment.
type Deny struct {
	Name                    string           `json:"name"`
	Scope                   string           `json:"scope"`
	Actions                 []string         `json:"actions"`
	NotActions              []string         `json:"notActions"`
	DataActions             []string         `json:"dataActions"`
	NotDataActions          []string         `json:"notDataActions"`
	Principals              []rbac.Principal `json:"principals"`
	ExcludePrincipals       []rbac.Principal `json:"excludePrincipals"`
	DoNotApplyToChildScopes bool             `json:"doNotApplyToChildScopes"`
	Condition               string           `json:"condition"`
}

// Check is one decision and what it must be.
type Check struct {
	Principal       string              `json:"principal"`
	Action          string              `json:"action"`
	DataAction      bool                `json:"dataAction"`
	Scope           string              `json:"scope"`
	RequestAttrs    map[string][]string `json:"requestAttrs"`
	ResourceAttrs   map[string][]string `json:"resourceAttrs"`
	Expect          string              `json:"expect"` // allow | deny
	GrantedBy       string              `json:"grantedBy"`
	ViaGroup        string              `json:"viaGroup"`
	DeniedBy        string              `json:"deniedBy"`
	ConditionFailed []string            `json:"conditionFailed"`
	ReasonContains  string              `json:"reasonContains"`
}

// Load reads every corpus file in dir, keyed by base name; a placeholder
// not in Vars is an error.
func Load(dir string) (map[string]File, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(paths) == 0 {
		return nil, fmt.Errorf("no corpus files in %s: %v", dir, err)
	}
	files := map[string]File{}
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		text := os.Expand(string(raw), func(k string) string {
			if v, ok := Vars[k]; ok {
				return v
			}
			return "${" + k + "}" // left for the unknown-variable check
		})
		if i := strings.Index(text, "${"); i >= 0 {
			return nil, fmt.Errorf("%s: unknown variable near %q", p, text[i:min(len(text), i+20)])
		}
		var f File
		if err := yaml.UnmarshalStrict([]byte(text), &f); err != nil {
			return nil, fmt.Errorf("%s: %v", p, err)
		}
		files[filepath.Base(p)] = f
	}
	return files, nil
}

// Merged is the file's common state followed by the scenario's own.
func (sc Scenario) Merged(common State) State {
	out := State{Groups: map[string][]string{}, Parents: map[string]string{}}
	for _, s := range []State{common, sc.State} {
		out.Roles = append(out.Roles, s.Roles...)
		out.Assignments = append(out.Assignments, s.Assignments...)
		out.Denies = append(out.Denies, s.Denies...)
		for k, v := range s.Groups {
			out.Groups[k] = append(out.Groups[k], v...)
		}
		for k, v := range s.Parents {
			out.Parents[k] = v
		}
	}
	return out
}

// Input is the engine's input for a (merged) state: custom roles typed,
// assignments resolved to role GUIDs.
func Input(st State) (rbac.Input, error) {
	in := rbac.Input{GroupsOf: map[string][]string{}, Parents: map[string]string{}}
	for _, r := range st.Roles {
		if r.Type == "" {
			r.Type = rbac.CustomRole
		}
		in.Roles = append(in.Roles, r)
	}
	for k, v := range st.Groups {
		in.GroupsOf[k] = append(in.GroupsOf[k], v...)
	}
	for k, v := range st.Parents {
		in.Parents[k] = v
	}
	for _, d := range st.Denies {
		in.Denies = append(in.Denies, rbac.DenyAssignment{
			ID: d.Scope + "/providers/Microsoft.Authorization/denyAssignments/" + d.Name, Name: d.Name, Scope: d.Scope,
			Permissions: []rbac.Permission{{Actions: d.Actions, NotActions: d.NotActions, DataActions: d.DataActions, NotDataActions: d.NotDataActions}},
			Principals:  d.Principals, ExcludePrincipals: d.ExcludePrincipals,
			DoNotApplyToChildScopes: d.DoNotApplyToChildScopes, Condition: d.Condition,
		})
	}
	roles := append(rbac.BuiltinRoles(), in.Roles...)
	for _, a := range st.Assignments {
		r := rbac.FindRole(roles, a.Role)
		if r == nil {
			return rbac.Input{}, fmt.Errorf("assignment %q: unknown role %q", a.Name, a.Role)
		}
		in.Assignments = append(in.Assignments, rbac.RoleAssignment{
			ID: a.Scope + "/providers/Microsoft.Authorization/roleAssignments/" + a.Name, Name: a.Name,
			Scope: a.Scope, RoleDefinitionID: "/subscriptions/x/providers/Microsoft.Authorization/roleDefinitions/" + r.ID,
			PrincipalID: a.Principal, PrincipalType: a.PrincipalType, Condition: a.Condition,
		})
	}
	return in, nil
}

// Verify returns "" when the snapshot's decision matches the check, and
// otherwise what differs.
func Verify(snap *rbac.Snapshot, c Check) string {
	if c.Expect != "allow" && c.Expect != "deny" {
		return fmt.Sprintf("expect must be allow or deny, not %q", c.Expect)
	}
	if (c.Expect == "allow") != (c.GrantedBy != "") {
		return "grantedBy is required exactly when expect is allow"
	}
	d := snap.Decide(rbac.Request{PrincipalID: c.Principal, Action: c.Action, DataAction: c.DataAction, Scope: c.Scope,
		RequestAttrs: c.RequestAttrs, ResourceAttrs: c.ResourceAttrs})
	var errs []string
	if d.Allowed != (c.Expect == "allow") {
		errs = append(errs, fmt.Sprintf("got allowed=%v, want %s (reason: %s)", d.Allowed, c.Expect, d.Reason))
	}
	if c.GrantedBy != "" && (d.Granted == nil || d.Granted.Assignment.Name != c.GrantedBy) {
		errs = append(errs, fmt.Sprintf("want grantedBy %q, got %s", c.GrantedBy, grantName(d.Granted)))
	}
	if c.Expect == "allow" && d.Granted != nil && !strings.EqualFold(d.Granted.ViaGroup, c.ViaGroup) {
		errs = append(errs, fmt.Sprintf("want viaGroup %q, got %q", c.ViaGroup, d.Granted.ViaGroup))
	}
	if got := denyName(d.DeniedBy); got != c.DeniedBy {
		errs = append(errs, fmt.Sprintf("want deniedBy %q, got %q", c.DeniedBy, got))
	}
	if c.ConditionFailed != nil {
		var got []string
		for _, g := range d.ConditionFailed {
			got = append(got, g.Assignment.Name)
		}
		if !slices.Equal(got, c.ConditionFailed) {
			errs = append(errs, fmt.Sprintf("want conditionFailed %q, got %q", c.ConditionFailed, got))
		}
	}
	if c.ReasonContains != "" && !strings.Contains(d.Reason, c.ReasonContains) {
		errs = append(errs, fmt.Sprintf("reason %q lacks %q", d.Reason, c.ReasonContains))
	}
	return strings.Join(errs, "; ")
}

func grantName(g *rbac.Grant) string {
	if g == nil {
		return "no grant"
	}
	return fmt.Sprintf("%q", g.Assignment.Name)
}

func denyName(d *rbac.DenyAssignment) string {
	if d == nil {
		return ""
	}
	return d.Name
}
