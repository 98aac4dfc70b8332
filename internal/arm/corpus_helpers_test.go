package arm_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/gatehouse/gatehouse/internal/rbac"
)

// The RBAC conformance corpus lives in internal/rbac/testdata/corpus and is
// loaded there by corpus_test.go (package rbac, so not importable here).
// These types and placeholders mirror that loader; a placeholder unknown
// here fails the load rather than being guessed.

const corpusDir = "../rbac/testdata/corpus"

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
		"RA_ROLE": "Microsoft.Authorization/roleAssignments:RoleDefinitionId", "RA_TYPE": "Microsoft.Authorization/roleAssignments:PrincipalType",
		"AI_USER_ID": roleAIUser, "OWNER_ID": roleOwner, "EVERYONE": rbac.EveryoneID,
	}
}()

type corpusFile struct {
	Common    corpusState      `json:"common"`
	Scenarios []corpusScenario `json:"scenarios"`
}

type corpusState struct {
	Roles       []rbac.RoleDefinition `json:"roles"`
	Assignments []corpusAssignment    `json:"assignments"`
	Groups      map[string][]string   `json:"groups"`
	Denies      []corpusDeny          `json:"denies"`
	Parents     map[string]string     `json:"parents"`
}

type corpusScenario struct {
	Name string `json:"name"`
	corpusState
	Checks []corpusCheck `json:"checks"`
}

type corpusAssignment struct {
	Name          string `json:"name"`
	Scope         string `json:"scope"`
	Role          string `json:"role"`
	Principal     string `json:"principal"`
	PrincipalType string `json:"principalType"`
	Condition     string `json:"condition"`
}

type corpusDeny struct {
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

type corpusCheck struct {
	Principal       string              `json:"principal"`
	Action          string              `json:"action"`
	DataAction      bool                `json:"dataAction"`
	Scope           string              `json:"scope"`
	RequestAttrs    map[string][]string `json:"requestAttrs"`
	ResourceAttrs   map[string][]string `json:"resourceAttrs"`
	Expect          string              `json:"expect"`
	GrantedBy       string              `json:"grantedBy"`
	ViaGroup        string              `json:"viaGroup"`
	DeniedBy        string              `json:"deniedBy"`
	ConditionFailed []string            `json:"conditionFailed"`
	ReasonContains  string              `json:"reasonContains"`
}

// merged is the file's common state followed by the scenario's own.
func (sc corpusScenario) merged(common corpusState) corpusState {
	out := corpusState{Groups: map[string][]string{}, Parents: map[string]string{}}
	for _, s := range []corpusState{common, sc.corpusState} {
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

// loadCorpus reads every corpus file, keyed by base name.
func loadCorpus(t *testing.T) map[string]corpusFile {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(corpusDir, "*.yaml"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no corpus files in %s: %v", corpusDir, err)
	}
	files := map[string]corpusFile{}
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		text := os.Expand(string(raw), func(k string) string {
			if v, ok := corpusVars[k]; ok {
				return v
			}
			return "${" + k + "}"
		})
		if i := strings.Index(text, "${"); i >= 0 {
			t.Fatalf("%s: unknown variable near %q (keep corpusVars in step with internal/rbac/corpus_test.go)", p, text[i:min(len(text), i+20)])
		}
		var f corpusFile
		if err := yaml.UnmarshalStrict([]byte(text), &f); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		files[filepath.Base(p)] = f
	}
	return files
}
