package rbac

import (
	"strings"

	"github.com/gatehouse/gatehouse/internal/fold"
)

// pid is a principal's index in the snapshot. Decide looks a principal's
// object id up once; every further lookup (per scope, per group) is keyed
// by this small integer, which hashes and compares far faster than a GUID.
type pid uint32

// noPID stands for a principal the snapshot has never heard of.
const noPID = ^pid(0)

// principalTable interns object ids and holds each one's transitive groups.
type principalTable struct {
	index  map[string]pid
	names  []string // by pid: the folded object id
	groups [][]pid  // by pid: transitive groups, in id order
}

// intern returns the pid of an object id, adding it if new.
func (t *principalTable) intern(id string) pid {
	key := fold.String(strings.TrimSpace(id))
	if p, ok := t.index[key]; ok {
		return p
	}
	if t.index == nil {
		t.index = map[string]pid{}
	}
	p := pid(len(t.index))
	t.index[key] = p
	t.names = append(t.names, key)
	return p
}

// closeGroups records the transitive memberships computed by groupClosure.
func (t *principalTable) closeGroups(closure map[string][]string) {
	byPID := make(map[pid][]pid, len(closure))
	for member, groups := range closure {
		ids := make([]pid, len(groups))
		for i, g := range groups {
			ids[i] = t.intern(g)
		}
		byPID[t.intern(member)] = ids
	}
	t.groups = make([][]pid, len(t.index))
	for p, ids := range byPID {
		t.groups[p] = ids
	}
}

// lookup finds a lower-cased, trimmed object id without allocating.
func (t *principalTable) lookup(lowered []byte) (pid, []pid) {
	p, ok := t.index[string(lowered)]
	if !ok {
		return noPID, nil
	}
	return p, t.groups[p]
}
