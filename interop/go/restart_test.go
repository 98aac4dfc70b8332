package interop

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// TestConfigReapply restarts a server with the same --config: applying it
// again must change nothing (one certificate, one role assignment) and the
// certificate app must still get its role.
func TestConfigReapply(t *testing.T) {
	f, err := setUp(t.TempDir())
	if err != nil {
		if f != nil && f.srv != nil {
			f.srv.Kill()
			t.Fatalf("%v\n%s", err, f.srv.Logs())
		}
		t.Fatal(err)
	}
	certToken := func() string {
		t.Helper()
		certs, key, err := azidentity.ParseCertificates([]byte(f.CertPEM), nil)
		if err != nil {
			t.Fatal(err)
		}
		cred, err := azidentity.NewClientCertificateCredential(f.Tenant, f.CertAppID, certs, key,
			&azidentity.ClientCertificateCredentialOptions{DisableInstanceDiscovery: true,
				ClientOptions: azcore.ClientOptions{Transport: f.http,
					Cloud: cloud.Configuration{ActiveDirectoryAuthorityHost: f.URL + "/"}}})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		tok, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{apiIdentifierURI + "/.default"}})
		if err != nil {
			t.Fatalf("GetToken: %v", err)
		}
		return tok.Token
	}
	w := want{Aud: f.APIAppID, V2: true, ClientID: f.CertAppID, ACR: "2", OID: f.CertAppOID, Roles: []string{apiRole}}
	f.verify(t, certToken(), w)

	for i := range 2 {
		if code, err := f.srv.Stop(10 * time.Second); err != nil || code != 0 {
			t.Fatalf("restart %d: SIGTERM: exit %d, %v\n%s", i, code, err, f.srv.Logs())
		}
		if err := f.start(); err != nil {
			t.Fatalf("restart %d with the same --config: %v", i, err)
		}
		f.verify(t, certToken(), w)

		var app struct {
			KeyCredentials []struct {
				KeyID string `json:"keyId"`
			} `json:"keyCredentials"`
			AppRoles []struct {
				ID    string `json:"id"`
				Value string `json:"value"`
			} `json:"appRoles"`
		}
		if err := f.graphGet("/applications(appId='"+f.CertAppID+"')", &app); err != nil {
			t.Fatal(err)
		}
		if len(app.KeyCredentials) != 1 {
			t.Errorf("restart %d: cert app has %d keyCredentials, want 1", i, len(app.KeyCredentials))
		}
		var ras struct {
			Value []struct {
				AppRoleID  string `json:"appRoleId"`
				ResourceID string `json:"resourceId"`
			} `json:"value"`
		}
		if err := f.graphGet("/servicePrincipals/"+f.CertAppOID+"/appRoleAssignments", &ras); err != nil {
			t.Fatal(err)
		}
		if len(ras.Value) != 1 {
			t.Errorf("restart %d: cert app has %d appRoleAssignments, want 1: %+v", i, len(ras.Value), ras.Value)
		}
	}
	if code, err := f.srv.Stop(10 * time.Second); err != nil || code != 0 {
		t.Errorf("SIGTERM: exit %d, %v", code, err)
	}
}

// TestCLIFromAnotherDirectory: the server is started with a relative
// --data (as in the README: `gatehouse serve`, data in ./.gatehouse); the
// CLI run from another directory with --data pointing there must work.
func TestCLIFromAnotherDirectory(t *testing.T) {
	serverDir, cliDir := t.TempDir(), t.TempDir()
	srv, err := startServerIn(serverDir, ".gatehouse")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Kill()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	data := filepath.Join(serverDir, ".gatehouse")
	if _, err := runCLIIn(ctx, serverDir, "ad", "app", "list", "--data", ".gatehouse"); err != nil {
		t.Fatalf("CLI in the server's directory: %v", err)
	}
	_, err = runCLIIn(ctx, cliDir, "ad", "app", "list", "--data", data)
	if err != nil {
		t.Fatalf("CLI in another directory with --data %s: %v", data, err)
	}
}
