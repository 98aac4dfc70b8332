package rbac

import (
	"errors"
	"slices"
	"strings"
	"sync"

	"github.com/benbjohnson/immutable"

	"github.com/gatehouse/gatehouse/internal/fold"
)

// Changes are record-level changes to apply over a compiled snapshot: the
// current state of each role assignment and group membership that changed
// (Present false: it no longer exists). Applying a change already
// reflected, or twice, is harmless.
type Changes struct {
	Assignments map[string]AssignmentChange // by TenantKey(tenant, name)
	Memberships map[string]MembershipChange // by the membership's id
}

// AssignmentChange is the current state of one role assignment.
type AssignmentChange struct {
	Present    bool
	Assignment RoleAssignment
}

// MembershipChange is the current state of one direct membership edge.
type MembershipChange struct {
	Present       bool
	Member, Group string
}

// Len counts the changes.
func (c Changes) Len() int { return len(c.Assignments) + len(c.Memberships) }

// overlay is what changed since the snapshot was compiled. Its maps are
// persistent (a change copies a path of a trie, not the map), so applying
// a change costs O(log n) in the overlay's size and nothing in the
// tenant's: the next request sees it at once, whatever the size of the
// state. The authorizer compiles afresh in the background once it grows.
type overlay struct {
	assignments *immutable.Map[string, AssignmentChange]      // present here: the compiled one is masked
	byOID       *immutable.Map[string, []*compiledAssignment] // present ones, by folded principal id, by name
	added       *immutable.Map[string, []string]              // member → groups it was added to
	removed     *immutable.Map[string, bool]                  // member+"\x00"+group edges removed
	members     int                                           // membership changes applied
	// touched are the folded ids whose decisions the overlay can change:
	// principals of changed assignments (old and new) and members of
	// changed memberships. Everyone else is decided on the compiled state
	// alone, at full speed.
	touched  *immutable.Map[string, bool]
	closures sync.Map // folded object id → []string, its groups with the changes
}

func newOverlay() *overlay {
	h := immutable.NewHasher("")
	return &overlay{assignments: immutable.NewMap[string, AssignmentChange](h),
		byOID: immutable.NewMap[string, []*compiledAssignment](h), added: immutable.NewMap[string, []string](h),
		removed: immutable.NewMap[string, bool](h), touched: immutable.NewMap[string, bool](h)}
}

// With returns a snapshot that decides as if changes had been compiled in.
// It shares everything compiled with s (which it does not modify) and
// with s's overlay, compiling only the new changes; the error names
// changes that were left out, as Compile's does.
func (s *Snapshot) With(changes Changes) (*Snapshot, error) {
	ov := newOverlay()
	if s.ov != nil {
		ov.assignments, ov.byOID, ov.added, ov.removed, ov.members, ov.touched = s.ov.assignments, s.ov.byOID, s.ov.added, s.ov.removed, s.ov.members, s.ov.touched
	}
	var conds condCache
	var errs []error
	for k, ch := range changes.Assignments {
		k = fold.String(k)
		if ca := s.byKey[k]; ca != nil {
			ov.touch(ca.a.PrincipalID)
		}
		ov.dropAssignment(k)
		ov.assignments = ov.assignments.Set(k, ch)
		if !ch.Present {
			continue
		}
		a := ch.Assignment
		ca, err := s.compileAssignment(&a, &conds)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		oid := fold.String(strings.TrimSpace(a.PrincipalID))
		ov.touch(oid)
		list, _ := ov.byOID.Get(oid)
		list = slices.Clone(list)
		i, _ := slices.BinarySearchFunc(list, ca, byAssignmentName)
		ov.byOID = ov.byOID.Set(oid, slices.Insert(list, i, ca))
	}
	for _, m := range changes.Memberships {
		ov.applyMembership(m)
	}
	out := *s
	out.ov = ov
	return &out, errors.Join(errs...)
}

// dropAssignment removes the overlay's previous version of an assignment.
func (ov *overlay) dropAssignment(key string) {
	prev, ok := ov.assignments.Get(key)
	if !ok || !prev.Present {
		return
	}
	oid := fold.String(strings.TrimSpace(prev.Assignment.PrincipalID))
	ov.touch(oid)
	list, _ := ov.byOID.Get(oid)
	list = slices.DeleteFunc(slices.Clone(list), func(ca *compiledAssignment) bool { return ca.key == key })
	if len(list) == 0 {
		ov.byOID = ov.byOID.Delete(oid)
	} else {
		ov.byOID = ov.byOID.Set(oid, list)
	}
}

func (ov *overlay) applyMembership(m MembershipChange) {
	member, group := fold.String(strings.TrimSpace(m.Member)), fold.String(strings.TrimSpace(m.Group))
	edge := member + "\x00" + group
	groups, _ := ov.added.Get(member)
	groups = slices.DeleteFunc(slices.Clone(groups), func(g string) bool { return g == group })
	if m.Present {
		groups = append(groups, group)
		ov.removed = ov.removed.Delete(edge)
	} else {
		ov.removed = ov.removed.Set(edge, true)
	}
	ov.added = ov.added.Set(member, groups)
	ov.members++
	ov.touch(member)
}

func (ov *overlay) touch(id string) {
	ov.touched = ov.touched.Set(fold.String(strings.TrimSpace(id)), true)
}

// touches reports whether the overlay can change a decision for the
// decider's principal: it or one of its (compiled) groups was touched.
func (d *decider) touches() bool {
	t := d.s.ov.touched
	if _, ok := t.Get(string(d.oid)); ok {
		return true
	}
	for _, g := range d.groups {
		if _, ok := t.Get(d.s.principals.names[g]); ok {
			return true
		}
	}
	return false
}

// masked reports whether the overlay replaced or removed a compiled
// assignment.
func (ov *overlay) masked(key string) bool {
	_, ok := ov.assignments.Get(key)
	return ok
}

// Overlaid counts the changes carried over the compiled state.
func (s *Snapshot) Overlaid() int {
	if s.ov == nil {
		return 0
	}
	return s.ov.assignments.Len() + s.ov.members
}

// groupsOf is the transitive groups of a folded object id with the
// membership changes applied, memoized for this overlay.
func (ov *overlay) groupsOf(s *Snapshot, oid string) []string {
	if v, ok := ov.closures.Load(oid); ok {
		return v.([]string)
	}
	out := closureOf(oid, func(m string) []string { return ov.parents(s, m) }, map[string]bool{})
	ov.closures.Store(oid, out)
	return out
}

// parents is the groups member is directly in, with the changes applied.
func (ov *overlay) parents(s *Snapshot, member string) []string {
	var out []string
	for _, g := range s.direct[member] {
		if _, gone := ov.removed.Get(member + "\x00" + g); !gone {
			out = append(out, g)
		}
	}
	added, _ := ov.added.Get(member)
	for _, g := range added {
		if !slices.Contains(out, g) {
			out = append(out, g)
		}
	}
	return out
}

// useOverlayIDs sets the groups by id, with or without an overlay.
func (d *decider) useOverlayIDs() {
	if d.s.ov != nil {
		d.useOverlay()
		return
	}
	names := make([]string, len(d.groups))
	for i, g := range d.groups {
		names[i] = d.s.principals.names[g]
	}
	d.scratch.groupIDs = names
}

// useOverlay points the decider at the overlay: the principal's groups
// with membership changes applied, as ids (for the overlay's assignments)
// and as the compiled pids they have (for deny assignments).
func (d *decider) useOverlay() {
	ov := d.s.ov
	d.scratch.ov = ov
	if ov.members == 0 {
		names := make([]string, len(d.groups))
		for i, g := range d.groups {
			names[i] = d.s.principals.names[g]
		}
		d.scratch.groupIDs = names
		return
	}
	d.scratch.groupIDs = ov.groupsOf(d.s, string(d.oid))
	pids := make([]pid, 0, len(d.scratch.groupIDs))
	for _, g := range d.scratch.groupIDs {
		if p, ok := d.s.principals.index[g]; ok {
			pids = append(pids, p)
		}
	}
	d.groups = pids
}

// findGrantOverlay is findGrant over the compiled assignments less those
// the overlay replaced, plus the overlay's: same order of preference.
func (d *decider) findGrantOverlay() (*compiledAssignment, bool) {
	for i := range d.levels {
		l := &d.levels[i]
		if ca := d.bestAt(l, d.principal, string(d.oid), true); ca != nil {
			return ca, true
		}
		var best *compiledAssignment
		for _, g := range d.scratch.groupIDs {
			if ca := d.bestAt(l, d.pidOf(g), g, false); ca != nil && (best == nil || byAssignmentName(ca, best) < 0) {
				best = ca
			}
		}
		if best != nil {
			return best, false
		}
	}
	return nil, false
}

func (d *decider) pidOf(oid string) pid {
	if p, ok := d.s.principals.index[oid]; ok {
		return p
	}
	return noPID
}

// bestAt is the lowest-named assignment of a principal at level l that
// grants the request.
func (d *decider) bestAt(l *level, p pid, oid string, direct bool) *compiledAssignment {
	var best *compiledAssignment
	for _, ca := range d.assignmentsAt(l, p, oid) {
		if best != nil && byAssignmentName(ca, best) >= 0 {
			continue
		}
		g := &ca.viaGrp
		if direct {
			g = &ca.direct
		}
		if d.grants(ca, g) {
			best = ca
		}
	}
	return best
}

// assignmentsAt lists a principal's assignments at level l, compiled and
// overlaid.
func (d *decider) assignmentsAt(l *level, p pid, oid string) []*compiledAssignment {
	var out []*compiledAssignment
	ov := d.s.ov
	for _, ca := range d.s.grants.candidates(p, l.hash) {
		if (ov == nil || !ov.masked(ca.key)) && d.at(l, ca.scope) {
			out = append(out, ca)
		}
	}
	if ov != nil {
		list, _ := ov.byOID.Get(oid)
		for _, ca := range list {
			if d.at(l, ca.scope) {
				out = append(out, ca)
			}
		}
	}
	return out
}
