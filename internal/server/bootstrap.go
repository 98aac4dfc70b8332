package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gatehouse/gatehouse/internal/arm"
	"github.com/gatehouse/gatehouse/internal/directory"
	"github.com/gatehouse/gatehouse/internal/store"
)

// kindMeta holds server-level facts, such as what the bootstrap created.
const kindMeta store.Kind = "meta"

// Bootstrap is what the first start created; it is kept in the store so
// every replica and every restart agrees on it.
type Bootstrap struct {
	TenantID   string `json:"tenantId"`
	AdminAppID string `json:"adminAppId"`
	AdminSPID  string `json:"adminServicePrincipalId"`
	// SubscriptionID is the default subscription.
	SubscriptionID string `json:"subscriptionId"`
	DemoAppID      string `json:"demoAppId,omitempty"`
}

func (b *Bootstrap) StoreKind() store.Kind { return kindMeta }
func (b *Bootstrap) StoreID() string       { return "bootstrap" }
func (b *Bootstrap) StoreTenant() string   { return "" }
func (b *Bootstrap) StoreKeys() []string   { return nil }
func (b *Bootstrap) StoreRefs() []string   { return nil }

// Credentials is the owner-only file through which the CLI on this machine
// finds the server and signs in as the bootstrap administrator.
type Credentials struct {
	Server       string `json:"server"`
	Tenant       string `json:"tenant"`
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret"`
	CAFile       string `json:"caFile,omitempty"`
}

// Default names of the bootstrap objects.
const (
	DefaultTenantDomain     = "gatehouse.onmicrosoft.com"
	AdminAppName            = "gatehouse-admin"
	DemoAppName             = "demo-app"
	DefaultSubscriptionName = "gatehouse"
)

// ensureBootstrap creates, on first start, the default tenant and the
// administrator application with full Graph rights, and returns the admin
// secret only when it was just created (it is never stored in clear).
func ensureBootstrap(ctx context.Context, dir *directory.Directory) (*Bootstrap, string, error) {
	if b, err := store.GetDoc[Bootstrap](ctx, dir.Store(), kindMeta, "bootstrap"); err == nil {
		return b, "", nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, "", err
	}
	var b *Bootstrap
	var secret string
	err := dir.Update(ctx, func(tx *directory.Tx) error {
		ten, err := tx.CreateTenant(ctx, directory.NewTenant{DisplayName: "Gatehouse", Domain: DefaultTenantDomain})
		if err != nil {
			return err
		}
		app, sp, s, err := createAppWithSecret(ctx, tx, ten.ID, AdminAppName, "bootstrap")
		if err != nil {
			return err
		}
		if err := grantGraphAdmin(ctx, tx, ten.ID, sp.ID); err != nil {
			return err
		}
		b, secret = &Bootstrap{TenantID: ten.ID, AdminAppID: app.AppID, AdminSPID: sp.ID, SubscriptionID: directory.NewID()}, s
		if err := arm.CreateSubscription(ctx, tx.Store(), ten.ID, b.SubscriptionID, DefaultSubscriptionName); err != nil {
			return err
		}
		if err := arm.AssignAtRoot(ctx, tx.Store(), ten.ID, sp.ID, "ServicePrincipal", arm.OwnerRoleID); err != nil {
			return err
		}
		return store.CreateDoc(ctx, tx.Store(), b)
	})
	return b, secret, err
}

// createAppWithSecret registers an app, its service principal and a secret.
func createAppWithSecret(ctx context.Context, tx *directory.Tx, tid, name, secretName string) (*directory.Application, *directory.ServicePrincipal, string, error) {
	app, err := tx.CreateApplication(ctx, tid, directory.NewApplication{DisplayName: name})
	if err != nil {
		return nil, nil, "", err
	}
	sp, err := tx.CreateServicePrincipal(ctx, tid, app.AppID)
	if err != nil {
		return nil, nil, "", err
	}
	secret, _, err := tx.AddPassword(ctx, app.ID, secretName, directory.ZeroTime, directory.ZeroTime)
	return app, sp, secret, err
}

// grantGraphAdmin gives a service principal Directory.ReadWrite.All on the
// tenant's Microsoft Graph principal.
func grantGraphAdmin(ctx context.Context, tx *directory.Tx, tid, spID string) error {
	graph, err := tx.ServicePrincipalByAppID(ctx, tid, directory.GraphAppID)
	if err != nil {
		return err
	}
	_, err = tx.AssignAppRole(ctx, spID, graph.ID, directory.GraphDirectoryReadWriteAll)
	return err
}

// writeCredentials writes v as JSON to path, readable by the owner only.
func writeCredentials(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o600); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// ReadCredentials reads a credentials file written by the server.
func ReadCredentials(path string) (*Credentials, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var c Credentials
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &c, nil
}

// AdminFile is the bootstrap administrator's credentials in a data dir.
func AdminFile(dataDir string) string { return filepath.Join(dataDir, "admin.json") }

// DemoFile is the demo application's credentials in a data dir.
func DemoFile(dataDir string) string { return filepath.Join(dataDir, "demo.json") }
