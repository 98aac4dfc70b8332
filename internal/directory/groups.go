package directory

import (
	"context"
	"strings"

	"github.com/gatehouse/gatehouse/internal/store"
)

// Group finds a group by object id.
func (d *Directory) Group(ctx context.Context, id string) (*Group, error) {
	return store.GetDoc[Group](ctx, d.st, KindGroup, strings.ToLower(id))
}

// Groups lists the groups of a tenant.
func (d *Directory) Groups(ctx context.Context, tid string) ([]*Group, error) {
	return store.ListDocs[Group](ctx, d.st, store.Query{Kind: KindGroup, Tenant: tid})
}

// Members lists the direct members of a group.
func (d *Directory) Members(ctx context.Context, groupID string) ([]*Membership, error) {
	return store.ListDocs[Membership](ctx, d.st, store.Query{Kind: KindMembership, Ref: "group:" + strings.ToLower(groupID)})
}

// MemberOf lists the groups an object is a direct member of.
func (d *Directory) MemberOf(ctx context.Context, objectID string) ([]*Membership, error) {
	return store.ListDocs[Membership](ctx, d.st, store.Query{Kind: KindMembership, Ref: "member:" + strings.ToLower(objectID)})
}

// TransitiveMemberOf lists the ids of every group an object belongs to,
// directly or through nested groups. Cycles are tolerated.
func (d *Directory) TransitiveMemberOf(ctx context.Context, objectID string) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	queue := []string{strings.ToLower(objectID)}
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		ms, err := d.MemberOf(ctx, id)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			if !seen[m.GroupID] {
				seen[m.GroupID] = true
				out = append(out, m.GroupID)
				queue = append(queue, m.GroupID)
			}
		}
	}
	return out, nil
}

// NewGroup is what a caller gives to create a group.
type NewGroup struct {
	ID           string
	DisplayName  string
	MailNickname string
	Description  string
}

// CreateGroup adds a security group to tenant tid.
func (t *Tx) CreateGroup(ctx context.Context, tid string, in NewGroup) (*Group, error) {
	if strings.TrimSpace(in.DisplayName) == "" {
		return nil, invalid("displayName is required")
	}
	id, err := objectID(in.ID)
	if err != nil {
		return nil, err
	}
	nick := in.MailNickname
	if nick == "" {
		nick = strings.ReplaceAll(in.DisplayName, " ", "")
	}
	g := &Group{ID: id, TenantID: tid, DisplayName: in.DisplayName, MailNickname: nick,
		Description: in.Description, SecurityEnabled: true, CreatedAt: t.now()}
	if err := store.CreateDoc(ctx, t.tx, g); err != nil {
		return nil, conflictAs(err, "a group with id %s already exists", id)
	}
	return g, nil
}

// Group reads a group inside the transaction.
func (t *Tx) Group(ctx context.Context, id string) (*Group, error) {
	return store.GetDoc[Group](ctx, t.tx, KindGroup, strings.ToLower(id))
}

// DeleteGroup removes a group, its memberships both ways and its app roles.
func (t *Tx) DeleteGroup(ctx context.Context, id string) error {
	id = strings.ToLower(id)
	if err := t.deleteByRef(ctx, KindMembership, "group:"+id); err != nil {
		return err
	}
	if err := t.deleteObjectEdges(ctx, id); err != nil {
		return err
	}
	return t.tx.Delete(ctx, KindGroup, id)
}

// ObjectType finds which kind of directory object id is, in tenant tid:
// TypeUser, TypeGroup or TypeServicePrincipal.
func (t *Tx) ObjectType(ctx context.Context, tid, id string) (string, error) {
	return objectType(ctx, t.tx, tid, id)
}

// ObjectType is Tx.ObjectType outside a transaction.
func (d *Directory) ObjectType(ctx context.Context, tid, id string) (string, error) {
	return objectType(ctx, d.st, tid, id)
}

func objectType(ctx context.Context, rd store.Reader, tid, id string) (string, error) {
	id = strings.ToLower(id)
	for _, k := range []struct {
		kind store.Kind
		typ  string
	}{{KindUser, TypeUser}, {KindGroup, TypeGroup}, {KindServicePrincipal, TypeServicePrincipal}} {
		rec, err := rd.Get(ctx, k.kind, id)
		if err == nil {
			if rec.Tenant != tid {
				return "", store.ErrNotFound
			}
			return k.typ, nil
		}
		if !IsNotFound(err) {
			return "", err
		}
	}
	return "", store.ErrNotFound
}

// AddMember adds a user, service principal or group to a group. Adding an
// existing member is a ConflictError, as in Graph.
func (t *Tx) AddMember(ctx context.Context, groupID, memberID string) error {
	g, err := t.Group(ctx, groupID)
	if err != nil {
		return err
	}
	typ, err := t.ObjectType(ctx, g.TenantID, memberID)
	if err != nil {
		return err
	}
	m := &Membership{TenantID: g.TenantID, GroupID: g.ID, MemberID: strings.ToLower(memberID), MemberType: typ}
	if m.MemberID == g.ID {
		return invalid("a group cannot be a member of itself")
	}
	if err := store.CreateDoc(ctx, t.tx, m); err != nil {
		return conflictAs(err, "One or more added object references already exist for the following modified properties: 'members'.")
	}
	return nil
}

// RemoveMember removes a direct member from a group.
func (t *Tx) RemoveMember(ctx context.Context, groupID, memberID string) error {
	return t.tx.Delete(ctx, KindMembership, membershipID(strings.ToLower(groupID), strings.ToLower(memberID)))
}
