package directory

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/gatehouse/gatehouse/internal/store"
)

// Application finds an application by object id.
func (d *Directory) Application(ctx context.Context, id string) (*Application, error) {
	return store.GetDoc[Application](ctx, d.st, KindApplication, strings.ToLower(id))
}

// ApplicationByAppID finds an application by its appId (client id).
func (d *Directory) ApplicationByAppID(ctx context.Context, appID string) (*Application, error) {
	return store.LookupDoc[Application](ctx, d.st, KindApplication, "appid:"+strings.ToLower(appID))
}

// Applications lists the applications of a tenant.
func (d *Directory) Applications(ctx context.Context, tid string) ([]*Application, error) {
	return store.ListDocs[Application](ctx, d.st, store.Query{Kind: KindApplication, Tenant: tid})
}

// CheckSecret tests a presented client secret against the application's
// password credentials at time now.
func (d *Directory) CheckSecret(app *Application, secret string, now time.Time) SecretCheck {
	result := SecretWrong
	digest := d.secrets.Digest(secret)
	for _, c := range app.PasswordCredentials {
		if !hmacEqual(digest, c.Digest) {
			continue
		}
		switch {
		case now.After(c.EndDateTime):
			result = SecretExpired
		case now.Before(c.StartDateTime):
			result = SecretNotYet
		default:
			return SecretOK
		}
	}
	return result
}

// NewApplication is what a caller gives to create an application.
type NewApplication struct {
	AppID          string // optional; generated when empty
	DisplayName    string
	SignInAudience string
	IdentifierURIs []string
	TokenVersion   *int
	AppRoles       []AppRole
}

// CreateApplication registers an application in tenant tid.
func (t *Tx) CreateApplication(ctx context.Context, tid string, in NewApplication) (*Application, error) {
	if strings.TrimSpace(in.DisplayName) == "" {
		return nil, invalid("displayName is required")
	}
	appID := strings.ToLower(in.AppID)
	if appID == "" {
		appID = NewID()
	} else if !IsGUID(appID) {
		return nil, invalid("appId %q is not a GUID", in.AppID)
	}
	if err := validateTokenVersion(in.TokenVersion); err != nil {
		return nil, err
	}
	aud := in.SignInAudience
	if aud == "" {
		aud = "AzureADMyOrg"
	}
	app := &Application{ID: NewID(), AppID: appID, TenantID: tid, DisplayName: in.DisplayName,
		SignInAudience: aud, IdentifierURIs: nonNil(in.IdentifierURIs), AppRoles: fillRoleIDs(in.AppRoles),
		API:                 APIApplication{RequestedAccessTokenVersion: in.TokenVersion},
		PasswordCredentials: []PasswordCredential{}, KeyCredentials: []KeyCredential{}, CreatedAt: t.now()}
	if err := store.CreateDoc(ctx, t.tx, app); err != nil {
		return nil, conflictAs(err, "an application with appId %s or one of the identifierUris %v already exists", appID, in.IdentifierURIs)
	}
	return app, nil
}

// PutApplication replaces an application (after the caller changed it) and
// keeps its service principals' copies of names, roles and token version.
func (t *Tx) PutApplication(ctx context.Context, app *Application) error {
	if err := validateTokenVersion(app.API.RequestedAccessTokenVersion); err != nil {
		return err
	}
	app.AppRoles = fillRoleIDs(app.AppRoles)
	if err := store.PutDoc(ctx, t.tx, app); err != nil {
		return conflictAs(err, "another application already uses one of the identifierUris %v", app.IdentifierURIs)
	}
	sps, err := store.ListDocs[ServicePrincipal](ctx, t.tx, store.Query{Kind: KindServicePrincipal, Ref: "app:" + app.AppID})
	if err != nil {
		return err
	}
	for _, sp := range sps {
		sp.DisplayName, sp.AppRoles = app.DisplayName, app.AppRoles
		sp.ServicePrincipalNames = spNames(app)
		sp.TokenVersion = app.TokenVersion()
		if err := store.PutDoc(ctx, t.tx, sp); err != nil {
			return conflictAs(err, "another service principal in tenant %s already uses one of the names %v", sp.TenantID, sp.ServicePrincipalNames)
		}
	}
	return nil
}

// Application reads an application inside the transaction.
func (t *Tx) Application(ctx context.Context, id string) (*Application, error) {
	return store.GetDoc[Application](ctx, t.tx, KindApplication, strings.ToLower(id))
}

// ApplicationByAppID reads an application by appId inside the transaction.
func (t *Tx) ApplicationByAppID(ctx context.Context, appID string) (*Application, error) {
	return store.LookupDoc[Application](ctx, t.tx, KindApplication, "appid:"+strings.ToLower(appID))
}

// DeleteApplication removes an application and its service principals.
func (t *Tx) DeleteApplication(ctx context.Context, id string) error {
	app, err := t.Application(ctx, id)
	if err != nil {
		return err
	}
	sps, err := store.ListDocs[ServicePrincipal](ctx, t.tx, store.Query{Kind: KindServicePrincipal, Ref: "app:" + app.AppID})
	if err != nil {
		return err
	}
	for _, sp := range sps {
		if err := t.DeleteServicePrincipal(ctx, sp.ID); err != nil {
			return err
		}
	}
	return t.tx.Delete(ctx, KindApplication, app.ID)
}

// AddPassword adds a generated client secret to an application and returns
// the secret text, which is not kept anywhere.
func (t *Tx) AddPassword(ctx context.Context, appObjectID, displayName string, start, end time.Time) (string, PasswordCredential, error) {
	secret := GenerateSecret()
	cred, err := t.AddPasswordValue(ctx, appObjectID, displayName, secret, start, end)
	return secret, cred, err
}

// AddPasswordValue adds a client secret chosen by the caller (declarative
// configuration). Zero start means now; zero end means two years from start.
func (t *Tx) AddPasswordValue(ctx context.Context, appObjectID, displayName, secret string, start, end time.Time) (PasswordCredential, error) {
	if len(secret) < 16 {
		return PasswordCredential{}, invalid("a client secret must have at least 16 characters")
	}
	app, err := t.Application(ctx, appObjectID)
	if err != nil {
		return PasswordCredential{}, err
	}
	if start.IsZero() {
		start = t.now()
	}
	if end.IsZero() {
		end = start.AddDate(2, 0, 0)
	}
	if !end.After(start) {
		return PasswordCredential{}, invalid("endDateTime must be after startDateTime")
	}
	cred := PasswordCredential{KeyID: NewID(), DisplayName: displayName, Hint: SecretHint(secret),
		StartDateTime: start.UTC(), EndDateTime: end.UTC(), Digest: t.d.secrets.Digest(secret)}
	app.PasswordCredentials = append(app.PasswordCredentials, cred)
	return cred, store.PutDoc(ctx, t.tx, app)
}

// RemovePassword removes the password credential keyID.
func (t *Tx) RemovePassword(ctx context.Context, appObjectID, keyID string) error {
	app, err := t.Application(ctx, appObjectID)
	if err != nil {
		return err
	}
	kept := app.PasswordCredentials[:0]
	for _, c := range app.PasswordCredentials {
		if !strings.EqualFold(c.KeyID, keyID) {
			kept = append(kept, c)
		}
	}
	if len(kept) == len(app.PasswordCredentials) {
		return store.ErrNotFound
	}
	app.PasswordCredentials = kept
	return store.PutDoc(ctx, t.tx, app)
}

func validateTokenVersion(v *int) error {
	if v != nil && *v != 1 && *v != 2 {
		return invalid("requestedAccessTokenVersion must be 1, 2 or null")
	}
	return nil
}

func fillRoleIDs(roles []AppRole) []AppRole {
	out := make([]AppRole, 0, len(roles))
	for _, r := range roles {
		if r.ID == "" {
			r.ID = uuid.NewString()
		}
		if len(r.AllowedMemberTypes) == 0 {
			r.AllowedMemberTypes = []string{"Application"}
		}
		out = append(out, r)
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func conflictAs(err error, format string, args ...any) error {
	if errors.Is(err, store.ErrConflict) {
		return &ConflictError{Msg: invalid(format, args...).Error()}
	}
	return err
}

// ConflictError is a write that collides with an existing object.
type ConflictError struct{ Msg string }

func (e *ConflictError) Error() string { return e.Msg }

// Unwrap lets errors.Is(err, store.ErrConflict) hold.
func (e *ConflictError) Unwrap() error { return store.ErrConflict }
