package directory

import (
	"context"
	"strings"

	"github.com/gatehouse/gatehouse/internal/store"
)

// User finds a user by object id.
func (d *Directory) User(ctx context.Context, id string) (*User, error) {
	return store.GetDoc[User](ctx, d.st, KindUser, strings.ToLower(id))
}

// UserByUPN finds a user of tenant tid by user principal name.
func (d *Directory) UserByUPN(ctx context.Context, tid, upn string) (*User, error) {
	return store.LookupDoc[User](ctx, d.st, KindUser, tenantKey(tid, "upn", strings.ToLower(upn)))
}

// Users lists the users of a tenant.
func (d *Directory) Users(ctx context.Context, tid string) ([]*User, error) {
	return store.ListDocs[User](ctx, d.st, store.Query{Kind: KindUser, Tenant: tid})
}

// CheckPassword verifies a user's password against its slow hash.
func (d *Directory) CheckPassword(u *User, password string) bool {
	return u.PasswordHash != "" && VerifyPassword(u.PasswordHash, password)
}

// NewUser is what a caller gives to create a user.
type NewUser struct {
	ID                string // optional
	UserPrincipalName string
	DisplayName       string
	Mail              string
	Password          string
	AccountEnabled    *bool
}

// CreateUser adds a user to tenant tid.
func (t *Tx) CreateUser(ctx context.Context, tid string, in NewUser) (*User, error) {
	upn := strings.TrimSpace(in.UserPrincipalName)
	if at := strings.IndexByte(upn, '@'); at <= 0 || at == len(upn)-1 {
		return nil, invalid("userPrincipalName %q must have the form alias@domain", in.UserPrincipalName)
	}
	if in.DisplayName == "" {
		return nil, invalid("displayName is required")
	}
	id, err := objectID(in.ID)
	if err != nil {
		return nil, err
	}
	u := &User{ID: id, TenantID: tid, UserPrincipalName: upn, DisplayName: in.DisplayName,
		Mail: in.Mail, AccountEnabled: in.AccountEnabled == nil || *in.AccountEnabled, CreatedAt: t.now()}
	if in.Password != "" {
		if u.PasswordHash, err = HashPassword(in.Password); err != nil {
			return nil, err
		}
	}
	if err := store.CreateDoc(ctx, t.tx, u); err != nil {
		return nil, conflictAs(err, "a user with userPrincipalName %s (or id %s) already exists", upn, id)
	}
	return u, nil
}

// PutUser writes a changed user.
func (t *Tx) PutUser(ctx context.Context, u *User) error {
	return conflictAs(store.PutDoc(ctx, t.tx, u), "another user has userPrincipalName %s", u.UserPrincipalName)
}

// User reads a user inside the transaction.
func (t *Tx) User(ctx context.Context, id string) (*User, error) {
	return store.GetDoc[User](ctx, t.tx, KindUser, strings.ToLower(id))
}

// UserByUPN reads a user by UPN inside the transaction.
func (t *Tx) UserByUPN(ctx context.Context, tid, upn string) (*User, error) {
	return store.LookupDoc[User](ctx, t.tx, KindUser, tenantKey(tid, "upn", strings.ToLower(upn)))
}

// DeleteUser removes a user with its memberships and app role assignments.
func (t *Tx) DeleteUser(ctx context.Context, id string) error {
	id = strings.ToLower(id)
	if err := t.deleteObjectEdges(ctx, id); err != nil {
		return err
	}
	return t.tx.Delete(ctx, KindUser, id)
}

func objectID(given string) (string, error) {
	if given == "" {
		return NewID(), nil
	}
	if !IsGUID(given) {
		return "", invalid("id %q is not a GUID", given)
	}
	return strings.ToLower(given), nil
}
