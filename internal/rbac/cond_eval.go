package rbac

import "strings"

// Evaluation of a parsed condition against one request.

func (e *evalEnv) lookup(r attrRef) []string {
	var m map[string][]string
	switch r.src {
	case srcRequest:
		m = e.attrs.Request
	case srcResource:
		m = e.attrs.Resource
	case srcPrincipal:
		m = e.attrs.Principal
	default:
		m = e.attrs.Environment
	}
	if v, ok := m[r.name]; ok {
		return v
	}
	// Attribute names are case-insensitive in practice; maps are small.
	for k, v := range m {
		if strings.EqualFold(k, r.name) {
			return v
		}
	}
	return nil
}

func (o operand) values(e *evalEnv) []string {
	if o.ref != nil {
		return e.lookup(*o.ref)
	}
	return o.vals
}

func (n *andNode) eval(e *evalEnv) bool {
	for _, k := range n.kids {
		if !k.eval(e) {
			return false
		}
	}
	return true
}

func (n *orNode) eval(e *evalEnv) bool {
	for _, k := range n.kids {
		if k.eval(e) {
			return true
		}
	}
	return false
}

func (n *notNode) eval(e *evalEnv) bool    { return !n.kid.eval(e) }
func (n *actionNode) eval(e *evalEnv) bool { return n.p.match(e.action) }
func (n *existsNode) eval(e *evalEnv) bool { return len(e.lookup(n.ref)) > 0 }

func (n *subOpNode) eval(e *evalEnv) bool {
	for _, v := range e.lookup(attrRef{srcRequest, "subOperation"}) {
		if strings.EqualFold(v, n.name) {
			return true
		}
	}
	return false
}

// eval applies the cross product. Without a prefix a positive operator
// means "some pair matches" and a negated one "no pair matches the base",
// which is plain (non-)equality for single values. An absent or empty side
// is false whatever the operator ([CF]; the brief: absent ⇒ false).
func (n *cmpNode) eval(e *evalEnv) bool {
	l, r := n.lhs.values(e), n.rhs.values(e)
	if len(l) == 0 || len(r) == 0 {
		return false
	}
	q := n.quant
	if q == qNone {
		q = qAnyOfAny
		if n.op.negated {
			q = qAllOfAll
		}
	}
	outerAll := q == qAllOfAny || q == qAllOfAll
	innerAll := q == qAnyOfAll || q == qAllOfAll
	for _, lv := range l {
		if inner(n.op, lv, r, innerAll) != outerAll {
			return !outerAll
		}
	}
	return outerAll
}

func inner(op operator, lv string, r []string, all bool) bool {
	for _, rv := range r {
		if op.pair(lv, rv) != all {
			return !all
		}
	}
	return all
}
