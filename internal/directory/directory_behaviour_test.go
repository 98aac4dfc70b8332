package directory_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/directory"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
)

func newDir(t *testing.T) (*directory.Directory, *directory.Tenant) {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "dir.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	d := directory.New(st, []byte("0123456789abcdef0123456789abcdef"))
	var ten *directory.Tenant
	update(t, d, func(ctx context.Context, tx *directory.Tx) error {
		ten, err = tx.CreateTenant(ctx, directory.NewTenant{Domain: "contoso.onmicrosoft.com"})
		return err
	})
	return d, ten
}

func update(t *testing.T, d *directory.Directory, fn func(ctx context.Context, tx *directory.Tx) error) {
	t.Helper()
	ctx := context.Background()
	if err := d.Update(ctx, func(tx *directory.Tx) error { return fn(ctx, tx) }); err != nil {
		t.Fatal(err)
	}
}

func TestCheckSecret(t *testing.T) {
	d, ten := newDir(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	var app *directory.Application
	var generated string
	update(t, d, func(ctx context.Context, tx *directory.Tx) error {
		var err error
		if app, err = tx.CreateApplication(ctx, ten.ID, directory.NewApplication{DisplayName: "secrets"}); err != nil {
			return err
		}
		if generated, _, err = tx.AddPassword(ctx, app.ID, "generated", time.Time{}, time.Time{}); err != nil {
			return err
		}
		if _, err := tx.AddPasswordValue(ctx, app.ID, "expired", "expired-value-0123456789", now.AddDate(-1, 0, 0), now.Add(-time.Hour)); err != nil {
			return err
		}
		if _, err := tx.AddPasswordValue(ctx, app.ID, "future", "future-value-0123456789", now.Add(time.Hour), now.AddDate(1, 0, 0)); err != nil {
			return err
		}
		// The same value twice, once expired and once current: current wins.
		if _, err := tx.AddPasswordValue(ctx, app.ID, "old", "rotated-value-0123456789", now.AddDate(-1, 0, 0), now.Add(-time.Minute)); err != nil {
			return err
		}
		_, err = tx.AddPasswordValue(ctx, app.ID, "new", "rotated-value-0123456789", now.Add(-time.Minute), now.AddDate(1, 0, 0))
		return err
	})
	app, err := d.Application(ctx, app.ID)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, secret string
		at           time.Time
		want         directory.SecretCheck
	}{
		{"generated", generated, now, directory.SecretOK},
		{"wrong", "not-a-secret-at-all", now, directory.SecretWrong},
		{"empty", "", now, directory.SecretWrong},
		{"prefix of a secret", generated[:len(generated)-1], now, directory.SecretWrong},
		{"expired", "expired-value-0123456789", now, directory.SecretExpired},
		{"expired, checked before its end", "expired-value-0123456789", now.Add(-2 * time.Hour), directory.SecretOK},
		{"not yet valid", "future-value-0123456789", now, directory.SecretNotYet},
		{"not yet valid, checked later", "future-value-0123456789", now.Add(2 * time.Hour), directory.SecretOK},
		{"rotated: a current copy wins over an expired one", "rotated-value-0123456789", now, directory.SecretOK},
		{"generated, after two years", generated, now.AddDate(2, 0, 1), directory.SecretExpired},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := d.CheckSecret(app, tc.secret, tc.at); got != tc.want {
				t.Errorf("CheckSecret = %v, want %v", got, tc.want)
			}
		})
	}
	t.Run("stored shape", func(t *testing.T) {
		for _, c := range app.PasswordCredentials {
			if len(c.Digest) != 32 || strings.Contains(string(c.Digest), "value") {
				t.Errorf("%s: digest %x is not a keyed hash", c.DisplayName, c.Digest)
			}
		}
		g := app.PasswordCredentials[0]
		if g.Hint != generated[:3] || len(generated) != 40 || generated[3:6] != "8Q~" {
			t.Errorf("generated secret %q / hint %q not in Entra's shape", generated, g.Hint)
		}
		if !g.EndDateTime.Equal(g.StartDateTime.AddDate(2, 0, 0)) {
			t.Errorf("default lifetime %v – %v, want two years", g.StartDateTime, g.EndDateTime)
		}
	})
	t.Run("another key does not accept the secret", func(t *testing.T) {
		other := directory.New(d.Store(), []byte("another-key-another-key-another-"))
		if got := other.CheckSecret(app, generated, now); got != directory.SecretWrong {
			t.Errorf("CheckSecret with another key = %v", got)
		}
	})
	t.Run("invalid secrets refused", func(t *testing.T) {
		for name, fn := range map[string]func(ctx context.Context, tx *directory.Tx) error{
			"short": func(ctx context.Context, tx *directory.Tx) error {
				_, err := tx.AddPasswordValue(ctx, app.ID, "x", "short", time.Time{}, time.Time{})
				return err
			},
			"end before start": func(ctx context.Context, tx *directory.Tx) error {
				_, err := tx.AddPasswordValue(ctx, app.ID, "x", "long-enough-value-123", now, now.Add(-time.Hour))
				return err
			},
		} {
			err := d.Update(ctx, func(tx *directory.Tx) error { return fn(ctx, tx) })
			var inv *directory.InvalidError
			if !errors.As(err, &inv) {
				t.Errorf("%s: %v, want an InvalidError", name, err)
			}
		}
	})
	t.Run("remove", func(t *testing.T) {
		update(t, d, func(ctx context.Context, tx *directory.Tx) error {
			return tx.RemovePassword(ctx, app.ID, strings.ToUpper(app.PasswordCredentials[0].KeyID))
		})
		app, _ := d.Application(ctx, app.ID)
		if got := d.CheckSecret(app, generated, now); got != directory.SecretWrong {
			t.Errorf("removed secret still checks %v", got)
		}
		err := d.Update(ctx, func(tx *directory.Tx) error { return tx.RemovePassword(ctx, app.ID, directory.NewID()) })
		if !directory.IsNotFound(err) {
			t.Errorf("removing an unknown key: %v", err)
		}
	})
}

func TestPasswordHash(t *testing.T) {
	h, err := directory.HashPassword("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") || strings.Contains(h, "horse") {
		t.Errorf("hash %q is not an argon2id PHC string", h)
	}
	h2, _ := directory.HashPassword("correct horse battery staple")
	if h == h2 {
		t.Error("two hashes of one password are equal (no salt?)")
	}
	cases := []struct {
		hash, password string
		want           bool
	}{
		{h, "correct horse battery staple", true},
		{h2, "correct horse battery staple", true},
		{h, "correct horse battery stapl", false},
		{h, "", false},
		{"", "correct horse battery staple", false},
		{strings.Replace(h, "argon2id", "argon2i", 1), "correct horse battery staple", false},
		{h[:len(h)-4], "correct horse battery staple", false},
		{"$argon2id$v=19$m=x,t=2,p=1$AAAA$AAAA", "x", false},
		{"$argon2id$v=19$m=19456,t=2,p=1$!!!$AAAA", "x", false},
		{"$$$$$", "x", false},
	}
	for i, tc := range cases {
		if got := directory.VerifyPassword(tc.hash, tc.password); got != tc.want {
			t.Errorf("case %d: VerifyPassword = %v, want %v", i, got, tc.want)
		}
	}
	if _, err := directory.HashPassword("short"); err == nil {
		t.Error("a 5-character password was accepted")
	}
	d, ten := newDir(t)
	var u *directory.User
	update(t, d, func(ctx context.Context, tx *directory.Tx) error {
		u, err = tx.CreateUser(ctx, ten.ID, directory.NewUser{UserPrincipalName: "alice@contoso.onmicrosoft.com", DisplayName: "Alice", Password: "Pa55w.rd!"})
		return err
	})
	if !d.CheckPassword(u, "Pa55w.rd!") || d.CheckPassword(u, "pa55w.rd!") {
		t.Error("CheckPassword round trip failed")
	}
	var nopw *directory.User
	update(t, d, func(ctx context.Context, tx *directory.Tx) error {
		nopw, err = tx.CreateUser(ctx, ten.ID, directory.NewUser{UserPrincipalName: "bob@contoso.onmicrosoft.com", DisplayName: "Bob"})
		return err
	})
	if d.CheckPassword(nopw, "") {
		t.Error("a user without a password signs in with an empty one")
	}
}

// world is a small directory: a resource app with roles, a client app, a
// user and groups, every edge kind in place.
type world struct {
	d                   *directory.Directory
	ten                 *directory.Tenant
	res, client         *directory.ServicePrincipal
	resApp, clientApp   *directory.Application
	user                *directory.User
	outer, inner, other *directory.Group
	roleID              string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{}
	w.d, w.ten = newDir(t)
	update(t, w.d, func(ctx context.Context, tx *directory.Tx) error {
		var err error
		tid := w.ten.ID
		if w.resApp, err = tx.CreateApplication(ctx, tid, directory.NewApplication{DisplayName: "api", IdentifierURIs: []string{"api://api"},
			AppRoles: []directory.AppRole{{Value: "Read", DisplayName: "Read", IsEnabled: true, AllowedMemberTypes: []string{"Application", "User"}}}}); err != nil {
			return err
		}
		w.roleID = w.resApp.AppRoles[0].ID
		if w.res, err = tx.CreateServicePrincipal(ctx, tid, w.resApp.AppID); err != nil {
			return err
		}
		if w.clientApp, err = tx.CreateApplication(ctx, tid, directory.NewApplication{DisplayName: "client"}); err != nil {
			return err
		}
		if w.client, err = tx.CreateServicePrincipal(ctx, tid, w.clientApp.AppID); err != nil {
			return err
		}
		if w.user, err = tx.CreateUser(ctx, tid, directory.NewUser{UserPrincipalName: "u@contoso.onmicrosoft.com", DisplayName: "U"}); err != nil {
			return err
		}
		for _, g := range []**directory.Group{&w.outer, &w.inner, &w.other} {
			if *g, err = tx.CreateGroup(ctx, tid, directory.NewGroup{DisplayName: "g"}); err != nil {
				return err
			}
		}
		edges := [][2]string{{w.outer.ID, w.inner.ID}, {w.inner.ID, w.user.ID}, {w.inner.ID, w.client.ID},
			{w.other.ID, w.user.ID}, {w.other.ID, w.res.ID}, {w.outer.ID, w.other.ID}}
		for _, e := range edges {
			if err := tx.AddMember(ctx, e[0], e[1]); err != nil {
				return err
			}
		}
		for _, p := range []string{w.user.ID, w.client.ID, w.inner.ID} {
			if _, err := tx.AssignAppRole(ctx, p, w.res.ID, w.roleID); err != nil {
				return err
			}
		}
		return nil
	})
	return w
}

func (w *world) memberIDs(t *testing.T, groupID string) []string {
	t.Helper()
	ms, err := w.d.Members(context.Background(), groupID)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range ms {
		out = append(out, m.MemberID)
	}
	return out
}

func (w *world) assignments(t *testing.T) []*directory.AppRoleAssignment {
	t.Helper()
	as, err := w.d.AppRoleAssignedTo(context.Background(), w.res.ID)
	if err != nil {
		t.Fatal(err)
	}
	return as
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestDeleteCascades: deleting a principal removes every edge that names it.
func TestDeleteCascades(t *testing.T) {
	ctx := context.Background()
	t.Run("user", func(t *testing.T) {
		w := newWorld(t)
		update(t, w.d, func(ctx context.Context, tx *directory.Tx) error { return tx.DeleteUser(ctx, w.user.ID) })
		if _, err := w.d.User(ctx, w.user.ID); !directory.IsNotFound(err) {
			t.Errorf("user still there: %v", err)
		}
		if contains(w.memberIDs(t, w.inner.ID), w.user.ID) || contains(w.memberIDs(t, w.other.ID), w.user.ID) {
			t.Error("memberships of the deleted user remain")
		}
		if got, _ := w.d.AppRoleAssignmentsOf(ctx, w.user.ID); len(got) != 0 {
			t.Errorf("%d app role assignments of the deleted user remain", len(got))
		}
		if len(w.assignments(t)) != 2 || !contains(w.memberIDs(t, w.inner.ID), w.client.ID) {
			t.Error("deleting a user removed other edges")
		}
	})
	t.Run("service principal", func(t *testing.T) {
		w := newWorld(t)
		update(t, w.d, func(ctx context.Context, tx *directory.Tx) error { return tx.DeleteServicePrincipal(ctx, w.client.ID) })
		if contains(w.memberIDs(t, w.inner.ID), w.client.ID) {
			t.Error("membership of the deleted SP remains")
		}
		if got, _ := w.d.AppRoleAssignmentsOf(ctx, w.client.ID); len(got) != 0 {
			t.Error("app role assignments of the deleted SP remain")
		}
		if _, err := w.d.Application(ctx, w.clientApp.ID); err != nil {
			t.Errorf("deleting the SP deleted its application: %v", err)
		}
	})
	t.Run("resource service principal", func(t *testing.T) {
		w := newWorld(t)
		update(t, w.d, func(ctx context.Context, tx *directory.Tx) error { return tx.DeleteServicePrincipal(ctx, w.res.ID) })
		if len(w.assignments(t)) != 0 {
			t.Error("assignments on the deleted resource remain")
		}
		for _, p := range []string{w.user.ID, w.client.ID, w.inner.ID} {
			if got, _ := w.d.AppRoleAssignmentsOf(ctx, p); len(got) != 0 {
				t.Errorf("%s still holds %d roles of the deleted resource", p, len(got))
			}
		}
		if contains(w.memberIDs(t, w.other.ID), w.res.ID) {
			t.Error("membership of the deleted resource SP remains")
		}
	})
	t.Run("group", func(t *testing.T) {
		w := newWorld(t)
		update(t, w.d, func(ctx context.Context, tx *directory.Tx) error { return tx.DeleteGroup(ctx, w.inner.ID) })
		if contains(w.memberIDs(t, w.outer.ID), w.inner.ID) {
			t.Error("the deleted group is still a member of its parent")
		}
		if got, _ := w.d.MemberOf(ctx, w.client.ID); len(got) != 0 {
			t.Error("the deleted group's members still list it")
		}
		if got, _ := w.d.AppRoleAssignmentsOf(ctx, w.inner.ID); len(got) != 0 {
			t.Error("app role assignments of the deleted group remain")
		}
		tr, _ := w.d.TransitiveMemberOf(ctx, w.user.ID)
		if len(tr) != 2 || !contains(tr, w.other.ID) || !contains(tr, w.outer.ID) {
			t.Errorf("user's transitive groups after delete: %v", tr)
		}
	})
	t.Run("application", func(t *testing.T) {
		w := newWorld(t)
		update(t, w.d, func(ctx context.Context, tx *directory.Tx) error { return tx.DeleteApplication(ctx, w.resApp.ID) })
		if _, err := w.d.ServicePrincipal(ctx, w.res.ID); !directory.IsNotFound(err) {
			t.Errorf("the application's SP survived: %v", err)
		}
		if len(w.assignments(t)) != 0 {
			t.Error("assignments on the deleted application's SP remain")
		}
		if _, err := w.d.ResourceByName(ctx, w.ten.ID, "api://api"); !directory.IsNotFound(err) {
			t.Errorf("identifier URI still resolves: %v", err)
		}
		// The appId and identifier URI are free again.
		update(t, w.d, func(ctx context.Context, tx *directory.Tx) error {
			_, err := tx.CreateApplication(ctx, w.ten.ID, directory.NewApplication{AppID: w.resApp.AppID, DisplayName: "again", IdentifierURIs: []string{"api://api"}})
			return err
		})
	})
}

// TestMembershipRules: duplicates conflict, self-membership and foreign
// objects are refused, cycles do not hang transitive lookups.
func TestMembershipRules(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	err := w.d.Update(ctx, func(tx *directory.Tx) error { return tx.AddMember(ctx, w.inner.ID, w.user.ID) })
	if !errors.Is(err, store.ErrConflict) {
		t.Errorf("duplicate member: %v, want a conflict", err)
	}
	err = w.d.Update(ctx, func(tx *directory.Tx) error { return tx.AddMember(ctx, w.inner.ID, w.inner.ID) })
	var inv *directory.InvalidError
	if !errors.As(err, &inv) {
		t.Errorf("self-membership: %v", err)
	}
	var foreign *directory.User
	update(t, w.d, func(ctx context.Context, tx *directory.Tx) error {
		ten, err := tx.CreateTenant(ctx, directory.NewTenant{Domain: "fabrikam.onmicrosoft.com"})
		if err != nil {
			return err
		}
		foreign, err = tx.CreateUser(ctx, ten.ID, directory.NewUser{UserPrincipalName: "x@fabrikam.onmicrosoft.com", DisplayName: "X"})
		return err
	})
	err = w.d.Update(ctx, func(tx *directory.Tx) error { return tx.AddMember(ctx, w.inner.ID, foreign.ID) })
	if !directory.IsNotFound(err) {
		t.Errorf("member from another tenant: %v, want not found", err)
	}
	err = w.d.Update(ctx, func(tx *directory.Tx) error {
		_, err := tx.AssignAppRole(ctx, foreign.ID, w.res.ID, w.roleID)
		return err
	})
	if !directory.IsNotFound(err) {
		t.Errorf("app role for a principal of another tenant: %v, want not found", err)
	}
	// A cycle inner → outer → inner.
	update(t, w.d, func(ctx context.Context, tx *directory.Tx) error { return tx.AddMember(ctx, w.inner.ID, w.outer.ID) })
	tr, err := w.d.TransitiveMemberOf(ctx, w.user.ID)
	if err != nil || len(tr) != 3 {
		t.Errorf("transitive groups with a cycle: %v %v", tr, err)
	}
	update(t, w.d, func(ctx context.Context, tx *directory.Tx) error {
		return tx.RemoveMember(ctx, strings.ToUpper(w.inner.ID), w.user.ID)
	})
	if contains(w.memberIDs(t, w.inner.ID), w.user.ID) {
		t.Error("RemoveMember did not remove")
	}
	a1 := w.assignments(t)
	update(t, w.d, func(ctx context.Context, tx *directory.Tx) error {
		_, err := tx.AssignAppRole(ctx, w.user.ID, w.res.ID, strings.ToUpper(w.roleID))
		return err
	})
	if a2 := w.assignments(t); len(a2) != len(a1) {
		t.Errorf("assigning a role twice made %d assignments from %d", len(a2), len(a1))
	}
}
