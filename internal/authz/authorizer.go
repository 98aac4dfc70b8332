package authz

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/gatehouse/gatehouse/internal/directory"
	"github.com/gatehouse/gatehouse/internal/rbac"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Authorizer serves decisions from the current authorization state. It
// follows the store by what changed (see follow.go): a write that cannot
// change a decision costs nothing, a role assignment or a membership costs
// what it changes, and a full compile runs at start, in the background
// once the changes pile up, and as the checked fallback.
type Authorizer struct {
	st  store.Store
	log *slog.Logger

	mu         sync.Mutex                 // serialises updates of cur
	cur        atomic.Pointer[snapshotAt] // lock-free reads on the hot path
	compacting atomic.Bool
	// CompactAt is the number of overlaid changes past which a fresh
	// compile starts in the background. The overlay's cost grows with the
	// log of its size, so it can be large: a compile of a big tenant
	// competes with requests for the CPU while it runs.
	CompactAt int
	stats     Stats
}

type snapshotAt struct {
	rev  int64
	snap *rbac.Snapshot
}

// Stats count how the state was brought up to date, for tests and metrics.
type Stats struct {
	Compiles, Followed, Skipped, Compactions atomic.Int64
}

// New returns an authorizer over st.
func New(st store.Store, log *slog.Logger) *Authorizer {
	if log == nil {
		log = slog.Default()
	}
	return &Authorizer{st: st, log: log, CompactAt: 8192}
}

// Stats reports how updates were made.
func (a *Authorizer) Stats() *Stats { return &a.stats }

// Snapshot returns the state as of the store's current revision.
func (a *Authorizer) Snapshot(ctx context.Context) (*rbac.Snapshot, error) {
	rev, err := a.st.Revision(ctx)
	if err != nil {
		return nil, err
	}
	if c := a.cur.Load(); c != nil && c.rev >= rev {
		return c.snap, nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	c := a.cur.Load()
	if c != nil && c.rev >= rev {
		return c.snap, nil
	}
	if c != nil {
		next, err := a.follow(ctx, c)
		if err == nil {
			a.cur.Store(next)
			a.compactIfLarge(next)
			return next.snap, nil
		}
		if !errors.Is(err, errNeedsCompile) && !errors.Is(err, store.ErrChangesGone) {
			return nil, err
		}
	}
	next, err := a.compile(ctx)
	if err != nil {
		return nil, err
	}
	a.cur.Store(next)
	return next.snap, nil
}

// Decide decides req on the current state. A request without a tenant is
// refused: the tenant is what confines it.
func (a *Authorizer) Decide(ctx context.Context, req rbac.Request) (rbac.Decision, *rbac.Snapshot, error) {
	if req.Tenant == "" || strings.Contains(req.Tenant, "/") {
		return rbac.Decision{}, nil, errors.New("authz: a decision needs the caller's tenant")
	}
	snap, err := a.Snapshot(ctx)
	if err != nil {
		return rbac.Decision{}, nil, err
	}
	return snap.Decide(req), snap, nil
}

// compile reads the whole state and compiles it. The revision is read
// first: whatever lands while loading is applied again from the change
// feed by the next follow, which is harmless (changes are states).
func (a *Authorizer) compile(ctx context.Context) (*snapshotAt, error) {
	rev, err := a.st.Revision(ctx)
	if err != nil {
		return nil, err
	}
	in, err := load(ctx, a.st)
	if err != nil {
		return nil, err
	}
	snap, err := rbac.Compile(*in)
	if err != nil {
		// Entries that do not compile are left out of the snapshot; the
		// rest keeps deciding.
		a.log.Error("authorization state has entries that were skipped", "err", err)
	}
	a.stats.Compiles.Add(1)
	return &snapshotAt{rev: rev, snap: snap}, nil
}

// load reads the whole authorization state.
func load(ctx context.Context, st store.Store) (*rbac.Input, error) {
	in := &rbac.Input{GroupsOf: map[string][]string{}, Parents: map[string]string{}}
	roles, err := store.ListDocs[RoleDefinitionDoc](ctx, st, store.Query{Kind: KindRoleDefinition})
	if err != nil {
		return nil, err
	}
	for _, r := range roles {
		r.RoleDefinition.Tenant = r.TenantID
		in.Roles = append(in.Roles, r.RoleDefinition)
	}
	// Only what the engine reads is decoded (not the audit times, whose
	// parsing was a good part of a start-up).
	ras, err := store.ListDocs[engineAssignment](ctx, st, store.Query{Kind: KindRoleAssignment})
	if err != nil {
		return nil, err
	}
	in.Assignments = make([]rbac.RoleAssignment, 0, len(ras))
	for _, r := range ras {
		a := r.RoleAssignment
		a.Tenant = r.TenantID
		in.Assignments = append(in.Assignments, a)
	}
	das, err := store.ListDocs[DenyAssignmentDoc](ctx, st, store.Query{Kind: KindDenyAssignment})
	if err != nil {
		return nil, err
	}
	for _, d := range das {
		d.DenyAssignment.Tenant = d.TenantID
		in.Denies = append(in.Denies, d.DenyAssignment)
	}
	ms, err := store.ListDocs[engineMembership](ctx, st, store.Query{Kind: directory.KindMembership})
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		in.GroupsOf[m.MemberID] = append(in.GroupsOf[m.MemberID], m.GroupID)
	}
	ps, err := store.ListDocs[ScopeParent](ctx, st, store.Query{Kind: KindScopeParent})
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		in.Parents[ScopeKey(p.TenantID, p.Child)] = ScopeKey(p.TenantID, p.Parent)
	}
	return in, nil
}

// engineAssignment and engineMembership are the stored documents less what
// the engine does not read.
type engineAssignment struct {
	rbac.RoleAssignment
	TenantID string `json:"tenantId"`
}

type engineMembership struct {
	GroupID  string `json:"groupId"`
	MemberID string `json:"memberId"`
}

// engine is the assignment as the engine takes it.
func (d *RoleAssignmentDoc) engine() rbac.RoleAssignment {
	a := d.RoleAssignment
	a.Tenant = d.TenantID
	return a
}
