package arm_test

import (
	"slices"
	"strings"
)

// The reference model of Azure RBAC and ARM writes for TestModelBased.
// It is written from Azure's documented rules (shared/reference/
// azure-rbac.md), not from internal/rbac: nothing here calls gatehouse's
// decision code. Every object belongs to one tenant; paths are resolved
// from the caller's tenant ("/" is its own root, a management group name
// is looked up in its own tenant first).

// refRole is a role definition: a built-in (assignable everywhere) or a
// tenant's custom role.
type refRole struct {
	guid, name          string
	builtin             bool
	actions, notActions []string
	scopes              []string // custom: assignable scopes, lower-case paths in the role's tenant
}

// Built-in roles used by the model, copied from builtin-roles.json (only
// their control-plane permissions matter here).
var refBuiltins = []*refRole{
	{guid: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", name: "Owner", builtin: true, actions: []string{"*"}},
	{guid: "b24988ac-6180-42a0-ab88-20f7382dd24c", name: "Contributor", builtin: true, actions: []string{"*"},
		notActions: []string{"Microsoft.Authorization/*/Delete", "Microsoft.Authorization/*/Write", "Microsoft.Authorization/elevateAccess/Action",
			"Microsoft.Blueprint/blueprintAssignments/write", "Microsoft.Blueprint/blueprintAssignments/delete", "Microsoft.Compute/galleries/share/action",
			"Microsoft.Purview/consents/write", "Microsoft.Purview/consents/delete", "Microsoft.Resources/deploymentStacks/manageDenySetting/action",
			"Microsoft.Subscription/cancel/action", "Microsoft.Subscription/enable/action"}},
	{guid: "acdd72a7-3385-48ef-bd42-f606fba81ae7", name: "Reader", builtin: true, actions: []string{"*/read"}},
	{guid: "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9", name: "User Access Administrator", builtin: true,
		actions: []string{"*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"}},
	{guid: "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd", name: "Cognitive Services OpenAI User", builtin: true,
		actions: []string{"Microsoft.CognitiveServices/*/read", "Microsoft.Authorization/roleAssignments/read", "Microsoft.Authorization/roleDefinitions/read"}},
}

func refBuiltin(guid string) *refRole {
	for _, r := range refBuiltins {
		if strings.EqualFold(r.guid, guid) || strings.EqualFold(r.name, guid) {
			return r
		}
	}
	return nil
}

type refAssign struct {
	name, tenant, scope, role, principal string // scope lower-case; principal a symbol
}

type refDeny struct {
	name, tenant, scope  string
	principals, excludes []string // symbols or "Everyone"
	actions, notActions  []string
	noChildren           bool
}

type refTenant struct {
	key      string            // "a" or "b"
	sub      string            // lower-case GUID
	mgParent map[string]string // management group name → parent name ("" = the root)
	subMG    string            // the subscription's parent ("" = the root)
	rgs      map[string]bool
	accounts map[string]bool // "rg/account"
	roles    map[string]*refRole
}

type refPrincipal struct {
	tenant, kind string // kind: ServicePrincipal or Group
}

type refModel struct {
	tenants    map[string]*refTenant
	principals map[string]refPrincipal
	memberOf   map[string][]string // symbol → groups it is a direct member of
	assigns    map[string]*refAssign
	denies     []*refDeny
}

func (m *refModel) other(t string) string {
	if t == "a" {
		return "b"
	}
	return "a"
}

// tenantOf is the tenant of a principal symbol ("a.p1" → "a").
func (m *refModel) tenantOf(sym string) string { return m.principals[sym].tenant }

const refMGPrefix = "/providers/microsoft.management/managementgroups/"

// resolve finds the tenant and canonical (lower-case) path of a scope as
// caller tenant ct spells it; ok is false for a path naming no tenant
// (an unknown subscription).
func (m *refModel) resolve(ct, path string) (tenant, key string, ok bool) {
	key = strings.ToLower(strings.TrimRight(path, "/"))
	if key == "" {
		return ct, "/", true
	}
	if rest, found := strings.CutPrefix(key, refMGPrefix); found {
		name, _, _ := strings.Cut(rest, "/")
		// A management group path always names the caller's own group
		// (present or not): another tenant's group of the same name is
		// another object that this path cannot reach.
		_ = name
		return ct, key, true
	}
	if rest, found := strings.CutPrefix(key, "/subscriptions/"); found {
		sub, _, _ := strings.Cut(rest, "/")
		for _, t := range m.tenants {
			if t.sub == sub {
				return t.key, key, true
			}
		}
	}
	return "", key, false
}

// ancestors lists key and every scope above it in tenant t, nearest
// first, ending with "/".
func (m *refModel) ancestors(t, key string) []string {
	ten := m.tenants[t]
	out := []string{key}
	mg := ""
	switch {
	case key == "/":
		return out
	case strings.HasPrefix(key, refMGPrefix):
		name, _, _ := strings.Cut(strings.TrimPrefix(key, refMGPrefix), "/")
		if key != refMGPrefix+name {
			out = append(out, refMGPrefix+name)
		}
		mg = ten.mgParent[name]
	case strings.HasPrefix(key, "/subscriptions/"):
		segs := strings.Split(strings.TrimPrefix(key, "/"), "/")
		for _, n := range []int{8, 4, 2} { // account, resource group, subscription
			if len(segs) > n {
				out = append(out, "/"+strings.Join(segs[:n], "/"))
			}
		}
		if segs[1] == ten.sub {
			mg = ten.subMG
		}
	}
	for hops := 0; mg != "" && hops < 32; hops++ {
		out = append(out, refMGPrefix+mg)
		mg = ten.mgParent[mg]
	}
	return append(out, "/")
}

// identities is the principal with every group it is in, transitively.
func (m *refModel) identities(sym string) []string {
	out := []string{sym}
	for i := 0; i < len(out); i++ {
		for _, g := range m.memberOf[out[i]] {
			if !slices.Contains(out, g) {
				out = append(out, g)
			}
		}
	}
	return out
}

// role is the role a GUID names in tenant t: a built-in or t's custom role.
func (m *refModel) role(t, guid string) *refRole {
	if r := refBuiltin(guid); r != nil {
		return r
	}
	return m.tenants[t].roles[strings.ToLower(guid)]
}

// assignableAt: a custom role is assignable at a scope at or below one of
// its assignable scopes (through the management-group hierarchy too).
func (m *refModel) assignableAt(t string, r *refRole, key string) bool {
	if r.builtin {
		return true
	}
	anc := m.ancestors(t, key)
	for _, s := range r.scopes {
		if slices.Contains(anc, s) {
			return true
		}
	}
	return false
}

// allowed decides whether principal sym may perform action at path.
func (m *refModel) allowed(sym, action, path string) bool {
	t := m.tenantOf(sym)
	st, key, ok := m.resolve(t, path)
	if !ok || st != t {
		return false // the tenant wall
	}
	return m.decide(sym, action, t, key)
}

// decide is allowed for a resolved scope of the principal's tenant t.
func (m *refModel) decide(sym, action, t, key string) bool {
	anc := m.ancestors(t, key)
	ids := m.identities(sym)
	for _, d := range m.denies {
		if d.tenant != t || !m.denyApplies(d, anc, ids) {
			continue
		}
		if refMatchAny(d.actions, action) && !refMatchAny(d.notActions, action) {
			return false
		}
	}
	for _, a := range m.assigns {
		if a.tenant != t || !slices.Contains(ids, a.principal) || !slices.Contains(anc, a.scope) {
			continue
		}
		r := m.role(t, a.role)
		if r == nil || !m.assignableAt(t, r, a.scope) {
			continue
		}
		if refMatchAny(r.actions, action) && !refMatchAny(r.notActions, action) {
			return true
		}
	}
	return false
}

func (m *refModel) denyApplies(d *refDeny, anc, ids []string) bool {
	i := slices.Index(anc, d.scope)
	if i < 0 || (i > 0 && d.noChildren) {
		return false
	}
	names := func(list []string) bool {
		for _, p := range list {
			if p == "Everyone" || slices.Contains(ids, p) {
				return true
			}
		}
		return false
	}
	return names(d.principals) && !names(d.excludes)
}

// refMatchAny: some pattern matches the action, case-insensitively, a
// '*' standing for any run of characters ('/' included).
func refMatchAny(patterns []string, action string) bool {
	a := strings.ToLower(action)
	for _, p := range patterns {
		if refGlob(strings.ToLower(p), a) {
			return true
		}
	}
	return false
}

func refGlob(p, s string) bool {
	star := strings.IndexByte(p, '*')
	if star < 0 {
		return p == s
	}
	if !strings.HasPrefix(s, p[:star]) {
		return false
	}
	rest := p[star+1:]
	for i := star; i <= len(s); i++ {
		if refGlob(rest, s[i:]) {
			return true
		}
	}
	return false
}

// exists reports whether the object at key exists in tenant t ("/",
// management groups, the subscription, resource groups and accounts).
func (m *refModel) exists(t, key string) bool {
	ten := m.tenants[t]
	if key == "/" {
		return true
	}
	if name, ok := strings.CutPrefix(key, refMGPrefix); ok {
		_, found := ten.mgParent[name]
		return found
	}
	segs := strings.Split(strings.TrimPrefix(key, "/"), "/")
	if len(segs) < 2 || segs[0] != "subscriptions" || segs[1] != ten.sub {
		return false
	}
	switch {
	case len(segs) == 2:
		return true
	case len(segs) == 4 && segs[2] == "resourcegroups":
		return ten.rgs[segs[3]]
	case len(segs) == 8 && segs[2] == "resourcegroups" && segs[4] == "providers" && segs[5] == "microsoft.cognitiveservices" && segs[6] == "accounts":
		return ten.accounts[segs[3]+"/"+segs[7]]
	}
	return false
}

// dropUnder removes the role assignments at key and below (a deleted
// resource group or account takes them along).
func (m *refModel) dropUnder(t, key string) {
	for n, a := range m.assigns {
		if a.tenant == t && (a.scope == key || strings.HasPrefix(a.scope, key+"/")) {
			delete(m.assigns, n)
		}
	}
}

// Expectations the model gives an operation.
const (
	expAllow = iota // 2xx
	expDeny         // 4xx (not allowed, not found or not visible)
	expAny          // either: the model does not decide (e.g. deleting what is not there)
	expBool         // accessCheck: the decision
	expSet          // a list: exactly these names
)

type expect struct {
	kind    int
	allowed bool     // expBool
	set     []string // expSet, lower-case, sorted
	why     string
	// probe, after a 2xx, must itself answer 2xx: the object an operation
	// could not see must still be there.
	probe *mop
	apply func() // after a 2xx: the model's state change
}

func allowIf(ok bool, why string) expect {
	if ok {
		return expect{kind: expAllow, why: why}
	}
	return expect{kind: expDeny, why: "not allowed: " + why}
}

func deny(why string) expect { return expect{kind: expDeny, why: why} }

func (m *refModel) allowedAt(sym, action, t, key string) bool {
	if m.tenantOf(sym) != t {
		return false
	}
	return m.decide(sym, action, t, key)
}

// predict says what operation o should get, and what it changes.
func (m *refModel) predict(o mop) expect {
	ct := m.tenantOf(o.Actor)
	ten := m.tenants[ct]
	switch o.Kind {
	case opRGPut, opRGDel, opAcctPut, opAcctDel:
		return m.predictResource(o, ct)
	case opRolePut:
		return m.predictRolePut(o, ct)
	case opRoleDel, opRoleGet:
		return m.predictRoleDelGet(o, ct)
	case opRAPut:
		return m.predictAssign(o, ct)
	case opRADel, opRAGet:
		return m.predictAssignDelGet(o, ct)
	case opMGPut:
		return m.predictMG(o, ct)
	case opSubMove:
		if t, _, _ := m.resolve(ct, "/subscriptions/"+o.Sub); t != ct {
			return deny("the subscription is another tenant's")
		}
		parent := strings.ToLower(o.Parent)
		if _, ok := ten.mgParent[parent]; !ok {
			return deny("no such management group in the caller's tenant")
		}
		old := "/"
		if ten.subMG != "" {
			old = refMGPrefix + ten.subMG
		}
		const a = "Microsoft.Management/managementGroups/subscriptions/write"
		e := allowIf(m.allowedAt(o.Actor, a, ct, refMGPrefix+parent) && m.allowedAt(o.Actor, a, ct, old) &&
			m.allowedAt(o.Actor, "Microsoft.Authorization/roleAssignments/write", ct, "/subscriptions/"+ten.sub),
			"subscriptions/write at the new ("+parent+") and old ("+old+") parent and roleAssignments/write at the subscription")
		e.apply = func() { ten.subMG = parent }
		return e
	case opCheck:
		ok := m.allowed(o.Actor, o.Action, o.Scope)
		return expect{kind: expBool, allowed: ok, why: "the decision"}
	case opRead:
		t, key, ok := m.resolve(ct, o.Scope)
		if !ok || t != ct {
			return deny("another tenant's resource")
		}
		if !m.exists(ct, key) {
			return deny("does not exist")
		}
		action := "Microsoft.Resources/subscriptions/resourceGroups/read"
		if strings.Contains(key, "/providers/microsoft.cognitiveservices/accounts/") {
			action = "Microsoft.CognitiveServices/accounts/read"
		}
		return allowIf(m.allowed(o.Actor, action, key), action)
	case opListRA, opListRoles, opListRG, opListMG, opListSubs:
		return expect{kind: expSet, set: m.listed(o.Kind, ct), why: "exactly the caller's tenant's objects"}
	}
	panic("unknown op " + o.Kind)
}

func (m *refModel) predictResource(o mop, ct string) expect {
	ten := m.tenants[ct]
	rg := "/subscriptions/" + o.Sub + "/resourceGroups/" + o.RG
	path := rg
	if o.Kind == opAcctPut || o.Kind == opAcctDel {
		path += acctSeg + o.Name
	}
	t, key, ok := m.resolve(ct, path)
	if !ok || t != ct {
		return deny("the subscription is another tenant's")
	}
	rgName, acct := strings.ToLower(o.RG), strings.ToLower(o.RG+"/"+o.Name)
	const rgA, acA = "Microsoft.Resources/subscriptions/resourceGroups/", "Microsoft.CognitiveServices/accounts/"
	var e expect
	switch o.Kind {
	case opRGPut:
		e = allowIf(m.allowed(o.Actor, rgA+"write", key), rgA+"write")
		e.apply = func() { ten.rgs[rgName] = true }
	case opRGDel:
		e = allowIf(m.allowed(o.Actor, rgA+"delete", key), rgA+"delete")
		if e.kind == expAllow && !ten.rgs[rgName] {
			e = expect{kind: expAny, why: "deleting a resource group that is not there"}
		}
		e.apply = func() {
			delete(ten.rgs, rgName)
			for a := range ten.accounts {
				if strings.HasPrefix(a, rgName+"/") {
					delete(ten.accounts, a)
				}
			}
			m.dropUnder(ct, key)
		}
	case opAcctPut:
		if !ten.rgs[rgName] {
			return deny("no such resource group")
		}
		e = allowIf(m.allowed(o.Actor, acA+"write", key), acA+"write")
		e.apply = func() { ten.accounts[acct] = true }
	case opAcctDel:
		e = allowIf(m.allowed(o.Actor, acA+"delete", key), acA+"delete")
		if e.kind == expAllow && !ten.accounts[acct] {
			e = expect{kind: expAny, why: "deleting an account that is not there"}
		}
		e.apply = func() { delete(ten.accounts, acct); m.dropUnder(ct, key) }
	}
	return e
}

func (m *refModel) predictRolePut(o mop, ct string) expect {
	ten := m.tenants[ct]
	if o.Sub != "" {
		if t, _, _ := m.resolve(ct, "/subscriptions/"+o.Sub); t != ct {
			return deny("the role definition's path is in another tenant's subscription")
		}
	}
	guid := strings.ToLower(o.Name)
	var keys []string
	mgs := 0
	for _, s := range o.Scopes {
		t, key, ok := m.resolve(ct, s)
		if !ok || t != ct {
			return deny("assignable scope " + s + " is another tenant's")
		}
		if strings.HasPrefix(key, refMGPrefix) {
			mgs++
		}
		if !slices.Contains(keys, key) {
			keys = append(keys, key)
		}
	}
	if mgs > 1 {
		return deny("more than one management group among the assignable scopes")
	}
	need := slices.Clone(keys)
	if prev := ten.roles[guid]; prev != nil {
		need = append(need, prev.scopes...) // an update needs the old scopes too
	}
	for _, s := range need {
		if !m.allowedAt(o.Actor, "Microsoft.Authorization/roleDefinitions/write", ct, s) {
			return deny("not allowed: roleDefinitions/write at " + s)
		}
	}
	e := expect{kind: expAllow, why: "roleDefinitions/write at every old and new assignable scope"}
	for _, k := range keys {
		if !m.exists(ct, k) {
			e = expect{kind: expAny, why: "assignable scope " + k + " does not exist"}
		}
	}
	e.apply = func() {
		ten.roles[guid] = &refRole{guid: guid, name: "model-" + guid, actions: slices.Clone(o.Actions),
			notActions: slices.Clone(o.NotActions), scopes: keys}
	}
	return e
}

func (m *refModel) predictRoleDelGet(o mop, ct string) expect {
	ten := m.tenants[ct]
	if o.Sub != "" {
		if t, _, _ := m.resolve(ct, "/subscriptions/"+o.Sub); t != ct {
			return deny("the role definition's path is in another tenant's subscription")
		}
	}
	guid := strings.ToLower(o.Name)
	r := ten.roles[guid]
	if o.Kind == opRoleGet {
		if r == nil {
			return deny("no such custom role in the caller's tenant")
		}
		return expect{kind: expAny, why: "the caller's own role (reading needs no particular right in the model)"}
	}
	if r == nil {
		e := expect{kind: expAny, why: "deleting a role that is not in the caller's tenant"}
		if other := m.other(ct); m.tenants[other].roles[guid] != nil {
			e.probe = &mop{Kind: opRoleGet, Actor: other + ".admin", Name: guid}
			e.why += " (the other tenant's role of that GUID must survive)"
		}
		return e
	}
	for _, s := range r.scopes {
		if !m.allowedAt(o.Actor, "Microsoft.Authorization/roleDefinitions/delete", ct, s) {
			return deny("not allowed: roleDefinitions/delete at " + s)
		}
	}
	for _, a := range m.assigns {
		if a.tenant == ct && a.role == guid {
			return deny("the role has assignments (" + a.name + ")")
		}
	}
	e := expect{kind: expAllow, why: "roleDefinitions/delete at every assignable scope, no assignments"}
	e.apply = func() { delete(ten.roles, guid) }
	return e
}

func (m *refModel) predictAssign(o mop, ct string) expect {
	t, key, ok := m.resolve(ct, o.Scope)
	if !ok || t != ct {
		return deny("the scope is another tenant's")
	}
	if !m.exists(ct, key) {
		return deny("the scope does not exist")
	}
	if m.tenantOf(o.Principal) != ct {
		return deny("the principal is in another tenant")
	}
	guid := strings.ToLower(o.Role)
	r := m.role(ct, guid)
	if r == nil {
		return deny("no such role in the caller's tenant")
	}
	if !m.assignableAt(ct, r, key) {
		return deny("the role is not assignable at the scope")
	}
	for _, a := range m.assigns {
		if a.tenant == ct && a.scope == key && a.role == guid && a.principal == o.Principal {
			return deny("the same assignment exists (" + a.name + ")")
		}
	}
	e := allowIf(m.allowed(o.Actor, "Microsoft.Authorization/roleAssignments/write", key), "roleAssignments/write at "+key)
	name := strings.ToLower(o.Name)
	e.apply = func() {
		m.assigns[name] = &refAssign{name: name, tenant: ct, scope: key, role: guid, principal: o.Principal}
	}
	return e
}

func (m *refModel) predictAssignDelGet(o mop, ct string) expect {
	name := strings.ToLower(o.Name)
	a := m.assigns[name]
	t, key, ok := m.resolve(ct, o.Scope)
	visible := a != nil && ok && t == ct && a.tenant == ct && a.scope == key
	if !visible {
		if o.Kind == opRAGet {
			return deny("no such assignment at that scope in the caller's tenant")
		}
		e := expect{kind: expAny, why: "deleting an assignment the caller cannot see"}
		if a != nil {
			e.probe = &mop{Kind: opRAGet, Actor: a.tenant + ".admin", Scope: a.scope, Name: a.name}
			e.why += " (tenant " + a.tenant + "'s assignment must survive)"
		}
		return e
	}
	if o.Kind == opRAGet {
		// ARM authorizes a GET at the URI's resource: the assignment, a
		// child of its scope (a doNotApplyToChildScopes deny there does not apply).
		id := strings.TrimRight(key, "/") + "/providers/microsoft.authorization/roleassignments/" + name
		return allowIf(m.decide(o.Actor, "Microsoft.Authorization/roleAssignments/read", ct, id), "roleAssignments/read at "+id)
	}
	e := allowIf(m.allowed(o.Actor, "Microsoft.Authorization/roleAssignments/delete", key), "roleAssignments/delete at "+key)
	e.apply = func() { delete(m.assigns, name) }
	return e
}

// predictMG: creating or moving a management group of the caller's
// tenant (a name another tenant uses too is a different group) needs
// managementGroups/write at the group, at its new parent and, when it
// moves, at its old parent.
func (m *refModel) predictMG(o mop, ct string) expect {
	ten := m.tenants[ct]
	name, parent := strings.ToLower(o.Name), strings.ToLower(o.Parent)
	if _, ok := ten.mgParent[parent]; !ok {
		return deny("the parent is not a management group of the caller's tenant")
	}
	for p, hops := parent, 0; p != "" && hops < 32; p, hops = ten.mgParent[p], hops+1 {
		if p == name {
			return deny("the move would make a cycle")
		}
	}
	const a = "Microsoft.Management/managementGroups/write"
	ok := m.allowedAt(o.Actor, a, ct, refMGPrefix+name) && m.allowedAt(o.Actor, a, ct, refMGPrefix+parent)
	old, exists := ten.mgParent[name]
	if exists && old != parent {
		oldKey := "/"
		if old != "" {
			oldKey = refMGPrefix + old
		}
		ok = ok && m.allowedAt(o.Actor, a, ct, oldKey)
	}
	e := allowIf(ok, "managementGroups/write at the group, its new parent and its old parent")
	e.apply = func() { ten.mgParent[name] = parent }
	return e
}

// listed is what a list by tenant ct's administrator must hold.
func (m *refModel) listed(kind, ct string) []string {
	ten := m.tenants[ct]
	var out []string
	switch kind {
	case opListRA:
		for n, a := range m.assigns {
			if a.tenant == ct {
				out = append(out, n)
			}
		}
	case opListRoles:
		for g := range ten.roles {
			out = append(out, g)
		}
	case opListRG:
		for g := range ten.rgs {
			out = append(out, g)
		}
	case opListMG:
		for g := range ten.mgParent {
			out = append(out, g)
		}
	case opListSubs:
		out = []string{ten.sub}
	}
	slices.Sort(out)
	return out
}
