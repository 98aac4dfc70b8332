package rbac

import "strings"

// Condition is a parsed ABAC condition. The zero value is "no condition"
// and always holds.
type Condition struct {
	src  string
	root node
}

// String returns the condition as written.
func (c Condition) String() string { return c.src }

// IsZero reports whether there is no condition.
func (c Condition) IsZero() bool { return c.root == nil }

// Attributes are the values a condition can refer to, keyed by attribute
// name (e.g. "Microsoft.Authorization/roleAssignments:RoleDefinitionId").
// An absent attribute makes every comparison on it false.
type Attributes struct {
	Request, Resource, Principal, Environment map[string][]string
}

// Evaluate reports whether the condition holds for action and attrs.
func (c Condition) Evaluate(action string, attrs Attributes) bool {
	if c.root == nil {
		return true
	}
	return c.root.eval(&evalEnv{action: lowerASCII(nil, action), attrs: &attrs})
}

type evalEnv struct {
	action []byte // lower-cased
	attrs  *Attributes
}

// tri is a three-valued truth for evaluating a condition without
// attributes: does it hold for this action whatever the attributes are?
type tri int8

const (
	triFalse tri = iota
	triTrue
	triUnknown
)

type node interface {
	eval(e *evalEnv) bool
	partial(action []byte) tri
}

type andNode struct{ kids []node }
type orNode struct{ kids []node }
type notNode struct{ kid node }

// actionNode is ActionMatches{'pattern'}: the permission matcher itself.
type actionNode struct{ p pattern }

// subOpNode is SubOperationMatches{'x'}; [CF] spells the same test as
// @Request[subOperation] ForAnyOfAnyValues:StringEqualsIgnoreCase {'x'}.
type subOpNode struct{ name string }

type existsNode struct{ ref attrRef }

type cmpNode struct {
	lhs, rhs operand
	op       operator
	quant    quantifier
}

type source int

const (
	srcRequest source = iota
	srcResource
	srcPrincipal
	srcEnvironment
)

var sources = map[string]source{
	"request": srcRequest, "resource": srcResource,
	"principal": srcPrincipal, "environment": srcEnvironment,
}

type attrRef struct {
	src  source
	name string
}

// operand is an attribute reference or literal values.
type operand struct {
	ref  *attrRef
	vals []string
}

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

func (n *andNode) partial(a []byte) tri {
	out := triTrue
	for _, k := range n.kids {
		switch k.partial(a) {
		case triFalse:
			return triFalse
		case triUnknown:
			out = triUnknown
		}
	}
	return out
}

func (n *orNode) partial(a []byte) tri {
	out := triFalse
	for _, k := range n.kids {
		switch k.partial(a) {
		case triTrue:
			return triTrue
		case triUnknown:
			out = triUnknown
		}
	}
	return out
}

func (n *notNode) partial(a []byte) tri {
	switch t := n.kid.partial(a); t {
	case triTrue:
		return triFalse
	case triFalse:
		return triTrue
	default:
		return t
	}
}

func (n *actionNode) partial(a []byte) tri {
	if n.p.match(a) {
		return triTrue
	}
	return triFalse
}

func (n *subOpNode) partial([]byte) tri  { return triUnknown }
func (n *existsNode) partial([]byte) tri { return triUnknown }
func (n *cmpNode) partial([]byte) tri {
	if n.lhs.ref == nil && n.rhs.ref == nil {
		if n.eval(&evalEnv{attrs: &Attributes{}}) {
			return triTrue
		}
		return triFalse
	}
	return triUnknown
}

// holdsForAnyAttrs reports whether the condition is true for action
// whatever the attributes are, i.e. it cannot restrict that action.
func (c Condition) holdsForAnyAttrs(loweredAction []byte) bool {
	return c.root == nil || c.root.partial(loweredAction) == triTrue
}
