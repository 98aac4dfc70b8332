package rbac

// Partial evaluation: does a condition hold for an action whatever the
// attributes are? RolesGranting uses it to tell a condition that cannot
// restrict an action from one that can.

// tri is a three-valued truth for evaluating a condition without
// attributes: does it hold for this action whatever the attributes are?
type tri int8

const (
	triFalse tri = iota
	triTrue
	triUnknown
)

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
