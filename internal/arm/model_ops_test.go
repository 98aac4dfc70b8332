package arm_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
)

// Operations of TestModelBased and their generator. An operation is fully
// concrete (paths spelled as sent, GUIDs chosen) so that a recorded
// sequence replays the same on a fresh server; principals are symbols
// ("a.p1", "b.g2") that the runner maps to object ids.

// Operation kinds.
const (
	opRGPut     = "rg.put"
	opRGDel     = "rg.delete"
	opAcctPut   = "account.put"
	opAcctDel   = "account.delete"
	opRolePut   = "role.put"
	opRoleDel   = "role.delete"
	opRoleGet   = "role.get"
	opRAPut     = "assignment.put"
	opRADel     = "assignment.delete"
	opRAGet     = "assignment.get"
	opMGPut     = "mg.put"
	opSubMove   = "subscription.move"
	opCheck     = "accessCheck"
	opRead      = "read"
	opListRA    = "list.assignments"
	opListRoles = "list.roles"
	opListRG    = "list.resourceGroups"
	opListMG    = "list.managementGroups"
	opListSubs  = "list.subscriptions"
)

// mop is one operation.
type mop struct {
	Kind  string
	Actor string // who sends it
	// Target, as spelled in the request.
	Sub, RG, Name string // resource groups and accounts; Name is also the MG, role GUID or assignment name
	Scope         string // assignments, accessCheck, read (the full path)
	Action        string // accessCheck
	Role          string // assignment.put: role GUID
	Principal     string // assignment.put: symbol
	Actions       []string
	NotActions    []string
	Scopes        []string // role.put: assignable scopes
	Parent        string   // mg.put: parent group name; subscription.move: the group
}

const (
	vMgmtModel = "2021-04-01"
	vSubsList  = "2022-12-01"
	raSeg      = "/providers/Microsoft.Authorization/roleAssignments/"
	rdSeg      = "/providers/Microsoft.Authorization/roleDefinitions/"
	mgSeg      = "/providers/Microsoft.Management/managementGroups/"
	acctSeg    = "/providers/Microsoft.CognitiveServices/accounts/"
)

// request is the HTTP form of o; "{{sym}}" in the body stands for the
// object id of principal sym.
func (o mop) request() (method, path, version, body string) {
	rgPath := "/subscriptions/" + o.Sub + "/resourceGroups/" + o.RG
	rdPath := rdSeg + o.Name
	if o.Sub != "" {
		rdPath = "/subscriptions/" + o.Sub + rdPath
	}
	switch o.Kind {
	case opRGPut:
		return "PUT", rgPath, vRes, `{"location":"eastus"}`
	case opRGDel:
		return "DELETE", rgPath, vRes, ""
	case opAcctPut:
		// Subdomains are global: one from the account's id (any case).
		sum := sha256.Sum256([]byte(strings.ToLower(o.Sub + "/" + o.RG + "/" + o.Name)))
		sub := "s" + hex.EncodeToString(sum[:10])
		b, _ := json.Marshal(map[string]any{"location": "eastus", "kind": "AIServices", "sku": map[string]any{"name": "S0"},
			"properties": map[string]any{"customSubDomainName": sub}})
		return "PUT", rgPath + acctSeg + o.Name, vCS, string(b)
	case opAcctDel:
		return "DELETE", rgPath + acctSeg + o.Name, vCS, ""
	case opRolePut:
		b, _ := json.Marshal(map[string]any{"properties": map[string]any{"roleName": "model-" + strings.ToLower(o.Name), "type": "CustomRole",
			"permissions": []any{map[string]any{"actions": nonNilStrings(o.Actions), "notActions": nonNilStrings(o.NotActions)}}, "assignableScopes": o.Scopes}})
		return "PUT", rdPath, vAuthz, string(b)
	case opRoleDel:
		return "DELETE", rdPath, vAuthz, ""
	case opRoleGet:
		return "GET", rdPath, vAuthz, ""
	case opRAPut:
		b, _ := json.Marshal(map[string]any{"properties": map[string]any{"roleDefinitionId": rdSeg + o.Role,
			"principalId": "{{" + o.Principal + "}}", "principalType": symKind(o.Principal)}})
		return "PUT", strings.TrimRight(o.Scope, "/") + raSeg + o.Name, vAuthz, string(b)
	case opRADel:
		return "DELETE", strings.TrimRight(o.Scope, "/") + raSeg + o.Name, vAuthz, ""
	case opRAGet:
		return "GET", strings.TrimRight(o.Scope, "/") + raSeg + o.Name, vAuthz, ""
	case opMGPut:
		return "PUT", mgSeg + o.Name, vMgmtModel, `{"properties":{"details":{"parent":{"id":"` + mgSeg + o.Parent + `"}}}}`
	case opSubMove:
		return "PUT", mgSeg + o.Parent + "/subscriptions/" + o.Sub, vMgmtModel, ""
	case opCheck:
		b, _ := json.Marshal(map[string]any{"action": o.Action, "scope": o.Scope})
		return "POST", "/providers/Gatehouse/accessCheck", vGatehouse, string(b)
	case opRead:
		if strings.Contains(strings.ToLower(o.Scope), "/providers/microsoft.cognitiveservices/") {
			return "GET", o.Scope, vCS, ""
		}
		return "GET", o.Scope, vRes, ""
	case opListRA:
		return "GET", raSeg[:len(raSeg)-1], vAuthz, ""
	case opListRoles:
		return "GET", rdSeg[:len(rdSeg)-1] + "?$filter=" + "type%20eq%20'CustomRole'%20and%20atScopeAndBelow()", vAuthz, ""
	case opListRG:
		return "GET", "/subscriptions/" + o.Sub + "/resourcegroups", vRes, ""
	case opListMG:
		return "GET", mgSeg[:len(mgSeg)-1], vMgmtModel, ""
	case opListSubs:
		return "GET", "/subscriptions", vSubsList, ""
	}
	panic("unknown op " + o.Kind)
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// symKind is the principalType of a symbol: groups are named g1, g2, …
func symKind(sym string) string {
	if _, n, _ := strings.Cut(sym, "."); strings.HasPrefix(n, "g") {
		return "Group"
	}
	return "ServicePrincipal"
}

func (o mop) String() string {
	m, p, _, b := o.request()
	s := fmt.Sprintf("%-20s %-8s (tenant %s) %s %s", o.Kind, o.Actor, o.Actor[:1], m, p)
	if b != "" {
		s += " " + b
	}
	return s
}

// gen draws operations from the model's current state.
type gen struct {
	r    *rand.Rand
	spec *modelSpec
	skip map[string]bool
}

type weighted struct {
	kind string
	w    int
}

var opWeights = []weighted{
	{opCheck, 26}, {opRead, 8}, {opRGPut, 7}, {opRGDel, 3}, {opAcctPut, 5}, {opAcctDel, 3},
	{opRolePut, 8}, {opRoleDel, 3}, {opRoleGet, 3}, {opRAPut, 16}, {opRADel, 6}, {opRAGet, 3},
	{opMGPut, 3}, {opSubMove, 4}, {opListRA, 1}, {opListRoles, 1}, {opListRG, 1}, {opListMG, 1}, {opListSubs, 1},
}

// Action vocabularies: what checks ask, and what custom roles and
// NotActions are made of (wildcards and odd case included).
var (
	checkActions = []string{
		"Microsoft.Resources/subscriptions/resourceGroups/read", "Microsoft.Resources/subscriptions/resourceGroups/write",
		"Microsoft.Resources/subscriptions/resourceGroups/delete", "Microsoft.CognitiveServices/accounts/read",
		"Microsoft.CognitiveServices/accounts/write", "Microsoft.CognitiveServices/accounts/delete",
		"Microsoft.CognitiveServices/accounts/listKeys/action", "Microsoft.Authorization/roleAssignments/write",
		"Microsoft.Authorization/roleAssignments/delete", "Microsoft.Authorization/roleDefinitions/write",
		"Microsoft.Management/managementGroups/write", "Microsoft.Management/managementGroups/subscriptions/write",
		"Microsoft.Support/supportTickets/read", "Microsoft.Resources/subscriptions/read",
	}
	roleActions = []string{
		"*", "*/read", "*/write", "Microsoft.Resources/*", "Microsoft.Resources/subscriptions/resourceGroups/*",
		"Microsoft.CognitiveServices/*", "Microsoft.CognitiveServices/accounts/*/action", "microsoft.cognitiveservices/ACCOUNTS/write",
		"Microsoft.Authorization/*", "Microsoft.Authorization/roleAssignments/*", "Microsoft.Authorization/*/write",
		"Microsoft.Authorization/roleDefinitions/write", "Microsoft.Management/*", "Microsoft.Management/managementGroups/*/write",
		"Microsoft.*/read",
	}
	roleNotActions = []string{
		"Microsoft.Authorization/*/write", "*/delete", "Microsoft.CognitiveServices/accounts/listKeys/action",
		"Microsoft.Resources/subscriptions/resourceGroups/delete", "microsoft.management/*",
	}
	rgNames   = []string{"rg1", "rg2", "rg3"}
	acctNames = []string{"acct1", "acct2"}
	extraMGs  = []string{"mg3", "mg4"}
)

func (g *gen) pick(list []string) string { return list[g.r.IntN(len(list))] }

// cross: operations may aim at the other tenant.
func (g *gen) cross() bool           { return true }
func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

// spell sometimes changes the case of a path or name: ARM ids are
// case-insensitive, and so must every comparison be.
func (g *gen) spell(s string) string {
	if !g.chance(0.3) {
		return s
	}
	b := []byte(s)
	for i, c := range b {
		if g.chance(0.3) {
			if 'a' <= c && c <= 'z' {
				b[i] = c - 32
			} else if 'A' <= c && c <= 'Z' {
				b[i] = c + 32
			}
		}
	}
	return string(b)
}

func (g *gen) guid() string {
	return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", g.r.Uint32(), g.r.IntN(1<<16), g.r.IntN(1<<12), g.r.IntN(1<<12), g.r.Uint64()&(1<<48-1))
}

// target is the tenant an operation aims at: mostly the actor's own.
func (g *gen) target(m *refModel, actor string) string {
	t := m.tenantOf(actor)
	if g.cross() && g.chance(0.3) {
		return m.other(t)
	}
	return t
}

// scopes a tenant offers: the root, its management groups (those that
// exist and a few that may not), its subscription, resource groups and
// accounts (existing or not).
func (g *gen) scopePool(m *refModel, t string, withRoot, withAccounts bool) []string {
	ten, ts := m.tenants[t], g.spec.tenant(t)
	var out []string
	if withRoot {
		out = append(out, "/")
	}
	mgs := slices.Clone(ts.mgNames())
	for n := range ten.mgParent {
		if !slices.Contains(mgs, n) {
			mgs = append(mgs, n)
		}
	}
	slices.Sort(mgs)
	for _, n := range mgs {
		out = append(out, mgSeg+n)
	}
	sub := "/subscriptions/" + ten.sub
	out = append(out, sub)
	for _, rg := range rgNames {
		out = append(out, sub+"/resourceGroups/"+rg)
		if withAccounts {
			for _, a := range acctNames {
				out = append(out, sub+"/resourceGroups/"+rg+acctSeg+a)
			}
		}
	}
	return out
}

func (g *gen) actor(m *refModel) string {
	t := "a"
	if g.chance(0.5) {
		t = "b"
	}
	if g.chance(0.1) {
		return t + ".admin"
	}
	return fmt.Sprintf("%s.p%d", t, 1+g.r.IntN(4))
}

// next draws an operation.
func (g *gen) next(m *refModel) mop {
	total := 0
	for _, w := range opWeights {
		if !g.skip[w.kind] {
			total += w.w
		}
	}
	n := g.r.IntN(total)
	kind := ""
	for _, w := range opWeights {
		if g.skip[w.kind] {
			continue
		}
		if n -= w.w; n < 0 {
			kind = w.kind
			break
		}
	}
	o := mop{Kind: kind, Actor: g.actor(m)}
	tt := g.target(m, o.Actor)
	ten := m.tenants[tt]
	switch kind {
	case opRGPut, opRGDel:
		o.Sub, o.RG = g.spell(ten.sub), g.spell(g.pick(rgNames))
	case opAcctPut, opAcctDel:
		o.Sub, o.RG, o.Name = g.spell(ten.sub), g.spell(g.pick(rgNames[:2])), g.spell(g.pick(acctNames))
	case opRolePut:
		o.Name = g.pick(g.spec.tenant(tt).customGUIDs)
		if g.chance(0.5) {
			o.Sub = g.spell(ten.sub)
		}
		for range 1 + g.r.IntN(3) {
			o.Actions = append(o.Actions, g.pick(roleActions))
		}
		if g.chance(0.4) {
			o.NotActions = []string{g.pick(roleNotActions)}
		}
		for range 1 + g.r.IntN(2) {
			st := tt
			if g.cross() && g.chance(0.15) {
				st = m.other(tt)
			}
			o.Scopes = append(o.Scopes, g.spell(g.pick(g.scopePool(m, st, false, false))))
		}
	case opRoleDel, opRoleGet:
		o.Name = g.spell(g.pick(g.spec.tenant(tt).customGUIDs))
		if g.chance(0.5) {
			o.Sub = g.spell(ten.sub)
		}
	case opRAPut:
		o.Scope, o.Name = g.spell(g.pick(g.scopePool(m, tt, true, true))), g.guid()
		roles := []string{}
		for _, b := range refBuiltins {
			roles = append(roles, b.guid, b.guid) // built-ins twice as often
		}
		o.Role = g.pick(append(roles, g.spec.tenant(tt).customGUIDs...))
		pt := m.tenantOf(o.Actor)
		if g.cross() && g.chance(0.15) {
			pt = m.other(pt)
		}
		o.Principal = g.pick(g.spec.tenant(pt).assignees())
	case opRADel, opRAGet:
		o.Scope, o.Name = g.pickAssignment(m, o.Actor)
	case opMGPut:
		o.Name = g.pick(append(slices.Clone(extraMGs), g.spec.tenant(tt).mgNames()...))
		o.Parent = g.pick(append(slices.Clone(extraMGs), g.spec.tenant(tt).mgNames()...))
	case opSubMove:
		o.Sub = g.spell(ten.sub)
		pt := m.tenantOf(o.Actor)
		if g.cross() && g.chance(0.3) {
			pt = m.other(pt)
		}
		o.Parent = g.pick(append(slices.Clone(extraMGs), g.spec.tenant(pt).mgNames()...))
	case opCheck:
		o.Action = g.spell(g.pick(checkActions))
		o.Scope = g.spell(g.pick(g.scopePool(m, tt, true, true)))
	case opRead:
		pool := g.scopePool(m, tt, false, true)
		o.Scope = g.spell(pool[slices.Index(pool, "/subscriptions/"+ten.sub)+1+g.r.IntN(len(rgNames)*(1+len(acctNames)))])
	case opListRA, opListRoles, opListRG, opListMG, opListSubs:
		o.Actor = m.tenantOf(o.Actor) + ".admin"
		o.Sub = m.tenants[m.tenantOf(o.Actor)].sub
	}
	return o
}

// pickAssignment chooses an assignment to delete or read: mostly an
// existing one (of either tenant, addressed by its scope as the owner
// spells it), sometimes a name that does not exist. Actors never delete
// their own tenant's administrator grant, which keeps the run useful.
func (g *gen) pickAssignment(m *refModel, actor string) (scope, name string) {
	var names []string
	for n, a := range m.assigns {
		if (n == g.spec.adminAssignment(a.tenant) && a.tenant == m.tenantOf(actor)) || (!g.cross() && a.tenant != m.tenantOf(actor)) {
			continue
		}
		names = append(names, n)
	}
	slices.Sort(names)
	if len(names) == 0 || g.chance(0.1) {
		return g.spell(g.pick(g.scopePool(m, m.tenantOf(actor), true, true))), g.guid()
	}
	a := m.assigns[g.pick(names)]
	return g.spell(a.scope), g.spell(a.name)
}
