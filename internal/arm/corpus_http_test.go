package arm_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/arm"
	"github.com/gatehouse/gatehouse/internal/armid"
	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/directory"
	"github.com/gatehouse/gatehouse/internal/rbac"
	"github.com/gatehouse/gatehouse/internal/rbac/rbaccorpus"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// TestCorpusHTTP runs a subset of the RBAC conformance corpus
// (internal/rbac/testdata/corpus) through the HTTP API instead of the
// engine: each scenario's state is built with the real APIs in a fresh
// gatehouse — principals as applications (service principals), users and
// groups in the directory; subscriptions and deny assignments through
// configuration; management groups, resource groups, accounts, projects,
// deployments, custom roles and role assignments with ARM PUTs by the
// administrator — and each check is asked through POST
// /providers/Gatehouse/accessCheck and, when the action is a control-plane
// ARM operation gatehouse serves, performed for real with the principal's
// own token (2xx for allow, 403 AuthorizationFailed for deny).
//
// The corpus names principals, groups and assignments symbolically; they
// are mapped to the real object ids and to GUID assignment names that sort
// like the corpus names (the engine breaks ties by assignment name), and
// grantedBy / viaGroup / deniedBy are mapped back before comparing.
func TestCorpusHTTP(t *testing.T) {
	files, err := rbaccorpus.Load("../rbac/testdata/corpus")
	if err != nil {
		t.Fatal(err)
	}
	var stats corpusHTTPStats
	perFile := map[string]int{}
	var skipped []string
	start := time.Now()
	t.Run("scenarios", func(t *testing.T) {
		for _, file := range corpusHTTPFiles {
			f, ok := files[file]
			if !ok {
				t.Errorf("corpus file %s is missing", file)
				continue
			}
			for i, sc := range f.Scenarios {
				key := file + "/" + sc.Name
				if why, ok := corpusHTTPExcluded[key]; ok {
					skipped = append(skipped, key+": "+why)
					continue
				}
				st := sc.Merged(f.Common)
				if why := httpIneligible(st, sc.Checks); why != "" {
					skipped = append(skipped, key+": "+why)
					continue
				}
				perFile[file]++
				stats.scenarios.Add(1)
				t.Run(fmt.Sprintf("%s/%02d_%s", strings.TrimSuffix(file, ".yaml"), i, sc.Name), func(t *testing.T) {
					t.Parallel()
					runHTTPScenario(t, fmt.Sprintf("%s: scenario %q", file, sc.Name), st, sc.Checks, &stats)
				})
			}
		}
		for key := range corpusHTTPExcluded {
			file, name, _ := strings.Cut(key, "/")
			if !slices.ContainsFunc(files[file].Scenarios, func(s rbaccorpus.Scenario) bool { return s.Name == name }) {
				t.Errorf("corpusHTTPExcluded names %q, which is not in the corpus", key)
			}
		}
	})
	t.Logf("corpus over HTTP: %d scenarios (%v), %d accessCheck calls, %d real ARM calls, in %v",
		stats.scenarios.Load(), perFile, stats.checks.Load(), stats.real.Load(), time.Since(start).Round(time.Millisecond))
	for _, s := range skipped {
		t.Logf("not run over HTTP: %s", s)
	}
	if n := stats.scenarios.Load(); n < 40 {
		t.Errorf("only %d corpus scenarios ran over HTTP, want at least 40", n)
	}
	if n := stats.real.Load(); n < 100 {
		t.Errorf("only %d checks were also performed as real ARM calls, want at least 100", n)
	}
}

type corpusHTTPStats struct{ scenarios, checks, real atomic.Int64 }

// corpusHTTPFiles are the corpus files run over HTTP; within them every
// scenario runs unless excluded below or ineligible (httpIneligible). The
// builtin-data-* files hold only data actions, which no ARM call performs;
// the engine runs them (internal/rbac TestCorpus).
var corpusHTTPFiles = []string{
	"builtin-control.yaml", "builtin-authorization.yaml", "inheritance.yaml", "groups.yaml",
	"custom-roles.yaml", "notactions.yaml", "denies.yaml", "delegation.yaml", "grant-selection.yaml",
	"case-insensitivity.yaml", "aliases.yaml", "planes.yaml", "assignment-conditions.yaml",
}

// corpusHTTPExcluded are scenarios whose state Azure's APIs do not let
// anyone build (httpIneligible finds the other kinds by looking).
var corpusHTTPExcluded = map[string]string{
	"denies.yaml/an Everyone entry needs the all-zero id": "a deny assignment made through configuration names real principals or Everyone",
	// ARM refuses a second assignment of one role to one principal at one
	// scope (409 RoleAssignmentExists), as Azure does.
	"grant-selection.yaml/lowest name among direct assignments":                     "two identical assignments (RoleAssignmentExists)",
	"grant-selection.yaml/assignment names compare case-insensitively for ordering": "two identical assignments (RoleAssignmentExists)",
}

// httpIneligible says why a scenario cannot run over HTTP ("" if it can).
func httpIneligible(st rbaccorpus.State, checks []rbaccorpus.Check) string {
	for _, c := range checks {
		if len(c.RequestAttrs)+len(c.ResourceAttrs) > 0 {
			return "request/resource attributes cannot be passed to accessCheck"
		}
	}
	for _, a := range st.Assignments {
		if !creatableScope(a.Scope) {
			return fmt.Sprintf("assignment %s is at scope %s, which the API cannot create", a.Name, a.Scope)
		}
	}
	for _, d := range st.Denies {
		if d.Condition != "" {
			return "configuration has no deny assignment conditions"
		}
	}
	if mgCycle(st.Parents) {
		return "the management-group parents form a cycle, which Azure refuses"
	}
	return ""
}

// Resource types gatehouse's ARM creates, and how.
const (
	typeAccount    = "Microsoft.CognitiveServices/accounts"
	typeProject    = "Microsoft.CognitiveServices/accounts/projects"
	typeDeployment = "Microsoft.CognitiveServices/accounts/deployments"
	typeMG         = armid.ManagementGroupType
	vMgmt          = "2021-04-01"
	vGatehouse     = "2025-01-01"
)

func creatableScope(scope string) bool {
	id, err := armid.Parse(scope)
	if err != nil {
		return false
	}
	if id.Parent == nil { // the root
		return true
	}
	for _, t := range []string{armid.SubscriptionType, armid.ResourceGroupType, typeMG, typeAccount, typeProject, typeDeployment} {
		if strings.EqualFold(id.ResourceType, t) {
			return true
		}
	}
	return false
}

func scopeKey(s string) string {
	if s = strings.ToLower(strings.TrimRight(s, "/")); s == "" {
		return "/"
	}
	return s
}

func isType(id *armid.ID, typ string) bool {
	return id != nil && strings.EqualFold(id.ResourceType, typ)
}

// mgCycle reports whether the management-group parents form a cycle
// (which ARM should refuse, as Azure does).
func mgCycle(parents map[string]string) bool {
	parentOf := map[string]string{}
	for child, p := range parents {
		if id, err := armid.Parse(child); err == nil && isType(id, typeMG) {
			parentOf[scopeKey(child)] = scopeKey(p)
		}
	}
	for start := range parentOf {
		seen := map[string]bool{}
		for at := start; at != ""; at = parentOf[at] {
			if seen[at] {
				return true
			}
			seen[at] = true
		}
	}
	return false
}

// corpusWorld is one scenario built in its own gatehouse.
type corpusWorld struct {
	*world
	where string
	st    rbaccorpus.State

	ids      map[string]string // lower-case symbol → object id
	kinds    map[string]string // lower-case symbol → User, Group or ServicePrincipal
	symOf    map[string]string // object id → symbol
	tokens   map[string]string // lower-case symbol → ARM token (service principals)
	target   *principal        // receives the role assignments real writes make
	raGUID   map[string]string // corpus assignment name → GUID name
	raName   map[string]string // GUID name → corpus assignment name
	denyGUID map[string]string
	denyName map[string]string
	roles    []rbac.RoleDefinition // built-in and the scenario's custom roles
	custom   []rbac.RoleDefinition
	mgs      []string          // management group ids in creation order
	mgParent map[string]string // scopeKey(mg) → parent id as spelled
	subMoves [][2]string       // subscription id, parent management group id
	subs     []string          // subscription GUIDs
	scopes   []string          // RGs, accounts, projects, deployments in creation order
}

func runHTTPScenario(t *testing.T, where string, st rbaccorpus.State, checks []rbaccorpus.Check, stats *corpusHTTPStats) {
	e := testenv.New(t)
	cw := &corpusWorld{world: &world{env: e, admin: e.AppToken(t, e.Admin, armScope), sub: e.Server.Bootstrap().SubscriptionID},
		where: where, st: st}
	cw.plan(t, checks)
	cw.principals(t, checks)
	cw.apply(t)

	for j, c := range checks {
		stats.checks.Add(1)
		if msg := cw.accessCheck(t, c); msg != "" {
			t.Errorf("%s check %d (%s %s at %s) via accessCheck: %s", where, j, c.Principal, c.Action, c.Scope, msg)
		}
	}
	// Real calls after every accessCheck (they may change state); the
	// destructive ones last, rebuilding the scenario between them.
	var order, destructive []int
	calls := make([]*realARMCall, len(checks))
	for j, c := range checks {
		if calls[j] = cw.realCall(c); calls[j] == nil {
			continue
		}
		if calls[j].destructive {
			destructive = append(destructive, j)
		} else {
			order = append(order, j)
		}
	}
	order = append(order, destructive...)
	for n, j := range order {
		c, rc := checks[j], calls[j]
		stats.real.Add(1)
		ok, msg := cw.perform(t, c, rc)
		if msg != "" {
			t.Errorf("%s check %d (%s %s at %s) via %s %s: %s", where, j, c.Principal, c.Action, c.Scope, rc.method, rc.path, msg)
		}
		if rc.destructive && ok && n < len(order)-1 {
			cw.apply(t) // put back what the delete took
		}
	}
}

// plan works out the resources, management groups and names to create.
func (cw *corpusWorld) plan(t *testing.T, checks []rbaccorpus.Check) {
	st := cw.st
	v := rbaccorpus.Vars
	all := []string{v["SUB"], v["SUB2"], v["RG"], v["RG2"], v["ACCT"], v["ACCT2"], v["DEP"], v["PROJ"]}
	for _, a := range st.Assignments {
		all = append(all, a.Scope)
	}
	for _, d := range st.Denies {
		all = append(all, d.Scope)
	}
	for _, c := range checks {
		all = append(all, c.Scope)
	}
	for k, p := range st.Parents {
		all = append(all, k, p)
	}
	seen := map[string]bool{}
	mgSpelled := map[string]string{}
	var mgNames []string
	for _, s := range all {
		id, err := armid.Parse(s)
		if err != nil {
			continue // a scope only accessCheck sees
		}
		for _, a := range append(id.Ancestors(), id) {
			k := scopeKey(a.String())
			if seen[k] {
				continue
			}
			switch {
			case isType(a, armid.SubscriptionType):
				cw.subs = append(cw.subs, strings.ToLower(a.SubscriptionID))
			case isType(a, typeMG):
				mgSpelled[k] = a.String()
				mgNames = append(mgNames, k)
			case isType(a, armid.ResourceGroupType), isType(a, typeAccount), isType(a, typeProject), isType(a, typeDeployment):
				cw.scopes = append(cw.scopes, a.String())
			default:
				continue
			}
			seen[k] = true
		}
	}
	// Management groups: parents first (a cycle was ruled out).
	cw.mgParent = map[string]string{}
	for k, p := range st.Parents {
		if scopeKey(p) == "/" {
			continue // under the root: nothing to record
		}
		id, err := armid.Parse(k)
		if err != nil {
			t.Fatalf("%s: parents: %v", cw.where, err)
		}
		if isType(id, armid.SubscriptionType) {
			cw.subMoves = append(cw.subMoves, [2]string{id.SubscriptionID, p})
		} else {
			cw.mgParent[scopeKey(k)] = p
		}
	}
	placed := map[string]bool{}
	for n := 0; len(cw.mgs) < len(mgNames); n++ {
		if n > len(mgNames) {
			t.Fatalf("%s: cannot order the management groups %v", cw.where, mgNames)
		}
		for _, k := range mgNames {
			if p := cw.mgParent[k]; !placed[k] && (p == "" || placed[scopeKey(p)]) {
				cw.mgs, placed[k] = append(cw.mgs, mgSpelled[k]), true
			}
		}
	}
	// GUID names that sort like the corpus names (case-insensitively, as
	// the engine orders assignments and denies).
	var raNames, denyNames []string
	for _, a := range st.Assignments {
		raNames = append(raNames, a.Name)
	}
	for _, d := range st.Denies {
		denyNames = append(denyNames, d.Name)
	}
	cw.raGUID, cw.raName = sortedGUIDs("aaaaaaaa", raNames)
	cw.denyGUID, cw.denyName = sortedGUIDs("dddddddd", denyNames)
	// Custom roles: the GUID of their id; "/" is not an assignable scope a
	// custom role may have (ARM refuses it), and assignable scopes do not
	// change decisions, so it becomes the corpus subscription.
	for _, r := range st.Roles {
		r.ID = strings.ToLower(r.ID[strings.LastIndexByte(r.ID, '/')+1:])
		r.Type = rbac.CustomRole
		scopes := make([]string, 0, len(r.AssignableScopes))
		for _, s := range r.AssignableScopes {
			if scopeKey(s) == "/" {
				s = v["SUB"]
			}
			scopes = append(scopes, s)
		}
		r.AssignableScopes = scopes
		cw.custom = append(cw.custom, r)
	}
	cw.roles = append(rbac.BuiltinRoles(), cw.custom...)
}

func sortedGUIDs(prefix string, names []string) (guid, name map[string]string) {
	list := slices.Clone(names)
	slices.SortStableFunc(list, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	guid, name = map[string]string{}, map[string]string{}
	for i, n := range list {
		if _, dup := guid[n]; dup {
			continue
		}
		g := fmt.Sprintf("%s-0000-4000-8000-%012x", prefix, i+1)
		guid[n], name[g] = g, n
	}
	return guid, name
}

// principals creates the scenario's principals: groups (the symbols the
// corpus uses as groups), users for the principals it names by object id
// (the ids are kept), applications with service principals for the rest.
func (cw *corpusWorld) principals(t *testing.T, checks []rbaccorpus.Check) {
	st := cw.st
	isGroup := map[string]bool{}
	var order []string
	note := func(sym string) {
		k := strings.ToLower(sym)
		if k == "" || k == rbac.EveryoneID || slices.Contains(order, k) {
			return
		}
		order = append(order, k)
	}
	for member, groups := range st.Groups {
		note(member)
		for _, g := range groups {
			note(g)
			isGroup[strings.ToLower(g)] = true
		}
	}
	for _, a := range st.Assignments {
		note(a.Principal)
		if a.PrincipalType == "Group" {
			isGroup[strings.ToLower(a.Principal)] = true
		}
	}
	for _, d := range st.Denies {
		for _, p := range append(slices.Clone(d.Principals), d.ExcludePrincipals...) {
			note(p.ID)
			if p.Type == "Group" {
				isGroup[strings.ToLower(p.ID)] = true
			}
		}
	}
	for _, c := range checks {
		note(c.Principal)
		if c.ViaGroup != "" {
			note(c.ViaGroup)
			isGroup[strings.ToLower(c.ViaGroup)] = true
		}
	}
	sort.Strings(order)
	cw.ids, cw.kinds, cw.symOf, cw.tokens = map[string]string{}, map[string]string{}, map[string]string{}, map[string]string{}
	for _, k := range order {
		if isGroup[k] || directory.IsGUID(k) {
			continue
		}
		p := cw.newPrincipal(t, "corpus-"+k)
		cw.ids[k], cw.kinds[k], cw.tokens[k] = p.oid, "ServicePrincipal", p.token
	}
	cw.target = cw.newPrincipal(t, "corpus-assignee")
	cw.env.Update(t, func(ctx context.Context, tx *directory.Tx) error {
		for _, k := range order {
			var err error
			switch {
			case isGroup[k]:
				var g *directory.Group
				in := directory.NewGroup{DisplayName: "corpus-" + k}
				if directory.IsGUID(k) {
					in.ID = k
				}
				g, err = tx.CreateGroup(ctx, cw.env.Tenant, in)
				if g != nil {
					cw.ids[k], cw.kinds[k] = g.ID, "Group"
				}
			case directory.IsGUID(k):
				var u *directory.User
				u, err = tx.CreateUser(ctx, cw.env.Tenant, directory.NewUser{ID: k, UserPrincipalName: "u" + k[:8] + "@" + cw.env.Domain, DisplayName: "corpus " + k})
				if u != nil {
					cw.ids[k], cw.kinds[k] = u.ID, "User"
				}
			}
			if err != nil {
				return fmt.Errorf("principal %s: %w", k, err)
			}
		}
		for member, groups := range st.Groups {
			for _, g := range groups {
				if err := tx.AddMember(ctx, cw.ids[strings.ToLower(g)], cw.ids[strings.ToLower(member)]); err != nil {
					return fmt.Errorf("%s member of %s: %w", member, g, err)
				}
			}
		}
		return nil
	})
	for k, id := range cw.ids {
		cw.symOf[strings.ToLower(id)] = k
	}
}

// id is the object id of a corpus principal; one the corpus names by GUID
// keeps the corpus's spelling (case).
func (cw *corpusWorld) id(t *testing.T, sym string) string {
	if directory.IsGUID(sym) {
		return sym
	}
	id, ok := cw.ids[strings.ToLower(sym)]
	if !ok {
		t.Fatalf("%s: no principal %q", cw.where, sym)
	}
	return id
}

// apply builds (or rebuilds: every step is idempotent) the scenario's
// state through the APIs.
func (cw *corpusWorld) apply(t *testing.T) {
	ctx := context.Background()
	subs := []config.Subscription{}
	for _, s := range cw.subs {
		subs = append(subs, config.Subscription{ID: s, DisplayName: "corpus " + s[:8]})
	}
	if _, err := config.Apply(ctx, cw.env.Directory(), &config.File{Tenants: []config.Tenant{{ID: cw.env.Tenant, Domain: cw.env.Domain, Subscriptions: subs}}}); err != nil {
		t.Fatalf("%s: configuration (subscriptions): %v", cw.where, err)
	}
	cw.setup(t, "management groups", func() {
		for _, mg := range cw.mgs {
			body := map[string]any{"properties": map[string]any{}}
			if p := cw.mgParent[scopeKey(mg)]; p != "" {
				body["properties"] = map[string]any{"details": map[string]any{"parent": map[string]any{"id": p}}}
			}
			cw.admPut(t, mg, vMgmt, body)
		}
		for _, m := range cw.subMoves {
			cw.admPut(t, strings.TrimRight(m[1], "/")+"/subscriptions/"+m[0], vMgmt, nil)
		}
	})
	cw.setup(t, "resources", func() {
		for _, s := range cw.scopes {
			id := armid.MustParse(s)
			switch {
			case isType(id, armid.ResourceGroupType):
				cw.admPut(t, s, vRes, map[string]any{"location": "eastus"})
			default:
				cw.admPut(t, s, vCS, resourceBody(id))
			}
		}
	})
	cw.setup(t, "custom roles", func() {
		for _, r := range cw.custom {
			cw.admPut(t, rbaccorpus.Vars["SUB"]+"/providers/Microsoft.Authorization/roleDefinitions/"+r.ID, vAuthz, map[string]any{
				"properties": map[string]any{"roleName": r.RoleName, "description": r.Description, "type": "CustomRole",
					"permissions": r.Permissions, "assignableScopes": r.AssignableScopes}})
		}
	})
	cw.setup(t, "role assignments", func() {
		for _, a := range cw.st.Assignments {
			r := rbac.FindRole(cw.roles, a.Role)
			if r == nil {
				t.Fatalf("%s: assignment %s: unknown role %q", cw.where, a.Name, a.Role)
			}
			props := map[string]any{"roleDefinitionId": "/providers/Microsoft.Authorization/roleDefinitions/" + r.ID,
				"principalId": cw.id(t, a.Principal), "principalType": cw.kinds[strings.ToLower(a.Principal)]}
			if a.Condition != "" {
				props["condition"], props["conditionVersion"] = a.Condition, "2.0"
			}
			cw.admPut(t, raPath(a.Scope, cw.raGUID[a.Name]), vAuthz, map[string]any{"properties": props})
		}
	})
	var denies []config.DenyAssignment
	for _, d := range cw.st.Denies {
		names := func(ps []rbac.Principal) []string {
			var out []string
			for _, p := range ps {
				if p.ID == rbac.EveryoneID {
					out = append(out, "Everyone")
				} else {
					out = append(out, cw.id(t, p.ID))
				}
			}
			return out
		}
		denies = append(denies, config.DenyAssignment{Name: cw.denyGUID[d.Name], Scope: d.Scope, Description: "corpus " + d.Name,
			Actions: d.Actions, NotActions: d.NotActions, DataActions: d.DataActions, NotDataActions: d.NotDataActions,
			Principals: names(d.Principals), ExcludePrincipals: names(d.ExcludePrincipals), DoNotApplyToChildScopes: d.DoNotApplyToChildScopes})
	}
	if len(denies) > 0 {
		if _, err := config.Apply(ctx, cw.env.Directory(), &config.File{Tenants: []config.Tenant{{ID: cw.env.Tenant, Domain: cw.env.Domain, DenyAssignments: denies}}}); err != nil {
			t.Fatalf("%s: configuration (deny assignments): %v", cw.where, err)
		}
	}
}

func (cw *corpusWorld) setup(t *testing.T, what string, fn func()) {
	t.Helper()
	fn()
	if t.Failed() {
		t.Fatalf("%s: building the %s through ARM failed", cw.where, what)
	}
}

func (cw *corpusWorld) admPut(t *testing.T, path, version string, body any) {
	t.Helper()
	b := ""
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		b = string(raw)
	}
	if status, m, _ := cw.do(t, cw.admin, "PUT", path, version, b); status >= 300 {
		t.Errorf("%s: set-up PUT %s: %d %v", cw.where, path, status, m)
	}
}

func raPath(scope, name string) string {
	return strings.TrimRight(scope, "/") + "/providers/Microsoft.Authorization/roleAssignments/" + name
}

// resourceBody is what the administrator (and a real write) PUTs.
func resourceBody(id *armid.ID) map[string]any {
	switch {
	case isType(id, typeAccount):
		sum := sha256.Sum256([]byte(scopeKey(id.String())))
		return map[string]any{"location": "eastus", "kind": "AIServices", "sku": map[string]any{"name": "S0"},
			"properties": map[string]any{"allowProjectManagement": true, "customSubDomainName": "c" + hex.EncodeToString(sum[:8])}}
	case isType(id, typeProject):
		return map[string]any{"location": "eastus", "properties": map[string]any{}}
	case isType(id, typeDeployment):
		return map[string]any{"sku": map[string]any{"name": "Standard", "capacity": 10},
			"properties": map[string]any{"model": map[string]any{"format": "OpenAI", "name": "gpt-4o", "version": "2024-08-06"}}}
	case isType(id, armid.ResourceGroupType):
		return map[string]any{"location": "eastus"}
	}
	return nil
}

type accessResult struct {
	Allowed     bool   `json:"allowed"`
	Explanation string `json:"explanation"`
	GrantedBy   *struct {
		RoleAssignmentID string `json:"roleAssignmentId"`
		ViaGroup         string `json:"viaGroup"`
	} `json:"grantedBy"`
	DeniedBy        string `json:"deniedByDenyAssignment"`
	ConditionFailed []struct {
		RoleAssignmentID string `json:"roleAssignmentId"`
	} `json:"conditionNotFulfilled"`
}

// accessCheck asks the check through POST /providers/Gatehouse/accessCheck
// with the administrator's token; "" when the answer matches.
func (cw *corpusWorld) accessCheck(t *testing.T, c rbaccorpus.Check) string {
	body, _ := json.Marshal(map[string]any{"principalId": cw.id(t, c.Principal), "action": c.Action, "dataAction": c.DataAction, "scope": c.Scope})
	req, err := http.NewRequest("POST", cw.env.URL+"/providers/Gatehouse/accessCheck?api-version="+vGatehouse, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+cw.admin)
	req.Header.Set("Content-Type", "application/json")
	status, _, raw := cw.env.Do(t, req)
	if status != 200 {
		return fmt.Sprintf("accessCheck answered %d: %s", status, raw)
	}
	var r accessResult
	if err := json.Unmarshal(raw, &r); err != nil {
		return fmt.Sprintf("accessCheck answer does not decode: %v: %s", err, raw)
	}
	var errs []string
	if r.Allowed != (c.Expect == "allow") {
		errs = append(errs, fmt.Sprintf("got allowed=%v, want %s (explanation: %s)", r.Allowed, c.Expect, r.Explanation))
	}
	if c.GrantedBy != "" {
		got := "no grant"
		if r.GrantedBy != nil {
			got = cw.assignmentName(r.GrantedBy.RoleAssignmentID)
		}
		if got != c.GrantedBy {
			errs = append(errs, fmt.Sprintf("want grantedBy %q, got %q", c.GrantedBy, got))
		}
	}
	if c.Expect == "allow" && r.GrantedBy != nil {
		if got := cw.groupName(r.GrantedBy.ViaGroup); !strings.EqualFold(got, c.ViaGroup) {
			errs = append(errs, fmt.Sprintf("want viaGroup %q, got %q", c.ViaGroup, got))
		}
	}
	gotDeny := r.DeniedBy
	if n, ok := cw.denyName[strings.ToLower(gotDeny)]; ok {
		gotDeny = n
	}
	if gotDeny != c.DeniedBy {
		errs = append(errs, fmt.Sprintf("want deniedBy %q, got %q", c.DeniedBy, gotDeny))
	}
	if c.ConditionFailed != nil {
		got := []string{}
		for _, g := range r.ConditionFailed {
			got = append(got, cw.assignmentName(g.RoleAssignmentID))
		}
		if !slices.Equal(got, c.ConditionFailed) && !(len(got) == 0 && len(c.ConditionFailed) == 0) {
			errs = append(errs, fmt.Sprintf("want conditionFailed %q, got %q", c.ConditionFailed, got))
		}
	}
	if want := cw.realReason(c.ReasonContains); want != "" && !strings.Contains(r.Explanation, want) {
		errs = append(errs, fmt.Sprintf("explanation %q lacks %q", r.Explanation, want))
	}
	return strings.Join(errs, "; ")
}

// assignmentName maps a role assignment id back to the corpus name.
func (cw *corpusWorld) assignmentName(id string) string {
	g := strings.ToLower(id[strings.LastIndexByte(id, '/')+1:])
	if n, ok := cw.raName[g]; ok {
		return n
	}
	return id
}

func (cw *corpusWorld) groupName(id string) string {
	if id == "" {
		return ""
	}
	if s, ok := cw.symOf[strings.ToLower(id)]; ok {
		return s
	}
	return id
}

// realReason puts the real names of deny assignments into an expected
// explanation fragment.
func (cw *corpusWorld) realReason(s string) string {
	for n, g := range cw.denyGUID {
		s = strings.ReplaceAll(s, "'"+n+"'", "'"+g+"'")
	}
	return s
}

// realARMCall is the ARM request that performs a check's action.
type realARMCall struct {
	method, path, version, body string
	destructive                 bool
	prepare, cleanup            func(t *testing.T) // before and after the call
}

// realCall maps a check to the ARM operation that needs exactly its action
// at its scope, or nil: data actions, principals without a token (users,
// groups), and actions or scopes gatehouse's ARM does not serve.
func (cw *corpusWorld) realCall(c rbaccorpus.Check) *realARMCall {
	if c.DataAction || cw.tokens[strings.ToLower(c.Principal)] == "" {
		return nil
	}
	id, err := armid.Parse(c.Scope)
	if err != nil {
		return nil
	}
	path := strings.TrimRight(c.Scope, "/")
	action := strings.ToLower(c.Action)
	item := func(method, version string, body any) *realARMCall {
		rc := &realARMCall{method: method, path: path, version: version, destructive: method == "DELETE"}
		if body != nil {
			b, _ := json.Marshal(body)
			rc.body = string(b)
		}
		return rc
	}
	cs := strings.ToLower(typeAccount)
	for _, typ := range []string{typeAccount, typeProject, typeDeployment} {
		if !isType(id, typ) {
			continue
		}
		switch action {
		case strings.ToLower(typ) + "/read":
			return item("GET", vCS, nil)
		case strings.ToLower(typ) + "/write":
			return item("PUT", vCS, resourceBody(id))
		case strings.ToLower(typ) + "/delete":
			return item("DELETE", vCS, nil)
		}
	}
	switch {
	case isType(id, typeAccount) && action == cs+"/listkeys/action":
		return &realARMCall{method: "POST", path: path + "/listKeys", version: vCS}
	case isType(id, typeAccount) && action == cs+"/regeneratekey/action":
		return &realARMCall{method: "POST", path: path + "/regenerateKey", version: vCS, body: `{"keyName":"Key2"}`}
	case isType(id, armid.ResourceGroupType) && strings.HasPrefix(action, "microsoft.resources/subscriptions/resourcegroups/"):
		switch strings.TrimPrefix(action, "microsoft.resources/subscriptions/resourcegroups/") {
		case "read":
			return item("GET", vRes, nil)
		case "write":
			return item("PUT", vRes, resourceBody(id))
		case "delete":
			return item("DELETE", vRes, nil)
		}
	case isType(id, armid.SubscriptionType) && action == "microsoft.resources/subscriptions/read":
		return item("GET", vRes, nil)
	case isType(id, typeMG) && action == "microsoft.management/managementgroups/read":
		return item("GET", vMgmt, nil)
	case isType(id, typeMG) && action == "microsoft.management/managementgroups/write":
		body := map[string]any{"properties": map[string]any{}}
		if p := cw.mgParent[scopeKey(c.Scope)]; p != "" {
			body["properties"] = map[string]any{"details": map[string]any{"parent": map[string]any{"id": p}}}
		}
		return item("PUT", vMgmt, body)
	case action == "microsoft.cognitiveservices/locations/usages/read" && isType(id, "Microsoft.CognitiveServices/locations"):
		return &realARMCall{method: "GET", path: path + "/usages", version: vCS}
	}
	if !strings.HasPrefix(action, "microsoft.authorization/") {
		return nil
	}
	// Role assignments and definitions, at a scope the API can hold them.
	if isType(id, "Microsoft.Authorization/roleAssignments") && action == "microsoft.authorization/roleassignments/delete" {
		return cw.deleteAssignment(scopeOf(id), id.Name)
	}
	if !creatableScope(c.Scope) {
		return nil
	}
	switch action {
	case "microsoft.authorization/roleassignments/read":
		return &realARMCall{method: "GET", path: strings.TrimRight(c.Scope, "/") + "/providers/Microsoft.Authorization/roleAssignments", version: vAuthz}
	// roleDefinitions/read has no real call: reading role definitions
	// needs no role assignment (as in Azure), so the GET does not decide it.
	case "microsoft.authorization/roleassignments/write":
		// Owner for an unrelated service principal: whatever condition
		// constrains the write sees Owner, as the corpus check (which
		// carries no attributes) sees nothing allowed.
		name := directory.NewID()
		body, _ := json.Marshal(map[string]any{"properties": map[string]any{
			"roleDefinitionId": "/providers/Microsoft.Authorization/roleDefinitions/" + roleOwner,
			"principalId":      cw.target.oid, "principalType": "ServicePrincipal"}})
		return &realARMCall{method: "PUT", path: raPath(c.Scope, name), version: vAuthz, body: string(body),
			cleanup: func(t *testing.T) { cw.dropAssignment(t, name) }}
	case "microsoft.authorization/roleassignments/delete":
		return cw.deleteAssignment(c.Scope, directory.NewID())
	}
	return nil
}

// scopeOf is the scope an extension resource (a role assignment) is at.
func scopeOf(id *armid.ID) string {
	if s := id.Scope(); s != nil && s.Parent != nil {
		return s.String()
	}
	return "/"
}

// deleteAssignment is a real DELETE of an Owner assignment of the target
// principal at scope, which the test first writes straight to the store
// (so that no deny assignment of the scenario stands in the set-up's way).
func (cw *corpusWorld) deleteAssignment(scope, name string) *realARMCall {
	return &realARMCall{method: "DELETE", path: raPath(scope, name), version: vAuthz,
		prepare: func(t *testing.T) {
			cw.env.Update(t, func(ctx context.Context, tx *directory.Tx) error {
				return arm.Assign(ctx, tx.Store(), cw.env.Tenant, scope, cw.target.oid, "ServicePrincipal", roleOwner, name)
			})
		},
		cleanup: func(t *testing.T) { cw.dropAssignment(t, name) }}
}

func (cw *corpusWorld) dropAssignment(t *testing.T, name string) {
	cw.env.Update(t, func(ctx context.Context, tx *directory.Tx) error {
		err := tx.Store().Delete(ctx, authz.KindRoleAssignment, authz.DocID(cw.env.Tenant, name))
		if store.IsNotFound(err) {
			return nil
		}
		return err
	})
}

// perform makes the real call with the principal's token and compares:
// 2xx for allow; for deny 403 AuthorizationFailed, naming the deny
// assignment or the ABAC condition when the corpus does.
func (cw *corpusWorld) perform(t *testing.T, c rbaccorpus.Check, rc *realARMCall) (bool, string) {
	if rc.prepare != nil {
		rc.prepare(t)
	}
	if rc.cleanup != nil {
		defer rc.cleanup(t)
	}
	status, m, _ := cw.do(t, cw.tokens[strings.ToLower(c.Principal)], rc.method, rc.path, rc.version, rc.body)
	ok := status >= 200 && status < 300
	code, msg := errCode(m)
	if c.Expect == "allow" {
		if !ok {
			return ok, fmt.Sprintf("got %d %s (%s), want 2xx", status, code, msg)
		}
		return ok, ""
	}
	if status != 403 || code != "AuthorizationFailed" {
		return ok, fmt.Sprintf("got %d %s (%s), want 403 AuthorizationFailed", status, code, msg)
	}
	if c.DeniedBy != "" {
		if got := adviceDeniedBy(m); !strings.EqualFold(got, cw.denyGUID[c.DeniedBy]) {
			return ok, fmt.Sprintf("advice names deny assignment %q, want %q (%s)", got, cw.denyGUID[c.DeniedBy], c.DeniedBy)
		}
	}
	if len(c.ConditionFailed) > 0 && !strings.Contains(msg, "ABAC condition not fulfilled") {
		return ok, fmt.Sprintf("message lacks the ABAC wording: %s", msg)
	}
	return ok, ""
}

func adviceDeniedBy(m map[string]any) string {
	e, _ := m["error"].(map[string]any)
	infos, _ := e["additionalInfo"].([]any)
	for _, i := range infos {
		ai, _ := i.(map[string]any)
		if ai["type"] == "GatehouseAccessAdvice" {
			info, _ := ai["info"].(map[string]any)
			s, _ := info["deniedBy"].(string)
			return s
		}
	}
	return ""
}
