package server

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/gatehouse/gatehouse/internal/arm"
	"github.com/gatehouse/gatehouse/internal/directory"
	"github.com/gatehouse/gatehouse/internal/store"
)

// ensureDemo creates the demo application once and keeps its secret in the
// owner-only demo file, so every start can print a working command.
func ensureDemo(ctx context.Context, dir *directory.Directory, b *Bootstrap, path string) (*Credentials, error) {
	if c, err := ReadCredentials(path); err == nil && b.DemoAppID != "" {
		// Data directories from before the demo had Azure resources get them now.
		return c, dir.Update(ctx, func(tx *directory.Tx) error { return seedDemoResources(ctx, tx, b) })
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
		if err := seedDemoResources(ctx, tx, b); err != nil {
			return err
		}
		return store.PutDoc(ctx, tx.Store(), b)
	})
	if err != nil {
		return nil, err
	}
	return creds, writeCredentials(path, creds)
}

// demo names the demo's Azure resources.
var demo = arm.DemoResources{ResourceGroup: "demo", Account: "demo", Project: "demo-project", Deployment: "gpt-4o-mini", Location: "eastus"}

// cognitiveServicesOpenAIUser is the built-in role the demo app gets.
const cognitiveServicesOpenAIUser = "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd"

// seedDemoResources creates the demo account, project and simulator-backed
// deployment, and gives the demo app Cognitive Services OpenAI User on the
// account.
func seedDemoResources(ctx context.Context, tx *directory.Tx, b *Bootstrap) error {
	acct, err := arm.SeedDemo(ctx, tx.Store(), b.TenantID, b.SubscriptionID, demo)
	if err != nil {
		return err
	}
	sp, err := tx.ServicePrincipalByAppID(ctx, b.TenantID, b.DemoAppID)
	if err != nil {
		return err
	}
	return arm.Assign(ctx, tx.Store(), b.TenantID, acct, sp.ID, "ServicePrincipal", cognitiveServicesOpenAIUser, "")
}

// printDemo shows ready-to-paste commands for the demo application.
func printDemo(w io.Writer, base, caFile, key string, c *Credentials) {
	chat := base + "/accounts/" + demo.Account + "/openai/deployments/" + demo.Deployment + "/chat/completions?api-version=2024-10-21"
	fmt.Fprintf(w, `
gatehouse is ready at %[1]s (tenant %[2]s).

1. Get an access token for Azure AI with the demo app registration:

  TOKEN=$(curl -s --cacert %[3]s %[1]s/%[2]s/oauth2/v2.0/token \
    -d grant_type=client_credentials \
    -d client_id=%[4]s \
    --data-urlencode client_secret='%[5]s' \
    --data-urlencode scope=https://cognitiveservices.azure.com/.default | jq -r .access_token)

2. Call chat completions on the demo deployment with it (the demo app holds
   Cognitive Services OpenAI User on the account):

  curl -s --cacert %[3]s '%[6]s' \
    -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    -d '{"messages":[{"role":"user","content":"Hello!"}]}'

3. The same call with the account's key:

  curl -s --cacert %[3]s '%[6]s' \
    -H 'api-key: %[7]s' -H 'Content-Type: application/json' \
    -d '{"messages":[{"role":"user","content":"Hello!"}]}'

`, base, c.Tenant, caFile, c.ClientID, c.ClientSecret, chat, key)
}
