package rbac

import (
	_ "embed"
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/internal/fold"
)

// catalogueText lists known actions; see the header of catalogue.txt.
//
//go:embed catalogue.txt
var catalogueText string

// Breadth penalty for a bare "*" in Actions or DataActions: such a role
// grants every operation that will ever exist, which no catalogue count
// can express, so it always ranks as broadest.
const wildcardPenalty = 100000

type catalogueEntry struct {
	action []byte // lower-cased
	data   bool
}

var catalogue = parseCatalogue(catalogueText)

func parseCatalogue(text string) []catalogueEntry {
	var out []catalogueEntry
	for _, line := range strings.Split(text, "\n") {
		kind, action, ok := strings.Cut(strings.TrimSpace(line), " ")
		if !ok || strings.HasPrefix(kind, "#") {
			continue
		}
		out = append(out, catalogueEntry{lowerASCII(nil, strings.TrimSpace(action)), kind == "data"})
	}
	return out
}

// breadth is the role's privilege score: how many catalogue operations it
// grants (conditions ignored), plus wildcardPenalty for a bare "*".
func (r *compiledRole) computeBreadth() int {
	n := 0
	for _, e := range catalogue {
		for i := range r.blocks {
			if r.blocks[i].allows(e.action, e.data) {
				n++
				break
			}
		}
	}
	for i := range r.blocks {
		if r.blocks[i].actions.all || r.blocks[i].dataActions.all {
			return n + wildcardPenalty
		}
	}
	return n
}

// Breadth returns the documented privilege score of a role definition
// (lower is less privileged). See catalogue.txt.
func Breadth(def RoleDefinition) int {
	var conds condCache
	r, err := compileRole(&def, &conds)
	if err != nil {
		// The score ignores conditions, so compile without them.
		d := cloneRole(def)
		for i := range d.Permissions {
			d.Permissions[i].Condition = ""
		}
		r, _ = compileRole(&d, &conds)
	}
	return r.computeBreadth()
}

// rankBuiltins orders the built-in roles by breadth, then by name.
func (s *Snapshot) rankBuiltins() {
	s.ranked = s.ranked[:0]
	for _, r := range s.roles {
		if r.def.Type == BuiltInRole {
			r.breadth, r.home, r.guid = r.computeBreadth(), r.computeHome(), fold.String(r.def.ID)
			s.ranked = append(s.ranked, r)
		}
	}
	slices.SortStableFunc(s.ranked, func(x, y *compiledRole) int {
		if x.breadth != y.breadth {
			return x.breadth - y.breadth
		}
		return strings.Compare(fold.String(x.def.RoleName), fold.String(y.def.RoleName))
	})
}

// RolesGranting lists the built-in roles that grant the action, the one to
// propose first first: recommended roles, then roles of the action's
// provider and general ones, then the rest, bare "*" roles last, each
// group least privileged first (see recommend.go). A role counts only if it
// grants the action unconditionally: a permission-block condition is
// ignored only when it holds for this action whatever the attributes
// (e.g. constrained delegation does not restrict chat completions, but
// does restrict roleAssignments/write).
func (s *Snapshot) RolesGranting(action string, dataAction bool) []RoleDefinition {
	a := lowerASCII(nil, action)
	var granting []*compiledRole
	for _, r := range s.ranked {
		if r.grantsUnconditionally(a, dataAction) {
			granting = append(granting, r)
		}
	}
	rankForAction(granting, a, dataAction)
	out := make([]RoleDefinition, len(granting))
	for i, r := range granting {
		out[i] = cloneRole(*r.def)
	}
	return out
}
