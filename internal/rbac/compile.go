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
	scopes      scopeIndex
	principals  principalTable
	grants      []principalGrants // by pid
	// nodeMask is, by pid, a 64-bit summary of the scope nodes where the
	// principal has assignments; a clear bit skips the map lookup.
	nodeMask []uint64
	parents  map[string][]string // subscription/MG → MG chain above it
	ranked   []*compiledRole     // built-ins, least privileged first
}

// scopeNode is one scope that has assignments or denies attached.
type scopeNode struct {
	id     uint32
	scope  string // normalized
	denies []*compiledDeny
}

// principalGrants are one principal's assignments keyed by scope node id,
// each list sorted by name. Keyed per principal, not per scope, so a
// lookup touches a map as small as that principal's assignment count
// (usually a handful) however many assignments share the scope.
type principalGrants map[uint32][]*compiledAssignment

// compiledAssignment carries its two possible Grants precomputed, so an
// allow hands out a pointer instead of building a value.
type compiledAssignment struct {
	a       *RoleAssignment
	role    *compiledRole
	cond    Condition
	nameKey string
	direct  Grant
	viaGrp  Grant
}

// Compile builds a Snapshot. Built-in roles are always included; an input
// role with a built-in's ID replaces it. It fails on an unparsable
// condition, an unsupported conditionVersion, an assignment whose role is
// unknown, an assignment without principal, or a Parents entry whose
// parent is not a management group.
func Compile(in Input) (*Snapshot, error) {
	s := &Snapshot{}
	var conds condCache
	errs := s.compileRoles(in.Roles, &conds)
	errs = append(errs, s.compileAssignments(in.Assignments, &conds)...)
	errs = append(errs, s.compileDenies(in.Denies, &conds)...)
	chains, perrs := compileParents(in.Parents)
	if errs = append(errs, perrs...); len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	s.scopes.setChains(chains)
	s.principals.closeGroups(groupClosure(in.GroupsOf))
	s.rankBuiltins()
	return s, nil
}

func (s *Snapshot) compileRoles(custom []RoleDefinition, conds *condCache) []error {
	defs := BuiltinRoles()
	for _, r := range custom {
		r = cloneRole(r)
		r.ID = strings.ToLower(lastSegment(r.ID))
		if i := slices.IndexFunc(defs, func(d RoleDefinition) bool { return d.ID == r.ID }); i >= 0 {
			defs[i] = r
		} else {
			defs = append(defs, r)
		}
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
		s.addGrant(s.principals.intern(ca.a.PrincipalID), s.node(NormalizeScope(ca.a.Scope)), ca)
	}
	for _, g := range s.grants {
		for _, list := range g {
			slices.SortFunc(list, byAssignmentName)
		}
	}
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

func (s *Snapshot) node(scope string) *scopeNode { return s.scopes.node(scope) }

func (s *Snapshot) addGrant(p pid, n *scopeNode, ca *compiledAssignment) {
	for int(p) >= len(s.grants) {
		s.grants = append(s.grants, nil)
		s.nodeMask = append(s.nodeMask, 0)
	}
	s.nodeMask[p] |= n.bit()
	if s.grants[p] == nil {
		s.grants[p] = principalGrants{}
	}
	s.grants[p][n.id] = append(s.grants[p][n.id], ca)
}

// assignmentsAt returns p's assignments at node n.
func (s *Snapshot) assignmentsAt(p pid, n *scopeNode) []*compiledAssignment {
	if int(p) >= len(s.grants) || s.nodeMask[p]&n.bit() == 0 {
		return nil
	}
	return s.grants[p][n.id]
}

// bit spreads node ids over 64 bits (Fibonacci hashing).
func (n *scopeNode) bit() uint64 {
	return 1 << ((uint64(n.id) * 0x9E3779B97F4A7C15) >> 58)
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
