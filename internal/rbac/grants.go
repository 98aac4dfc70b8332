package rbac

import "slices"

// grantIndex holds each principal's role assignments keyed by the hash of
// their normalized scope. Keyed per principal rather than per scope, a
// lookup touches a map as small as that principal's own assignments, so
// Decide does not slow down as other principals' assignments pile up on
// the same scopes or in other subscriptions.
type grantIndex struct {
	byPID []principalGrants
}

type principalGrants struct {
	// mask has one bit per scope hash (top 8 bits) where the principal has
	// assignments: a clear bit answers "none here" without the map.
	mask    [4]uint64
	byScope map[uint64][]*compiledAssignment // sorted by name
}

func maskBit(h uint64) (word int, bit uint64) {
	b := h >> 56
	return int(b >> 6), 1 << (b & 63)
}

func (x *grantIndex) add(p pid, h uint64, ca *compiledAssignment) {
	for int(p) >= len(x.byPID) {
		x.byPID = append(x.byPID, principalGrants{})
	}
	g := &x.byPID[p]
	w, b := maskBit(h)
	g.mask[w] |= b
	if g.byScope == nil {
		g.byScope = map[uint64][]*compiledAssignment{}
	}
	g.byScope[h] = append(g.byScope[h], ca)
}

func (x *grantIndex) sort() {
	for i := range x.byPID {
		for _, list := range x.byPID[i].byScope {
			slices.SortFunc(list, byAssignmentName)
		}
	}
}

// candidates returns p's assignments whose scope hashes to h. On a hash
// collision the list may hold other scopes too: callers compare ca.scope.
func (x *grantIndex) candidates(p pid, h uint64) []*compiledAssignment {
	if int(p) >= len(x.byPID) {
		return nil
	}
	g := &x.byPID[p]
	if w, b := maskBit(h); g.mask[w]&b == 0 {
		return nil
	}
	return g.byScope[h]
}
