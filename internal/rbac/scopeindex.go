package rbac

// scopeIndex finds the scope nodes of a request's ancestors. Every
// ancestor of an ARM ID is a prefix of it, so one pass over the lower-cased
// scope yields a hash for each level; nodes are looked up by that 64-bit
// hash and confirmed by comparing the scope on a hit, which spares hashing
// and comparing long strings on the (common) misses.
type scopeIndex struct {
	byName map[string]*scopeNode
	byHash map[uint64]*scopeNode
	// collided is set if two scopes ever share a hash; lookups then use
	// byName only. With 64-bit FNV-1a this is a theoretical safeguard.
	collided bool
	root     *scopeNode
	// chains maps a subscription or management group (by hash; a list in
	// case two share one) to the nodes of the management groups above it,
	// nearest first.
	chains map[uint64][]mgChain
}

type mgChain struct {
	top   string
	nodes []*scopeNode
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func fnv(b []byte) uint64 {
	h := uint64(fnvOffset)
	for _, c := range b {
		h = (h ^ uint64(c)) * fnvPrime
	}
	return h
}

// node returns the node of a normalized scope, creating it.
func (x *scopeIndex) node(scope string) *scopeNode {
	if n := x.byName[scope]; n != nil {
		return n
	}
	if x.byName == nil {
		x.byName, x.byHash = map[string]*scopeNode{}, map[uint64]*scopeNode{}
	}
	n := &scopeNode{id: uint32(len(x.byName)), scope: scope}
	x.byName[scope] = n
	h := fnv([]byte(scope))
	if _, taken := x.byHash[h]; taken {
		x.collided = true
	}
	x.byHash[h] = n
	if scope == RootScope {
		x.root = n
	}
	return n
}

// lookup finds the node of prefix, whose hash is h.
func (x *scopeIndex) lookup(prefix []byte, h uint64) *scopeNode {
	if x.collided {
		return x.byName[string(prefix)]
	}
	if n := x.byHash[h]; n != nil && n.scope == string(prefix) {
		return n
	}
	return nil
}

// setChains resolves the compiled Parents chains to existing nodes.
func (x *scopeIndex) setChains(chains map[string][]string) {
	x.chains = make(map[uint64][]mgChain, len(chains))
	for top, mgs := range chains {
		c := mgChain{top: top}
		for _, mg := range mgs {
			if n := x.byName[mg]; n != nil {
				c.nodes = append(c.nodes, n)
			}
		}
		h := fnv([]byte(top))
		x.chains[h] = append(x.chains[h], c)
	}
}

// chain returns the management-group nodes above top.
func (x *scopeIndex) chain(top []byte, h uint64) []*scopeNode {
	for _, c := range x.chains[h] {
		if c.top == string(top) {
			return c.nodes
		}
	}
	return nil
}
