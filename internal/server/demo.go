package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/gatehouse/gatehouse/internal/directory"
	"github.com/gatehouse/gatehouse/internal/store"
)

var timeZero time.Time

// ensureDemo creates the demo application once and keeps its secret in the
// owner-only demo file, so every start can print a working command.
func ensureDemo(ctx context.Context, dir *directory.Directory, b *Bootstrap, path string) (*Credentials, error) {
	if c, err := ReadCredentials(path); err == nil && b.DemoAppID != "" {
		return c, nil
	}
	var creds *Credentials
	err := dir.Update(ctx, func(tx *directory.Tx) error {
		if old, err := tx.ApplicationByAppID(ctx, b.DemoAppID); err == nil {
			if err := tx.DeleteApplication(ctx, old.ID); err != nil { // its secret file was lost
				return err
			}
		} else if b.DemoAppID != "" && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		app, _, secret, err := createAppWithSecret(ctx, tx, b.TenantID, DemoAppName, "demo")
		if err != nil {
			return err
		}
		b.DemoAppID = app.AppID
		creds = &Credentials{Tenant: b.TenantID, ClientID: app.AppID, ClientSecret: secret}
		return store.PutDoc(ctx, tx.Store(), b)
	})
	if err != nil {
		return nil, err
	}
	return creds, writeCredentials(path, creds)
}

// printDemo shows ready-to-paste commands for the demo application.
func printDemo(w io.Writer, base, caFile string, c *Credentials) {
	fmt.Fprintf(w, `
gatehouse is ready at %[1]s (tenant %[2]s).
Get an access token for Azure AI with the demo app registration:

  curl --cacert %[3]s %[1]s/%[2]s/oauth2/v2.0/token \
    -d grant_type=client_credentials \
    -d client_id=%[4]s \
    --data-urlencode client_secret='%[5]s' \
    --data-urlencode scope=https://cognitiveservices.azure.com/.default

`, base, c.Tenant, caFile, c.ClientID, c.ClientSecret)
}
