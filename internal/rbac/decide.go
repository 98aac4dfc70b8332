package rbac

import (
	"bytes"
	"strings"

	"github.com/gatehouse/gatehouse/internal/fold"
)

// Decide answers one request. It only looks up the request's scope, its
// ancestors and the principal's groups, so its cost does not grow with
// unrelated assignments; an allow or a plain deny does not allocate.
func (s *Snapshot) Decide(req Request) Decision {
	var bufs decideBufs
	d := newDecider(s, &req, &bufs)
	if s.ov != nil && d.touches() {
		d.useOverlay() // otherwise the compiled state alone decides, at full speed
	}
	if !d.inTenant() {
		return Decision{Reason: reasonOtherTenant}
	}
	if cd := d.findDeny(); cd != nil {
		return Decision{DeniedBy: cd.d, Reason: cd.reason}
	}
	if ca, direct := d.findGrant(); ca != nil {
		if direct {
			return Decision{Allowed: true, Granted: &ca.direct, Reason: ca.role.reasonDirect}
		}
		return Decision{Allowed: true, Granted: &ca.viaGrp, Reason: ca.role.reasonGroup}
	}
	out := Decision{ConditionFailed: d.scratch.failed, Reason: reasonNoControl}
	if req.DataAction {
		out.Reason = reasonNoData
	}
	if len(d.scratch.failed) > 0 {
		out.Reason = conditionFailedReason(d.scratch.failed[0])
	}
	return out
}

// maxLevels bounds the ancestors held on the stack; deeper chains spill
// to the heap through append.
const maxLevels = 24

// decider is one Decide's working state, kept on the stack: lower-cased
// copies of the action, scope and principal in fixed buffers (map lookups
// with string(bytes) keys do not allocate), and the scope levels.
type decider struct {
	s         *Snapshot
	req       *Request // a pointer keeps its maps one indirection away from the buffers
	action    []byte
	scope     []byte
	oid       []byte // lower-cased object id
	principal pid
	groups    []pid
	levels    []level // nearest first; levels[0] is the request scope, the last the root
	// scratch holds what may point to the heap one indirection away:
	// escape analysis is not field-sensitive, so a heap pointer kept
	// directly in the decider would drag the stack buffers along.
	scratch *scratch
}

type scratch struct {
	env      *evalEnv
	failed   []Grant
	groupIDs []string // the groups by folded id, with an overlay
	ov       *overlay // set when the overlay can change this decision
}

// decideBufs live in the caller's frame: slices into a struct that also
// holds them would make escape analysis move everything to the heap.
type decideBufs struct {
	action  [160]byte
	scope   [320]byte
	oid     [64]byte
	ends    [16]int
	hashes  [16]uint64
	levels  [maxLevels]level
	scratch scratch
}

func newDecider(s *Snapshot, req *Request, b *decideBufs) decider {
	d := decider{s: s, req: req, scratch: &b.scratch}
	d.action = lowerASCII(b.action[:0], req.Action)
	d.scope = appendTenantScope(b.scope[:0], req.Tenant, req.Scope)
	d.oid = lowerASCII(b.oid[:0], strings.TrimSpace(req.PrincipalID))
	d.principal, d.groups = s.principals.lookup(d.oid)
	d.levels = d.collectLevels(b.levels[:0], b.ends[:0], b.hashes[:0])
	return d
}

// collectLevels lists the scope and its ancestors, nearest first: ID path
// levels, then management groups from Parents, then the root: the one the
// hierarchy gives, else the tenant root the scope was placed under, else
// "/".
func (d *decider) collectLevels(out []level, ends []int, hashes []uint64) []level {
	tEnd := tenantRootEnd(d.scope)
	ends = scopeLevels(d.scope, tEnd, ends)
	hashes = prefixHashes(d.scope, ends, hashes)
	for i := len(ends) - 1; i >= 0; i-- {
		out = append(out, level{hash: hashes[i], end: ends[i]})
	}
	root := level{hash: rootHash, end: -1, str: RootScope}
	if tEnd > 0 {
		root = level{hash: fnvBytes(d.scope[:tEnd]), end: tEnd}
	}
	if len(ends) > 0 {
		if c := d.s.chains.get(d.scope[:ends[0]], hashes[0]); c != nil {
			for i, mg := range c.scopes {
				out = append(out, level{hash: c.hashes[i], end: -1, str: mg})
			}
			root = level{hash: c.rootHash, end: -1, str: c.root}
		}
	}
	return append(out, root)
}

// inTenant reports whether the request's scope lies in the request's
// tenant: its root must be that tenant's. A subscription reaches its root
// only through the hierarchy, so one of another tenant (or of none) is
// outside, whatever the caller holds in its own tenant. A request without
// a tenant is tenant-less state (the corpus) and is not confined.
func (d *decider) inTenant() bool {
	if d.req.Tenant == "" {
		return true
	}
	root := &d.levels[len(d.levels)-1]
	var r string
	if root.end >= 0 {
		return true // placed under the request's own tenant root
	}
	r = root.str
	t, ok := strings.CutPrefix(r, tenantsPrefix)
	return ok && fold.Equal(t, d.req.Tenant)
}

// at reports whether level l is the normalized scope.
func (d *decider) at(l *level, scope string) bool {
	if l.end >= 0 {
		return string(d.scope[:l.end]) == scope
	}
	return l.str == scope
}

// evalEnv builds the condition environment on first use. It copies the
// action so that no pointer into the stack buffers escapes.
func (d *decider) evalEnv() *evalEnv {
	if d.scratch.env == nil {
		d.scratch.env = &evalEnv{action: bytes.Clone(d.action), attrs: &Attributes{
			Request: d.req.RequestAttrs, Resource: d.req.ResourceAttrs,
			Principal: d.req.PrincipalAttrs, Environment: d.req.EnvironmentAttrs,
		}}
	}
	return d.scratch.env
}

func (d *decider) findDeny() *compiledDeny {
	if len(d.s.denyIndex) == 0 {
		return nil
	}
	for i := range d.levels {
		l := &d.levels[i]
		for _, cd := range d.s.denyIndex[l.hash] {
			if !d.at(l, cd.scope) || cd.d.DoNotApplyToChildScopes && i > 0 {
				continue
			}
			if !cd.targets(d.principal, d.groups) || !cd.covers(d.action, d.req.DataAction) {
				continue
			}
			if cd.cond.root == nil || cd.cond.root.eval(d.evalEnv()) {
				return cd
			}
		}
	}
	return nil
}

// findGrant returns the most specific grant: nearest scope, then a direct
// assignment before a group's, then the lowest assignment name.
func (d *decider) findGrant() (ca *compiledAssignment, direct bool) {
	if d.scratch.ov != nil {
		return d.findGrantOverlay()
	}
	for i := range d.levels {
		l := &d.levels[i]
		for _, ca := range d.s.grants.candidates(d.principal, l.hash) {
			if d.at(l, ca.scope) && d.grants(ca, &ca.direct) {
				return ca, true
			}
		}
		var best *compiledAssignment
		for _, grp := range d.groups {
			for _, ca := range d.s.grants.candidates(grp, l.hash) {
				if best != nil && byAssignmentName(ca, best) >= 0 {
					break // sorted: nothing better in this group
				}
				if d.at(l, ca.scope) && d.grants(ca, &ca.viaGrp) {
					best = ca
					break
				}
			}
		}
		if best != nil {
			return best, false
		}
	}
	return nil, false
}

// grants checks the role and both conditions of one assignment, noting a
// condition failure for the explanation.
func (d *decider) grants(ca *compiledAssignment, g *Grant) bool {
	matched, ok := ca.role.matches(d.action, d.req.DataAction, d.evalEnv)
	if ok && ca.cond.root != nil {
		ok = ca.cond.root.eval(d.evalEnv())
	}
	if matched && !ok {
		d.scratch.failed = append(d.scratch.failed, *g)
	}
	return ok
}
