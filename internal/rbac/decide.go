package rbac

import (
	"bytes"
	"strings"
)

// Decide answers one request. It only looks up the request's scope, its
// ancestors and the principal's groups, so its cost does not grow with
// unrelated assignments; an allow or a plain deny does not allocate.
func (s *Snapshot) Decide(req Request) Decision {
	var bufs decideBufs
	d := newDecider(s, &req, &bufs)
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

// maxNodes bounds the ancestors held on the stack; deeper chains spill to
// the heap through append.
const maxNodes = 24

// decider is one Decide's working state, kept on the stack: lower-cased
// copies of the action, scope and principal in fixed buffers (map lookups
// with string(bytes) keys do not allocate), and the scope nodes that apply.
type decider struct {
	s         *Snapshot
	req       *Request // a pointer keeps its maps one indirection away from the buffers
	action    []byte
	scope     []byte
	pid       []byte // lower-cased object id
	principal pid
	groups    []pid
	nodes     []*scopeNode
	exact     *scopeNode // node of the request scope itself
	// scratch holds what may point to the heap one indirection away:
	// escape analysis is not field-sensitive, so a heap pointer kept
	// directly in the decider would drag the stack buffers along.
	scratch *scratch
}

type scratch struct {
	env    *evalEnv
	failed []Grant
}

// decideBufs live in the caller's frame: slices into a struct that also
// holds them would make escape analysis move everything to the heap.
type decideBufs struct {
	action  [160]byte
	scope   [320]byte
	pid     [64]byte
	ends    [16]int
	nodes   [maxNodes]*scopeNode
	scratch scratch
}

func newDecider(s *Snapshot, req *Request, b *decideBufs) decider {
	d := decider{s: s, req: req, scratch: &b.scratch}
	d.action = lowerASCII(b.action[:0], req.Action)
	d.scope = appendNormScope(b.scope[:0], req.Scope)
	d.pid = lowerASCII(b.pid[:0], strings.TrimSpace(req.PrincipalID))
	d.principal, d.groups = s.principals.lookup(d.pid)
	d.nodes = d.collectNodes(b.nodes[:0], b.ends[:0])
	return d
}

// collectNodes gathers the nodes of the scope and its ancestors, nearest
// first: ID path levels, then management groups from Parents, then root.
func (d *decider) collectNodes(nodes []*scopeNode, ends []int) []*scopeNode {
	ends = scopeLevels(d.scope, ends)
	var hbuf [16]uint64
	hashes := prefixHashes(d.scope, ends, hbuf[:0])
	for i := len(ends) - 1; i >= 0; i-- {
		if n := d.s.scopes.lookup(d.scope[:ends[i]], hashes[i]); n != nil {
			nodes = append(nodes, n)
			if i == len(ends)-1 {
				d.exact = n
			}
		}
	}
	if len(ends) > 0 {
		nodes = append(nodes, d.s.scopes.chain(d.scope[:ends[0]], hashes[0])...)
	}
	if n := d.s.scopes.root; n != nil {
		nodes = append(nodes, n)
		if len(ends) == 0 {
			d.exact = n
		}
	}
	return nodes
}

// prefixHashes appends the FNV-1a hash of s[:e] for every e in ends
// (ascending), in one pass.
func prefixHashes(s []byte, ends []int, out []uint64) []uint64 {
	h, i := uint64(fnvOffset), 0
	for _, e := range ends {
		for ; i < e; i++ {
			h = (h ^ uint64(s[i])) * fnvPrime
		}
		out = append(out, h)
	}
	return out
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
	for _, n := range d.nodes {
		for _, cd := range n.denies {
			if cd.d.DoNotApplyToChildScopes && n != d.exact {
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
	for _, n := range d.nodes {
		for _, ca := range d.s.assignmentsAt(d.principal, n) {
			if d.grants(ca, &ca.direct) {
				return ca, true
			}
		}
		var best *compiledAssignment
		for _, grp := range d.groups {
			for _, ca := range d.s.assignmentsAt(grp, n) {
				if best != nil && byAssignmentName(ca, best) >= 0 {
					break // sorted: nothing better in this group
				}
				if d.grants(ca, &ca.viaGrp) {
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
