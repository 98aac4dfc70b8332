package rbac

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Snapshot is the compiled, immutable authorization state. It is safe for
// concurrent use. Pointers it hands out (Grant.Assignment, Grant.Role,
// Decision.DeniedBy) point into it and must be treated as read-only.
type Snapshot struct {
	roles       []*compiledRole
	roleByID    map[string]*compiledRole // lower-case GUID
	roleIndex   map[string]*compiledRole // GUID, name and aliases, lower-case
	assignments []RoleAssignment
	denies      []DenyAssignment
	principals  principalTable
	grants      grantIndex
	denyIndex   map[uint64][]*compiledDeny // by scope hash, sorted by name
	chains      chainIndex
	scopeKeys   map[string]string // interned normalized scopes, during Compile
	ranked      []*compiledRole   // built-ins, least privileged first
}

// compiledAssignment carries its two possible Grants precomputed, so an
// allow hands out a pointer instead of building a value.
type compiledAssignment struct {
	a       *RoleAssignment
	scope   string // normalized
	role    *compiledRole
	cond    Condition
	nameKey string
	direct  Grant
	viaGrp  Grant
}

// Compile builds a Snapshot. Built-in roles are always included; an input
// role with a built-in's ID replaces it. An unparsable condition, an
// unsupported conditionVersion, an assignment whose role is unknown, an
// assignment without principal or a Parents entry whose parent is not a
// management group is reported in the error; the snapshot, always
// returned, leaves that entry out.
func Compile(in Input) (*Snapshot, error) {
	s := &Snapshot{}
	var conds condCache
	errs := s.compileRoles(in.Roles, &conds)
	errs = append(errs, s.compileAssignments(in.Assignments, &conds)...)
	errs = append(errs, s.compileDenies(in.Denies, &conds)...)
	chains, perrs := compileParents(in.Parents)
	errs = append(errs, perrs...)
	s.chains = newChainIndex(chains)
	s.principals.closeGroups(groupClosure(in.GroupsOf))
	s.rankBuiltins()
	s.scopeKeys = nil // only needed while compiling
	// Entries that did not compile are left out, and said so: one bad
	// assignment must not take every decision down with it.
	return s, errors.Join(errs...)
}

func (s *Snapshot) compileRoles(custom []RoleDefinition, conds *condCache) []error {
	defs := BuiltinRoles()
	at := make(map[string]int, len(defs)+len(custom))
	for i, d := range defs {
		at[d.ID] = i
	}
	for _, r := range custom {
		r = cloneRole(r)
		r.ID = strings.ToLower(lastSegment(r.ID))
		if i, ok := at[r.ID]; ok {
			defs[i] = r // replaces a built-in or an earlier duplicate
			continue
		}
		at[r.ID] = len(defs)
		defs = append(defs, r)
	}
	var errs []error
	s.roleIndex = make(map[string]*compiledRole, 3*len(defs))
	s.roleByID = make(map[string]*compiledRole, len(defs))
	for i := range defs {
		r, err := compileRole(&defs[i], conds)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		s.roles = append(s.roles, r)
		s.roleByID[r.def.ID] = r
		for _, k := range roleKeys(r.def) {
			if _, taken := s.roleIndex[k]; !taken {
				s.roleIndex[k] = r
			}
		}
	}
	return errs
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
		ca.scope = s.scopeKey(ca.a.Scope)
		s.grants.add(s.principals.intern(ca.a.PrincipalID), fnv(ca.scope), ca)
	}
	s.grants.sort()
	return errs
}

func (s *Snapshot) compileAssignment(a *RoleAssignment, conds *condCache) (*compiledAssignment, error) {
	if strings.TrimSpace(a.PrincipalID) == "" {
		return nil, errors.New("no principalId")
	}
	role := s.roleByID[strings.ToLower(lastSegment(a.RoleDefinitionID))]
	if role == nil {
		return nil, fmt.Errorf("unknown role definition %q", a.RoleDefinitionID)
	}
	cond, err := conds.get(a.Condition, a.ConditionVersion)
	if err != nil {
		return nil, err
	}
	ca := &compiledAssignment{a: a, role: role, cond: cond, nameKey: strings.ToLower(a.Name)}
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

// scopeKey normalizes a scope and interns it: many assignments share one.
func (s *Snapshot) scopeKey(scope string) string {
	k := NormalizeScope(scope)
	if v, ok := s.scopeKeys[k]; ok {
		return v
	}
	if s.scopeKeys == nil {
		s.scopeKeys = map[string]string{}
	}
	s.scopeKeys[k] = k
	return k
}

// Role finds a role of the snapshot by GUID, full ID, name or alias.
func (s *Snapshot) Role(key string) (RoleDefinition, bool) {
	k := strings.ToLower(strings.TrimSpace(key))
	r := s.roleIndex[k]
	if r == nil {
		r = s.roleIndex[lastSegment(k)]
	}
	if r == nil {
		return RoleDefinition{}, false
	}
	return cloneRole(*r.def), true
}

// Roles returns every role of the snapshot (built-in and custom), as copies.
func (s *Snapshot) Roles() []RoleDefinition {
	out := make([]RoleDefinition, len(s.roles))
	for i, r := range s.roles {
		out[i] = cloneRole(*r.def)
	}
	return out
}
