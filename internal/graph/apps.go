package graph

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/directory"
)

type keyCredentialInput struct {
	DisplayName string `json:"displayName"`
	Key         string `json:"key"` // base64 DER (or PEM)
	Type        string `json:"type"`
	Usage       string `json:"usage"`
}

type appInput struct {
	AppID          string    `json:"appId"`
	DisplayName    *string   `json:"displayName"`
	SignInAudience string    `json:"signInAudience"`
	IdentifierURIs *[]string `json:"identifierUris"`
	API            *struct {
		RequestedAccessTokenVersion *int `json:"requestedAccessTokenVersion"`
	} `json:"api"`
	AppRoles       *[]directory.AppRole  `json:"appRoles"`
	KeyCredentials *[]keyCredentialInput `json:"keyCredentials"`
}

func (s *Service) tenantDomain(ctx context.Context, tid string) string {
	if t, err := s.dir.Tenant(ctx, tid); err == nil {
		return t.DefaultDomain()
	}
	return ""
}

// findApp resolves {id}: an object id, or "appId=…" from the alternate key.
func (s *Service) findApp(ctx context.Context, c *caller, id string) (*directory.Application, error) {
	var app *directory.Application
	var err error
	if appID, ok := strings.CutPrefix(id, "appId="); ok {
		app, err = s.dir.ApplicationByAppID(ctx, appID)
	} else {
		app, err = s.dir.Application(ctx, id)
	}
	if err == nil && app.TenantID != c.tid {
		return nil, errNotFound(id)
	}
	return app, err
}

func (s *Service) listApps(ctx context.Context, c *caller, r *http.Request) (int, any, error) {
	apps, err := s.dir.Applications(ctx, c.tid)
	if err != nil {
		return 0, nil, err
	}
	apps, err = filterList(apps, r.URL.Query().Get("$filter"), func(a *directory.Application, f string) []string {
		switch f {
		case "displayName":
			return []string{a.DisplayName}
		case "appId":
			return []string{a.AppID}
		case "id":
			return []string{a.ID}
		case "identifierUris":
			return a.IdentifierURIs
		}
		return nil
	})
	if err != nil {
		return 0, nil, err
	}
	domain := s.tenantDomain(ctx, c.tid)
	out := make([]appView, 0, len(apps))
	for _, a := range apps {
		out = append(out, viewApp(a, domain))
	}
	return 200, collection("applications", out), nil
}

func (s *Service) getApp(ctx context.Context, c *caller, r *http.Request) (int, any, error) {
	app, err := s.findApp(ctx, c, r.PathValue("id"))
	if err != nil {
		return 0, nil, err
	}
	return 200, viewApp(app, s.tenantDomain(ctx, c.tid)), nil
}

func (s *Service) createApp(ctx context.Context, c *caller, r *http.Request) (int, any, error) {
	var in appInput
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	if in.DisplayName == nil {
		return 0, nil, errBadRequest("Property 'displayName' is required.")
	}
	na := directory.NewApplication{AppID: in.AppID, DisplayName: *in.DisplayName, SignInAudience: in.SignInAudience}
	if in.IdentifierURIs != nil {
		na.IdentifierURIs = *in.IdentifierURIs
	}
	if in.API != nil {
		na.TokenVersion = in.API.RequestedAccessTokenVersion
	}
	if in.AppRoles != nil {
		na.AppRoles = *in.AppRoles
	}
	var app *directory.Application
	err := s.dir.Update(ctx, func(tx *directory.Tx) error {
		var err error
		if app, err = tx.CreateApplication(ctx, c.tid, na); err != nil {
			return err
		}
		if in.KeyCredentials != nil {
			if err := setKeys(ctx, tx, app, *in.KeyCredentials); err != nil {
				return err
			}
		}
		app, err = tx.Application(ctx, app.ID)
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	return 201, viewApp(app, s.tenantDomain(ctx, c.tid)), nil
}

func (s *Service) patchApp(ctx context.Context, c *caller, r *http.Request) (int, any, error) {
	var in appInput
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	found, err := s.findApp(ctx, c, r.PathValue("id"))
	if err != nil {
		return 0, nil, err
	}
	return 204, nil, s.dir.Update(ctx, func(tx *directory.Tx) error {
		app, err := tx.Application(ctx, found.ID)
		if err != nil {
			return err
		}
		applyAppPatch(app, &in)
		if err := tx.PutApplication(ctx, app); err != nil {
			return err
		}
		if in.KeyCredentials != nil {
			return setKeys(ctx, tx, app, *in.KeyCredentials)
		}
		return nil
	})
}

func applyAppPatch(app *directory.Application, in *appInput) {
	if in.DisplayName != nil {
		app.DisplayName = *in.DisplayName
	}
	if in.IdentifierURIs != nil {
		app.IdentifierURIs = *in.IdentifierURIs
	}
	if in.API != nil {
		app.API.RequestedAccessTokenVersion = in.API.RequestedAccessTokenVersion
	}
	if in.AppRoles != nil {
		app.AppRoles = *in.AppRoles
	}
}

// setKeys replaces an app's certificates, as PATCH keyCredentials does.
func setKeys(ctx context.Context, tx *directory.Tx, app *directory.Application, keys []keyCredentialInput) error {
	creds := make([]directory.KeyCredential, 0, len(keys))
	for _, k := range keys {
		der, err := base64.StdEncoding.DecodeString(k.Key)
		if err != nil {
			der = []byte(k.Key) // PEM
		}
		cert, err := directory.ParseCertificate(der)
		if err != nil {
			return err
		}
		creds = append(creds, directory.NewKeyCredential(cert, k.DisplayName))
	}
	cur, err := tx.Application(ctx, app.ID)
	if err != nil {
		return err
	}
	for _, old := range cur.KeyCredentials {
		if err := tx.RemoveKey(ctx, cur.ID, old.KeyID); err != nil {
			return err
		}
	}
	for _, k := range creds {
		if err := tx.AddKey(ctx, cur.ID, k); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) deleteApp(ctx context.Context, c *caller, r *http.Request) (int, any, error) {
	app, err := s.findApp(ctx, c, r.PathValue("id"))
	if err != nil {
		return 0, nil, err
	}
	return 204, nil, s.dir.Update(ctx, func(tx *directory.Tx) error { return tx.DeleteApplication(ctx, app.ID) })
}

func (s *Service) addPassword(ctx context.Context, c *caller, r *http.Request) (int, any, error) {
	var in struct {
		PasswordCredential struct {
			DisplayName   string     `json:"displayName"`
			StartDateTime *time.Time `json:"startDateTime"`
			EndDateTime   *time.Time `json:"endDateTime"`
		} `json:"passwordCredential"`
	}
	if r.ContentLength != 0 {
		if err := decode(r, &in); err != nil {
			return 0, nil, err
		}
	}
	app, err := s.findApp(ctx, c, r.PathValue("id"))
	if err != nil {
		return 0, nil, err
	}
	var start, end time.Time
	if p := in.PasswordCredential.StartDateTime; p != nil {
		start = *p
	}
	if p := in.PasswordCredential.EndDateTime; p != nil {
		end = *p
	}
	var secret string
	var cred directory.PasswordCredential
	err = s.dir.Update(ctx, func(tx *directory.Tx) error {
		var err error
		secret, cred, err = tx.AddPassword(ctx, app.ID, in.PasswordCredential.DisplayName, start, end)
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	return 200, viewPassword(cred, &secret), nil
}

func (s *Service) removePassword(ctx context.Context, c *caller, r *http.Request) (int, any, error) {
	var in struct {
		KeyID string `json:"keyId"`
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	app, err := s.findApp(ctx, c, r.PathValue("id"))
	if err != nil {
		return 0, nil, err
	}
	return 204, nil, s.dir.Update(ctx, func(tx *directory.Tx) error { return tx.RemovePassword(ctx, app.ID, in.KeyID) })
}
