package rbac

import (
	"errors"
	"slices"
	"strings"
	"sync"

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

// overlay is what changed since the snapshot was compiled. It is small
// (the authorizer compiles afresh in the background once it grows), so a
// change costs a copy of the overlay, never a pass over the tenant: the
// next request sees it at once, whatever the size of the state.
type overlay struct {
	changes Changes
	masked  map[string]bool                  // base assignments replaced or removed
	byOID   map[string][]*compiledAssignment // present ones, by folded principal id, by name
	// Membership edges: added and removed ones, by member; nil maps when
	// no membership changed (then the compiled closure holds).
	added    map[string][]string
	removed  map[[2]string]bool
	closures sync.Map // folded object id → []string, its groups with the changes
}

// With returns a snapshot that decides as if changes had been compiled in.
// It shares everything compiled with s (which it does not modify); the
// error names changes that were left out, as Compile's does.
func (s *Snapshot) With(changes Changes) (*Snapshot, error) {
	merged := Changes{Assignments: map[string]AssignmentChange{}, Memberships: map[string]MembershipChange{}}
	if s.ov != nil {
		for k, v := range s.ov.changes.Assignments {
			merged.Assignments[k] = v
		}
		for k, v := range s.ov.changes.Memberships {
			merged.Memberships[k] = v
		}
	}
	for k, v := range changes.Assignments {
		merged.Assignments[fold.String(k)] = v
	}
	for k, v := range changes.Memberships {
		merged.Memberships[k] = v
	}
	out := *s
	ov, err := s.buildOverlay(merged)
	out.ov = ov
	return &out, err
}

// Overlaid counts the changes carried over the compiled state.
func (s *Snapshot) Overlaid() int {
	if s.ov == nil {
		return 0
	}
	return s.ov.changes.Len()
}

func (s *Snapshot) buildOverlay(c Changes) (*overlay, error) {
	ov := &overlay{changes: c, masked: map[string]bool{}, byOID: map[string][]*compiledAssignment{}}
	var conds condCache
	var errs []error
	for k, ch := range c.Assignments {
		ov.masked[k] = true
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
		ov.byOID[oid] = append(ov.byOID[oid], ca)
	}
	for _, list := range ov.byOID {
		slices.SortFunc(list, byAssignmentName)
	}
	if len(c.Memberships) > 0 {
		ov.added, ov.removed = map[string][]string{}, map[[2]string]bool{}
		for _, m := range c.Memberships {
			member, group := fold.String(strings.TrimSpace(m.Member)), fold.String(strings.TrimSpace(m.Group))
			if m.Present {
				ov.added[member] = append(ov.added[member], group)
			} else {
				ov.removed[[2]string{member, group}] = true
			}
		}
	}
	return ov, errors.Join(errs...)
}

// groupsOf is the transitive groups of a folded object id with the
// membership changes applied, memoized for this overlay.
func (ov *overlay) groupsOf(s *Snapshot, oid string) []string {
	if v, ok := ov.closures.Load(oid); ok {
		return v.([]string)
	}
	var out []string
	seen := map[string]bool{oid: true}
	queue := ov.parents(s, oid)
	for len(queue) > 0 {
		g := queue[0]
		queue = queue[1:]
		if seen[g] {
			continue
		}
		seen[g] = true
		out = append(out, g)
		queue = append(queue, ov.parents(s, g)...)
	}
	slices.Sort(out)
	ov.closures.Store(oid, out)
	return out
}

// parents is the groups member is directly in, with the changes applied.
func (ov *overlay) parents(s *Snapshot, member string) []string {
	var out []string
	for _, g := range s.direct[member] {
		if !ov.removed[[2]string{member, g}] {
			out = append(out, g)
		}
	}
	for _, g := range ov.added[member] {
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
	if ov.added == nil {
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
		if (ov == nil || !ov.masked[ca.key]) && d.at(l, ca.scope) {
			out = append(out, ca)
		}
	}
	if ov != nil {
		for _, ca := range ov.byOID[oid] {
			if d.at(l, ca.scope) {
				out = append(out, ca)
			}
		}
	}
	return out
}
