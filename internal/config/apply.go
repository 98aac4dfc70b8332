package config

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/gatehouse/gatehouse/internal/directory"
	"github.com/gatehouse/gatehouse/internal/store"
)

// GeneratedSecret is a secret the configuration asked gatehouse to create.
type GeneratedSecret struct {
	Tenant      string `json:"tenant"`
	AppID       string `json:"appId"`
	Application string `json:"application"`
	DisplayName string `json:"displayName"`
	Secret      string `json:"secret"`
}

// Apply makes the directory hold what f declares, in one transaction.
// Running it again changes nothing; objects not mentioned are left alone.
// It returns the secrets it generated (shown once; never stored in clear).
func Apply(ctx context.Context, dir *directory.Directory, f *File) ([]GeneratedSecret, error) {
	return ApplyWithProgress(ctx, dir, f, nil)
}

// ApplyWithProgress is Apply reporting, every so many role assignments,
// how many of a tenant's are done (for a terminal: a large import takes a
// while).
func ApplyWithProgress(ctx context.Context, dir *directory.Directory, f *File, progress func(done, total int)) ([]GeneratedSecret, error) {
	var out []GeneratedSecret
	err := dir.Update(ctx, func(tx *directory.Tx) error {
		out = nil // Update may retry
		for i := range f.Tenants {
			gen, err := applyTenant(ctx, dir, tx, &f.Tenants[i], progress)
			if err != nil {
				return fmt.Errorf("tenant %s: %w", f.Tenants[i].Domain, err)
			}
			out = append(out, gen...)
		}
		return nil
	})
	return out, err
}

func applyTenant(ctx context.Context, dir *directory.Directory, tx *directory.Tx, t *Tenant, progress func(done, total int)) ([]GeneratedSecret, error) {
	ten, err := ensureTenant(ctx, tx, t)
	if err != nil {
		return nil, err
	}
	for _, u := range t.Users {
		if err := ensureUser(ctx, tx, ten.ID, u); err != nil {
			return nil, fmt.Errorf("user %s: %w", u.UserPrincipalName, err)
		}
	}
	var gen []GeneratedSecret
	for _, a := range t.Applications {
		g, err := ensureApp(ctx, dir, tx, ten, a)
		if err != nil {
			return nil, fmt.Errorf("application %s: %w", a.DisplayName, err)
		}
		gen = append(gen, g...)
	}
	for _, a := range t.Applications {
		if err := ensureAppRoleAssignments(ctx, tx, ten.ID, a); err != nil {
			return nil, fmt.Errorf("application %s: %w", a.DisplayName, err)
		}
	}
	if err := ensureGroups(ctx, tx, ten.ID, t.Groups); err != nil {
		return nil, err
	}
	return gen, applyARM(ctx, tx, ten.ID, t, progress)
}

func ensureTenant(ctx context.Context, tx *directory.Tx, t *Tenant) (*directory.Tenant, error) {
	key := t.Domain
	if t.ID != "" {
		key = t.ID
	}
	ten, err := tx.Tenant(ctx, key)
	if err == nil {
		return ten, tx.EnsureWellKnown(ctx, ten.ID)
	}
	if !directory.IsNotFound(err) {
		return nil, err
	}
	return tx.CreateTenant(ctx, directory.NewTenant{ID: t.ID, DisplayName: t.DisplayName, Domain: t.Domain})
}

func ensureUser(ctx context.Context, tx *directory.Tx, tid string, u User) error {
	cur, err := tx.UserByUPN(ctx, tid, u.UserPrincipalName)
	if directory.IsNotFound(err) {
		_, err = tx.CreateUser(ctx, tid, directory.NewUser{ID: u.ID, UserPrincipalName: u.UserPrincipalName,
			DisplayName: u.DisplayName, Password: u.Password, AccountEnabled: u.AccountEnabled})
		return err
	}
	if err != nil {
		return err
	}
	changed := cur.DisplayName != u.DisplayName
	cur.DisplayName = u.DisplayName
	if u.AccountEnabled != nil && cur.AccountEnabled != *u.AccountEnabled {
		cur.AccountEnabled, changed = *u.AccountEnabled, true
	}
	if u.Password != "" && !directory.VerifyPassword(cur.PasswordHash, u.Password) {
		if cur.PasswordHash, err = directory.HashPassword(u.Password); err != nil {
			return err
		}
		changed = true
	}
	if !changed {
		return nil
	}
	return tx.PutUser(ctx, cur)
}

func ensureApp(ctx context.Context, dir *directory.Directory, tx *directory.Tx, ten *directory.Tenant, a Application) ([]GeneratedSecret, error) {
	app, err := findApp(ctx, tx, ten.ID, a)
	if err != nil {
		return nil, err
	}
	if app == nil {
		app, err = tx.CreateApplication(ctx, ten.ID, directory.NewApplication{AppID: a.AppID, DisplayName: a.DisplayName,
			IdentifierURIs: a.IdentifierURIs, TokenVersion: a.RequestedAccessTokenVersion, AppRoles: a.AppRoles})
	} else {
		app.DisplayName, app.IdentifierURIs = a.DisplayName, nonNil(a.IdentifierURIs)
		app.API.RequestedAccessTokenVersion = a.RequestedAccessTokenVersion
		app.AppRoles = keepRoleIDs(app.AppRoles, a.AppRoles)
		err = tx.PutApplication(ctx, app)
	}
	if err != nil {
		return nil, err
	}
	if a.ServicePrincipal == nil || *a.ServicePrincipal {
		if _, err := tx.ServicePrincipalByAppID(ctx, ten.ID, app.AppID); directory.IsNotFound(err) {
			if _, err := tx.CreateServicePrincipal(ctx, ten.ID, app.AppID); err != nil {
				return nil, err
			}
		} else if err != nil {
			return nil, err
		}
	}
	if err := ensureCertificates(ctx, tx, app.ID, a.Certificates); err != nil {
		return nil, err
	}
	return ensureSecrets(ctx, dir, tx, ten, app.ID, a.Secrets)
}

// findApp finds the declared app by appId, or else by display name.
func findApp(ctx context.Context, tx *directory.Tx, tid string, a Application) (*directory.Application, error) {
	if a.AppID != "" {
		app, err := tx.ApplicationByAppID(ctx, a.AppID)
		if directory.IsNotFound(err) {
			return nil, nil
		}
		return app, err
	}
	apps, err := store.ListDocs[directory.Application](ctx, tx.Store(), store.Query{Kind: directory.KindApplication, Tenant: tid})
	if err != nil {
		return nil, err
	}
	for _, app := range apps {
		if app.DisplayName == a.DisplayName {
			return app, nil
		}
	}
	return nil, nil
}

// keepRoleIDs keeps the ids of roles that already exist (by value), so a
// restart does not change role ids that assignments refer to.
func keepRoleIDs(cur, want []directory.AppRole) []directory.AppRole {
	out := make([]directory.AppRole, 0, len(want))
	for _, w := range want {
		for _, c := range cur {
			if w.ID == "" && c.Value == w.Value {
				w.ID = c.ID
			}
		}
		out = append(out, w)
	}
	return out
}

func ensureCertificates(ctx context.Context, tx *directory.Tx, appObjectID string, certs []Certificate) error {
	for _, c := range certs {
		data := []byte(c.PEM)
		if c.File != "" {
			var err error
			if data, err = os.ReadFile(c.File); err != nil {
				return err
			}
		}
		cert, err := directory.ParseCertificate(data)
		if err != nil {
			return err
		}
		if err := tx.AddKey(ctx, appObjectID, directory.NewKeyCredential(cert, c.DisplayName)); err != nil {
			return err
		}
	}
	return nil
}

func ensureSecrets(ctx context.Context, dir *directory.Directory, tx *directory.Tx, ten *directory.Tenant, appObjectID string, secrets []Secret) ([]GeneratedSecret, error) {
	var gen []GeneratedSecret
	for _, s := range secrets {
		app, err := tx.Application(ctx, appObjectID)
		if err != nil {
			return nil, err
		}
		existing := findPassword(app, s.DisplayName)
		if existing != nil && (s.Value == "" || dir.CheckSecret(app, s.Value, existing.StartDateTime) != directory.SecretWrong) {
			continue // already there (generated earlier, or the same value)
		}
		if existing != nil {
			if err := tx.RemovePassword(ctx, app.ID, existing.KeyID); err != nil {
				return nil, err
			}
		}
		value := s.Value
		if value == "" {
			value = directory.GenerateSecret()
			gen = append(gen, GeneratedSecret{Tenant: ten.ID, AppID: app.AppID, Application: app.DisplayName,
				DisplayName: s.DisplayName, Secret: value})
		}
		var end = directory.ZeroTime
		if s.EndDateTime != nil {
			end = *s.EndDateTime
		}
		if _, err := tx.AddPasswordValue(ctx, app.ID, s.DisplayName, value, directory.ZeroTime, end); err != nil {
			return nil, err
		}
	}
	return gen, nil
}

func findPassword(app *directory.Application, name string) *directory.PasswordCredential {
	for i := range app.PasswordCredentials {
		if app.PasswordCredentials[i].DisplayName == name {
			return &app.PasswordCredentials[i]
		}
	}
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// splitAssignment splits "{resource}/{role}" at the last slash.
func splitAssignment(s string) (string, string) {
	i := strings.LastIndexByte(s, '/')
	return s[:i], s[i+1:]
}
