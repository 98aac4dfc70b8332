package rbac

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/internal/fold"
)

// compiledDeny is a deny assignment ready for matching.
type compiledDeny struct {
	d          *DenyAssignment
	scope      string // normalized
	blocks     []compiledBlock
	cond       Condition
	everyone   bool
	principals map[pid]struct{}
	excluded   map[pid]struct{}
	reason     string
}

func (s *Snapshot) compileDenies(in []DenyAssignment, conds *condCache) []error {
	var errs []error
	s.denies = make([]DenyAssignment, len(in))
	for i := range in {
		s.denies[i] = cloneDeny(in[i])
		cd, err := compileDeny(&s.denies[i], conds, &s.principals)
		if err != nil {
			errs = append(errs, fmt.Errorf("deny assignment %q: %w", in[i].Name, err))
			continue
		}
		cd.scope = s.scopeKey(TenantScope(cd.d.Tenant, cd.d.Scope))
		if err := s.checkTenantRoot(cd.scope, cd.d.Tenant); err != nil {
			errs = append(errs, fmt.Errorf("deny assignment %q: %w", in[i].Name, err))
			continue
		}
		if s.denyIndex == nil {
			s.denyIndex = map[uint64][]*compiledDeny{}
		}
		h := fnv(cd.scope)
		s.denyIndex[h] = append(s.denyIndex[h], cd)
	}
	for _, list := range s.denyIndex {
		slices.SortFunc(list, func(x, y *compiledDeny) int {
			return strings.Compare(fold.String(x.d.Name), fold.String(y.d.Name))
		})
	}
	return errs
}

func compileDeny(d *DenyAssignment, conds *condCache, principals *principalTable) (*compiledDeny, error) {
	if len(d.Principals) == 0 {
		return nil, errors.New("no principals")
	}
	cd := &compiledDeny{d: d, principals: map[pid]struct{}{}, excluded: map[pid]struct{}{}}
	for i, p := range d.Permissions {
		b, err := compileBlock(p, conds)
		if err != nil {
			return nil, fmt.Errorf("permissions[%d]: %w", i, err)
		}
		cd.blocks = append(cd.blocks, b)
	}
	var err error
	if cd.cond, err = conds.get(d.Condition, d.ConditionVersion); err != nil {
		return nil, err
	}
	for _, p := range d.Principals {
		if isEveryone(p) {
			cd.everyone = true
		}
		cd.principals[principals.intern(p.ID)] = struct{}{}
	}
	for _, p := range d.ExcludePrincipals {
		cd.excluded[principals.intern(p.ID)] = struct{}{}
	}
	cd.reason = "Denied by deny assignment '" + d.Name + "' at scope " + d.Scope + "; deny assignments take precedence over role assignments."
	return cd, nil
}

// isEveryone recognises Azure's "all principals" entry.
func isEveryone(p Principal) bool {
	return p.ID == EveryoneID && (p.Type == "" || fold.Equal(p.Type, SystemDefinedType))
}

// blocks reports whether some permission block of the deny covers the
// action; NotActions carve exceptions out of the deny exactly as they do
// out of a role.
func (cd *compiledDeny) covers(a []byte, data bool) bool {
	for i := range cd.blocks {
		if cd.blocks[i].allows(a, data) {
			return true
		}
	}
	return false
}

// targets reports whether the deny names the principal (directly, through
// a group, or as Everyone) and does not exclude it or one of its groups.
func (cd *compiledDeny) targets(principal pid, groups []pid) bool {
	_, hit := cd.principals[principal]
	hit = hit || cd.everyone
	for _, g := range groups {
		if hit {
			break
		}
		_, hit = cd.principals[g]
	}
	if !hit {
		return false
	}
	if _, ex := cd.excluded[principal]; ex {
		return false
	}
	for _, g := range groups {
		if _, ex := cd.excluded[g]; ex {
			return false
		}
	}
	return true
}

func cloneDeny(d DenyAssignment) DenyAssignment {
	d.Permissions = clonePermissions(d.Permissions)
	d.Principals = slices.Clone(d.Principals)
	d.ExcludePrincipals = slices.Clone(d.ExcludePrincipals)
	return d
}
