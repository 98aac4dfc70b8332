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
	nodes       map[string]*scopeNode // normalized scope → what applies there
	groups      map[string][]string   // member → transitive groups
	parents     map[string][]string   // subscription/MG → MG chain above it
	ranked      []*compiledRole       // built-ins, least privileged first
}

// scopeNode indexes what is attached at one scope.
type scopeNode struct {
	byPrincipal map[string][]*compiledAssignment // sorted by name
	denies      []*compiledDeny
}

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
	s := &Snapshot{nodes: map[string]*scopeNode{}}
	var conds condCache
	errs := s.compileRoles(in.Roles, &conds)
	errs = append(errs, s.compileAssignments(in.Assignments, &conds)...)
	errs = append(errs, s.compileDenies(in.Denies, &conds)...)
	var perrs []error
	s.parents, perrs = compileParents(in.Parents)
	if errs = append(errs, perrs...); len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	s.groups = groupClosure(in.GroupsOf)
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
		s.node(NormalizeScope(ca.a.Scope)).add(strings.ToLower(strings.TrimSpace(ca.a.PrincipalID)), ca)
	}
	for _, n := range s.nodes {
		for _, list := range n.byPrincipal {
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

func (s *Snapshot) node(scope string) *scopeNode {
	n := s.nodes[scope]
	if n == nil {
		n = &scopeNode{}
		s.nodes[scope] = n
	}
	return n
}

func (n *scopeNode) add(principal string, ca *compiledAssignment) {
	if n.byPrincipal == nil {
		n.byPrincipal = map[string][]*compiledAssignment{}
	}
	n.byPrincipal[principal] = append(n.byPrincipal[principal], ca)
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
