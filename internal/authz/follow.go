package authz

import (
	"context"
	"errors"

	"github.com/gatehouse/gatehouse/internal/directory"
	"github.com/gatehouse/gatehouse/internal/rbac"
	"github.com/gatehouse/gatehouse/internal/store"
)

// errNeedsCompile: a change the overlay does not carry (a custom role, a
// deny assignment, the scope hierarchy — each rare and each able to change
// every decision below it) calls for a full compile.
var errNeedsCompile = errors.New("authz: change needs a full compile")

// follow brings c up to the store's revision by the changes since c.rev,
// reading each changed record once.
func (a *Authorizer) follow(ctx context.Context, c *snapshotAt) (*snapshotAt, error) {
	changes, upTo, err := a.st.Changes(ctx, c.rev)
	if err != nil {
		return nil, err
	}
	var ch rbac.Changes
	for _, x := range changes {
		switch x.Kind {
		case KindRoleDefinition, KindDenyAssignment, KindScopeParent:
			return nil, errNeedsCompile
		case KindRoleAssignment:
			if err := a.readAssignment(ctx, x, &ch); err != nil {
				return nil, err
			}
		case directory.KindMembership:
			if err := a.readMembership(ctx, x, &ch); err != nil {
				return nil, err
			}
		}
	}
	if ch.Len() == 0 {
		a.stats.Skipped.Add(1) // nothing that decides changed
		return &snapshotAt{rev: upTo, snap: c.snap}, nil
	}
	snap, err := c.snap.With(ch)
	if err != nil {
		a.log.Error("authorization changes that were skipped", "err", err)
	}
	a.stats.Followed.Add(1)
	return &snapshotAt{rev: upTo, snap: snap}, nil
}

// record is the changed record as the feed carries it, or as read now.
func (a *Authorizer) record(ctx context.Context, x store.Change) (store.Record, error) {
	switch {
	case x.Deleted:
		return store.Record{}, store.ErrNotFound
	case x.Data != nil:
		return store.Record{Kind: x.Kind, ID: x.ID, Data: x.Data}, nil
	}
	return a.st.Get(ctx, x.Kind, x.ID)
}

func (a *Authorizer) readAssignment(ctx context.Context, x store.Change, ch *rbac.Changes) error {
	if ch.Assignments == nil {
		ch.Assignments = map[string]rbac.AssignmentChange{}
	}
	id := x.ID
	rec, err := a.record(ctx, x)
	var d *RoleAssignmentDoc
	if err == nil {
		d, err = store.Decode[RoleAssignmentDoc](rec)
	}
	switch {
	case store.IsNotFound(err):
		ch.Assignments[id] = rbac.AssignmentChange{}
	case err != nil:
		return err
	default:
		ch.Assignments[id] = rbac.AssignmentChange{Present: true, Assignment: d.engine()}
	}
	return nil
}

func (a *Authorizer) readMembership(ctx context.Context, x store.Change, ch *rbac.Changes) error {
	id := x.ID
	if ch.Memberships == nil {
		ch.Memberships = map[string]rbac.MembershipChange{}
	}
	group, member, ok := directory.ParseMembershipID(id)
	if !ok {
		return errNeedsCompile
	}
	_, err := a.record(ctx, x)
	switch {
	case store.IsNotFound(err):
		ch.Memberships[id] = rbac.MembershipChange{Member: member, Group: group}
	case err != nil:
		return err
	default:
		ch.Memberships[id] = rbac.MembershipChange{Present: true, Member: member, Group: group}
	}
	return nil
}

// compactIfLarge starts a fresh compile in the background once the overlay
// has grown, and swaps it in brought up to date; requests meanwhile keep
// following on the overlay.
func (a *Authorizer) compactIfLarge(c *snapshotAt) {
	if c.snap.Overlaid() < a.CompactAt || !a.compacting.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer a.compacting.Store(false)
		ctx := context.Background()
		fresh, err := a.compile(ctx)
		if err != nil {
			a.log.Error("background compile of the authorization state", "err", err)
			return
		}
		a.mu.Lock()
		defer a.mu.Unlock()
		next, err := a.follow(ctx, fresh)
		if err != nil {
			return // a change that needs a compile: the next request makes one
		}
		if cur := a.cur.Load(); cur == nil || next.rev >= cur.rev {
			a.cur.Store(next)
			a.stats.Compactions.Add(1)
		}
	}()
}
