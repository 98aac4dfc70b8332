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

// Authorizer serves decisions from the current authorization state.
type Authorizer struct {
	st  store.Store
	log *slog.Logger

	mu  sync.Mutex                 // serialises recompiles
	cur atomic.Pointer[snapshotAt] // lock-free reads on the hot path
}

type snapshotAt struct {
	rev  int64
	snap *rbac.Snapshot
}

// New returns an authorizer over st.
func New(st store.Store, log *slog.Logger) *Authorizer {
	if log == nil {
		log = slog.Default()
	}
	return &Authorizer{st: st, log: log}
}

// Snapshot returns a snapshot compiled from the current state, recompiling
// first if anything was written since the last one.
func (a *Authorizer) Snapshot(ctx context.Context) (*rbac.Snapshot, error) {
	rev, err := a.st.Revision(ctx)
	if err != nil {
		return nil, err
	}
	if c := a.cur.Load(); c != nil && c.rev == rev {
		return c.snap, nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if c := a.cur.Load(); c != nil && c.rev >= rev {
		return c.snap, nil
	}
	// Read the revision before loading: if a write lands while we load, the
	// next call sees a newer revision and compiles again.
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
	a.cur.Store(&snapshotAt{rev: rev, snap: snap})
	return snap, nil
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

// load reads the whole authorization state in one consistent read.
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
	ras, err := store.ListDocs[RoleAssignmentDoc](ctx, st, store.Query{Kind: KindRoleAssignment})
	if err != nil {
		return nil, err
	}
	in.Assignments = make([]rbac.RoleAssignment, 0, len(ras))
	for _, r := range ras {
		r.RoleAssignment.Tenant = r.TenantID
		in.Assignments = append(in.Assignments, r.RoleAssignment)
	}
	das, err := store.ListDocs[DenyAssignmentDoc](ctx, st, store.Query{Kind: KindDenyAssignment})
	if err != nil {
		return nil, err
	}
	for _, d := range das {
		d.DenyAssignment.Tenant = d.TenantID
		in.Denies = append(in.Denies, d.DenyAssignment)
	}
	ms, err := store.ListDocs[directory.Membership](ctx, st, store.Query{Kind: directory.KindMembership})
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
