package rbac

// Scope levels of a request. Every ancestor of an ARM ID is a prefix of
// it, so one pass over the lower-cased scope yields a 64-bit FNV-1a hash
// for each level; indexes are keyed by that hash and a hit is confirmed by
// comparing the scope string, which spares hashing and comparing long
// strings per lookup.

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func fnv(s string) uint64 {
	h := uint64(fnvOffset)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * fnvPrime
	}
	return h
}

var rootHash = fnv(RootScope)

func fnvBytes(s []byte) uint64 {
	h := uint64(fnvOffset)
	for _, c := range s {
		h = (h ^ uint64(c)) * fnvPrime
	}
	return h
}

// prefixHashes appends the hash of s[:e] for every e in ends (ascending),
// in one pass.
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

// level is one ancestor of the request scope: a prefix of the request's
// normalized scope (end >= 0) or a management group or the root (str).
// Offsets, not slices: a pointer into the stack buffer here would let
// escape analysis move the buffer to the heap.
type level struct {
	hash uint64
	end  int
	str  string
}

// mgChain is the management groups above a subscription or management
// group, nearest first, with their hashes, and the root they end at.
type mgChain struct {
	top      string
	scopes   []string
	hashes   []uint64
	root     string
	rootHash uint64
}

// chainIndex finds a chain by the hash of its top scope; a list per hash
// keeps it correct under collisions.
type chainIndex map[uint64][]mgChain

func newChainIndex(chains map[string][]string) chainIndex {
	x := make(chainIndex, len(chains))
	for top, chain := range chains {
		mgs, root := chain[:len(chain)-1], chain[len(chain)-1]
		c := mgChain{top: top, scopes: mgs, root: root, rootHash: fnv(root)}
		for _, mg := range mgs {
			c.hashes = append(c.hashes, fnv(mg))
		}
		h := fnv(top)
		x[h] = append(x[h], c)
	}
	return x
}

func (x chainIndex) get(top []byte, h uint64) *mgChain {
	for i, c := range x[h] {
		if c.top == string(top) {
			return &x[h][i]
		}
	}
	return nil
}
