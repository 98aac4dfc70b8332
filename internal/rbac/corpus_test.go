package rbac

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// The conformance corpus: testdata/corpus/*.yaml, each a list of
// scenarios (state + checks). ${NAME} placeholders expand to the fixed
// scopes, actions and GUIDs below before parsing; see
// testdata/corpus/README.md.
var corpusVars = func() map[string]string {
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
		"RA_ROLE": raRoleAttr, "RA_TYPE": raTypeAttr,
		"AI_USER_ID": aiUserGUID, "OWNER_ID": ownerGUID, "EVERYONE": EveryoneID,
	}
}()

type corpusFile struct {
	Common    corpusState      `json:"common"`
	Scenarios []corpusScenario `json:"scenarios"`
}

type corpusState struct {
	Roles       []RoleDefinition    `json:"roles"`
	Assignments []corpusAssignment  `json:"assignments"`
	Groups      map[string][]string `json:"groups"`
	Denies      []corpusDeny        `json:"denies"`
	Parents     map[string]string   `json:"parents"`
}

type corpusScenario struct {
	Name string `json:"name"`
	corpusState
	Checks []corpusCheck `json:"checks"`
}

type corpusAssignment struct {
	Name          string `json:"name"`
	Scope         string `json:"scope"`
	Role          string `json:"role"` // GUID, name or alias
	Principal     string `json:"principal"`
	PrincipalType string `json:"principalType"`
	Condition     string `json:"condition"`
}

type corpusDeny struct {
	Name                    string      `json:"name"`
	Scope                   string      `json:"scope"`
	Actions                 []string    `json:"actions"`
	NotActions              []string    `json:"notActions"`
	DataActions             []string    `json:"dataActions"`
	NotDataActions          []string    `json:"notDataActions"`
	Principals              []Principal `json:"principals"`
	ExcludePrincipals       []Principal `json:"excludePrincipals"`
	DoNotApplyToChildScopes bool        `json:"doNotApplyToChildScopes"`
	Condition               string      `json:"condition"`
}

type corpusCheck struct {
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

func expandCorpusVars(text string) string {
	return os.Expand(text, func(k string) string {
		if v, ok := corpusVars[k]; ok {
			return v
		}
		return "${" + k + "}" // left for the unknown-variable check
	})
}

func loadCorpus(t *testing.T) map[string]corpusFile {
	t.Helper()
	paths, err := filepath.Glob("testdata/corpus/*.yaml")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no corpus files: %v", err)
	}
	files := map[string]corpusFile{}
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		text := expandCorpusVars(string(raw))
		if i := strings.Index(text, "${"); i >= 0 {
			t.Fatalf("%s: unknown variable near %q", p, text[i:min(len(text), i+20)])
		}
		var f corpusFile
		if err := yaml.UnmarshalStrict([]byte(text), &f); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		files[filepath.Base(p)] = f
	}
	return files
}

func TestCorpus(t *testing.T) {
	files := loadCorpus(t)
	total, checks := 0, 0
	names := slices.Sorted(func(yield func(string) bool) {
		for k := range files {
			if !yield(k) {
				return
			}
		}
	})
	for _, file := range names {
		f := files[file]
		for i, sc := range f.Scenarios {
			total++
			checks += len(sc.Checks)
			t.Run(fmt.Sprintf("%s/%02d_%s", strings.TrimSuffix(file, ".yaml"), i, sc.Name), func(t *testing.T) {
				runScenario(t, file, f.Common, sc)
			})
		}
	}
	t.Logf("corpus: %d files, %d scenarios, %d checks", len(files), total, checks)
	if total < 150 {
		t.Errorf("corpus has %d scenarios, want at least 150", total)
	}
}

func runScenario(t *testing.T, file string, common corpusState, sc corpusScenario) {
	where := fmt.Sprintf("%s: scenario %q", file, sc.Name)
	if len(sc.Checks) == 0 {
		t.Fatalf("%s: no checks", where)
	}
	in, err := buildCorpusInput(common, sc.corpusState)
	if err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	snap, err := Compile(in)
	if err != nil {
		t.Fatalf("%s: Compile: %v", where, err)
	}
	for j, c := range sc.Checks {
		if msg := verifyCheck(snap, c); msg != "" {
			t.Errorf("%s check %d (%s %s at %s): %s", where, j, c.Principal, c.Action, c.Scope, msg)
		}
	}
}

func buildCorpusInput(common, st corpusState) (Input, error) {
	in := Input{GroupsOf: map[string][]string{}, Parents: map[string]string{}}
	for _, s := range []corpusState{common, st} {
		for _, r := range s.Roles {
			if r.Type == "" {
				r.Type = CustomRole
			}
			in.Roles = append(in.Roles, r)
		}
		for k, v := range s.Groups {
			in.GroupsOf[k] = append(in.GroupsOf[k], v...)
		}
		for k, v := range s.Parents {
			in.Parents[k] = v
		}
		for _, d := range s.Denies {
			in.Denies = append(in.Denies, DenyAssignment{
				ID: d.Scope + "/providers/Microsoft.Authorization/denyAssignments/" + d.Name, Name: d.Name, Scope: d.Scope,
				Permissions: []Permission{{Actions: d.Actions, NotActions: d.NotActions, DataActions: d.DataActions, NotDataActions: d.NotDataActions}},
				Principals:  d.Principals, ExcludePrincipals: d.ExcludePrincipals,
				DoNotApplyToChildScopes: d.DoNotApplyToChildScopes, Condition: d.Condition,
			})
		}
	}
	roles := append(BuiltinRoles(), in.Roles...)
	for _, s := range []corpusState{common, st} {
		for _, a := range s.Assignments {
			r := FindRole(roles, a.Role)
			if r == nil {
				return Input{}, fmt.Errorf("assignment %q: unknown role %q", a.Name, a.Role)
			}
			in.Assignments = append(in.Assignments, RoleAssignment{
				ID: a.Scope + "/providers/Microsoft.Authorization/roleAssignments/" + a.Name, Name: a.Name,
				Scope: a.Scope, RoleDefinitionID: "/subscriptions/x/providers/Microsoft.Authorization/roleDefinitions/" + r.ID,
				PrincipalID: a.Principal, PrincipalType: a.PrincipalType, Condition: a.Condition,
			})
		}
	}
	return in, nil
}

// verifyCheck returns "" when the decision matches the check.
func verifyCheck(snap *Snapshot, c corpusCheck) string {
	if c.Expect != "allow" && c.Expect != "deny" {
		return fmt.Sprintf("expect must be allow or deny, not %q", c.Expect)
	}
	if (c.Expect == "allow") != (c.GrantedBy != "") {
		return "grantedBy is required exactly when expect is allow"
	}
	d := snap.Decide(Request{PrincipalID: c.Principal, Action: c.Action, DataAction: c.DataAction, Scope: c.Scope,
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

func grantName(g *Grant) string {
	if g == nil {
		return "no grant"
	}
	return fmt.Sprintf("%q", g.Assignment.Name)
}

func denyName(d *DenyAssignment) string {
	if d == nil {
		return ""
	}
	return d.Name
}
