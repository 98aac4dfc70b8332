package rbac

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/internal/fold"
)

// Snapshot is the compiled, immutable authorization state. It is safe for
// concurrent use. Pointers it hands out (Grant.Assignment, Grant.Role,
// Decision.DeniedBy) point into it and must be treated as read-only.
type Snapshot struct {
	roles       []*compiledRole
	roleByID    map[rkey]*compiledRole // by tenant and lower-case GUID
	roleIndex   map[rkey]*compiledRole // by tenant and GUID, name or alias, lower-case
	tenantRoots map[string]string      // tenant → its root scope, during Compile
	assignments []RoleAssignment
	denies      []DenyAssignment
	principals  principalTable
	grants      grantIndex
	denyIndex   map[uint64][]*compiledDeny // by scope hash, sorted by name
	chains      chainIndex
	scopeKeys   map[string]string              // interned normalized scopes, during Compile
	chainMap    map[string][]string            // Parents compiled
	ancestorsOf map[string][]string            // by scope, during Compile
	direct      map[string][]string            // member → groups it is directly in (folded ids)
	byKey       map[string]*compiledAssignment // by TenantKey, for changes
	ov          *overlay                       // changes since Compile, nil for none
	ranked      []*compiledRole                // built-ins, least privileged first
}

// compiledAssignment carries its two possible Grants precomputed, so an
// allow hands out a pointer instead of building a value.
type compiledAssignment struct {
	a       *RoleAssignment
	key     string // TenantKey(tenant, name): what a later change names it by
	scope   string // normalized
	role    *compiledRole
	cond    Condition
	nameKey string
	direct  Grant
	viaGrp  Grant
}

// Compile builds a Snapshot. Built-in roles are always included; an input
// role with a built-in's ID and no tenant replaces it. An unparsable
// condition, an unsupported conditionVersion, an assignment whose role is
// unknown in its tenant or not assignable at its scope, an assignment
// without principal, an assignment or deny assignment at a scope outside
// its tenant, or a Parents entry whose parent is not a management group is
// reported in the error; the snapshot, always returned, leaves that entry
// out.
func Compile(in Input) (*Snapshot, error) {
	s := &Snapshot{scopeKeys: map[string]string{}, ancestorsOf: map[string][]string{}, byKey: map[string]*compiledAssignment{},
		tenantRoots: map[string]string{}}
	var conds condCache
	chains, errs := compileParents(in.Parents)
	s.chains = newChainIndex(chains)
	s.chainMap = chains
	errs = append(errs, s.compileRoles(in.Roles, &conds)...)
	errs = append(errs, s.compileAssignments(in.Assignments, &conds)...)
	errs = append(errs, s.compileDenies(in.Denies, &conds)...)
	closure, direct := groupClosure(in.GroupsOf)
	s.principals.closeGroups(closure)
	s.direct = direct
	s.rankBuiltins()
	s.scopeKeys, s.ancestorsOf, s.tenantRoots = nil, nil, nil // only needed while compiling
	// Entries that did not compile are left out, and said so: one bad
	// assignment must not take every decision down with it.
	return s, errors.Join(errs...)
}

// rkey keys a role by tenant and GUID (or name): custom roles of two
// tenants may share a GUID and stay two roles. Built-ins have no tenant.
// A struct key: a lookup builds no string.
type rkey struct{ tenant, key string }

func roleKey(tenant, guid string) rkey {
	return rkey{fold.String(tenant), fold.String(guid)}
}

func (s *Snapshot) compileRoles(custom []RoleDefinition, conds *condCache) []error {
	var errs []error
	defs := BuiltinRoles()
	at := make(map[rkey]int, len(defs)+len(custom))
	for i, d := range defs {
		at[roleKey("", d.ID)] = i
	}
	for _, r := range custom {
		r = cloneRole(r)
		r.ID = fold.String(lastSegment(r.ID))
		if _, builtin := at[roleKey("", r.ID)]; builtin && r.Tenant != "" {
			errs = append(errs, fmt.Errorf("role %s of tenant %s: a custom role cannot take a built-in role's ID", r.ID, r.Tenant))
			continue
		}
		k := roleKey(r.Tenant, r.ID)
		if i, ok := at[k]; ok {
			defs[i] = r // replaces a built-in (tenant-less state only) or an earlier duplicate
			continue
		}
		at[k] = len(defs)
		defs = append(defs, r)
	}
	s.roleIndex = make(map[rkey]*compiledRole, 3*len(defs))
	s.roleByID = make(map[rkey]*compiledRole, len(defs))
	for i := range defs {
		r, err := compileRole(&defs[i], conds)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		s.roles = append(s.roles, r)
		s.roleByID[roleKey(r.def.Tenant, r.def.ID)] = r
		for _, k := range roleKeys(r.def) {
			if _, taken := s.roleIndex[roleKey(r.def.Tenant, k)]; !taken {
				s.roleIndex[roleKey(r.def.Tenant, k)] = r
			}
		}
	}
	return errs
}

// roleIn finds a role by GUID (or name) as seen from tenant: the tenant's
// own custom roles, then the built-ins. Another tenant's roles are never
// found.
func (s *Snapshot) roleIn(index map[rkey]*compiledRole, tenant, key string) *compiledRole {
	if r := index[roleKey(tenant, key)]; r != nil {
		return r
	}
	if r := index[roleKey("", key)]; r != nil && (tenant == "" || r.def.Type == BuiltInRole) {
		return r
	}
	return nil
}

func roleErr(def *RoleDefinition, block int, err error) error {
	return fmt.Errorf("role %s (%q) permissions[%d]: %w", def.ID, def.RoleName, block, err)
}

func (s *Snapshot) compileAssignments(in []RoleAssignment, conds *condCache) []error {
	var errs []error
	s.assignments = slices.Clone(in)
	for i := range s.assignments {
		ca, err := s.compileAssignment(&s.assignments[i], conds)
		if err != nil {
			errs = append(errs, fmt.Errorf("role assignment %q: %w", s.assignments[i].Name, err))
			continue
		}
		s.grants.add(s.principals.intern(ca.a.PrincipalID), fnv(ca.scope), ca)
		s.byKey[ca.key] = ca
	}
	s.grants.sort()
	return errs
}

func (s *Snapshot) compileAssignment(a *RoleAssignment, conds *condCache) (*compiledAssignment, error) {
	if strings.TrimSpace(a.PrincipalID) == "" {
		return nil, errors.New("no principalId")
	}
	role := s.roleIn(s.roleByID, a.Tenant, lastSegment(a.RoleDefinitionID))
	if role == nil {
		return nil, fmt.Errorf("unknown role definition %q", a.RoleDefinitionID)
	}
	scope := s.scopeKey(TenantScope(a.Tenant, a.Scope))
	if err := s.checkTenantRoot(scope, a.Tenant); err != nil {
		return nil, err
	}
	if !s.assignableAt(role, scope) {
		return nil, fmt.Errorf("role %q is not assignable at %s (its assignable scopes are %v)", role.def.RoleName, a.Scope, role.def.AssignableScopes)
	}
	cond, err := conds.get(a.Condition, a.ConditionVersion)
	if err != nil {
		return nil, err
	}
	ca := &compiledAssignment{a: a, key: TenantKey(a.Tenant, a.Name), scope: scope, role: role, cond: cond, nameKey: fold.String(a.Name)}
	ca.direct = Grant{Assignment: a, Role: role.def, AssignmentScope: a.Scope}
	ca.viaGrp = ca.direct
	ca.viaGrp.ViaGroup = a.PrincipalID
	return ca, nil
}

// byAssignmentName orders candidates deterministically: by name, then ID.
func byAssignmentName(x, y *compiledAssignment) int {
	if c := strings.Compare(x.nameKey, y.nameKey); c != 0 {
		return c
	}
	return strings.Compare(x.a.ID, y.a.ID)
}

// scopeKey normalizes a scope and, while compiling, interns it: many
// assignments share one. A compiled snapshot is never written to.
func (s *Snapshot) scopeKey(scope string) string {
	k := NormalizeScope(scope)
	if s.scopeKeys == nil {
		return k
	}
	if v, ok := s.scopeKeys[k]; ok {
		return v
	}
	s.scopeKeys[k] = k
	return k
}

// TenantKey names an object Azure keeps per tenant by name (a role or deny
// assignment, a custom role): the store's id for it, and how a change
// names it to the engine.
func TenantKey(tenant, name string) string { return fold.String(tenant) + "/" + fold.String(name) }

// Role finds a role by GUID, full ID, name or alias as seen from tenant:
// its own custom roles and the built-ins.
func (s *Snapshot) Role(tenant, key string) (RoleDefinition, bool) {
	k := strings.TrimSpace(key)
	r := s.roleIn(s.roleIndex, tenant, k)
	if r == nil {
		r = s.roleIn(s.roleIndex, tenant, lastSegment(k))
	}
	if r == nil {
		return RoleDefinition{}, false
	}
	return cloneRole(*r.def), true
}

// Roles returns the roles tenant sees (built-in and its custom ones), as
// copies.
func (s *Snapshot) Roles(tenant string) []RoleDefinition {
	out := make([]RoleDefinition, 0, len(s.roles))
	for _, r := range s.roles {
		if r.def.Type == BuiltInRole && r.def.Tenant == "" || fold.Equal(r.def.Tenant, tenant) {
			out = append(out, cloneRole(*r.def))
		}
	}
	return out
}
