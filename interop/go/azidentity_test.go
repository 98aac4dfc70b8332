package interop

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// clientOptions points azidentity at gatehouse. A nil transport means the
// SDK's default one (system roots, so SSL_CERT_FILE).
func clientOptions(tr policy.Transporter) azcore.ClientOptions {
	o := azcore.ClientOptions{Cloud: cloud.Configuration{ActiveDirectoryAuthorityHost: fx.URL + "/"}}
	if tr != nil {
		o.Transport = tr
	}
	return o
}

func secretCredential(t *testing.T, secret string, tr policy.Transporter) *azidentity.ClientSecretCredential {
	t.Helper()
	cred, err := azidentity.NewClientSecretCredential(fx.Tenant, fx.SecretAppID, secret,
		&azidentity.ClientSecretCredentialOptions{ClientOptions: clientOptions(tr), DisableInstanceDiscovery: true})
	if err != nil {
		t.Fatalf("NewClientSecretCredential: %v", err)
	}
	return cred
}

func certCredential(t *testing.T, sendChain bool, tr policy.Transporter) *azidentity.ClientCertificateCredential {
	t.Helper()
	certs, key, err := azidentity.ParseCertificates([]byte(fx.CertPEM), nil)
	if err != nil {
		t.Fatalf("ParseCertificates: %v", err)
	}
	cred, err := azidentity.NewClientCertificateCredential(fx.Tenant, fx.CertAppID, certs, key,
		&azidentity.ClientCertificateCredentialOptions{ClientOptions: clientOptions(tr),
			DisableInstanceDiscovery: true, SendCertificateChain: sendChain})
	if err != nil {
		t.Fatalf("NewClientCertificateCredential: %v", err)
	}
	return cred
}

// scopeCase is a scope and the token it must produce.
type scopeCase struct {
	scope string
	aud   string // "" means the API app's appId (v2)
	v2    bool
}

var scopeCases = []scopeCase{
	{scope: "https://cognitiveservices.azure.com/.default", aud: "https://cognitiveservices.azure.com"},
	{scope: "https://ai.azure.com/.default", aud: "https://ai.azure.com"},
	{scope: "https://management.azure.com//.default", aud: "https://management.azure.com/"},
	{scope: "https://management.core.windows.net//.default", aud: "https://management.core.windows.net/"},
	{scope: apiIdentifierURI + "/.default", v2: true},
}

func TestAzidentity(t *testing.T) {
	creds := []struct {
		name      string
		cred      func(t *testing.T, tr policy.Transporter) azcore.TokenCredential
		clientID  string
		oid       string
		acr       string
		apiRoles  []string
		sendChain bool
	}{
		{name: "ClientSecretCredential", clientID: fx.SecretAppID, oid: fx.SecretAppOID, acr: "1",
			cred: func(t *testing.T, tr policy.Transporter) azcore.TokenCredential {
				return secretCredential(t, fx.SecretValue, tr)
			}},
		{name: "ClientCertificateCredential", clientID: fx.CertAppID, oid: fx.CertAppOID, acr: "2", apiRoles: []string{apiRole},
			cred: func(t *testing.T, tr policy.Transporter) azcore.TokenCredential { return certCredential(t, false, tr) }},
		{name: "ClientCertificateCredential/SendCertificateChain", clientID: fx.CertAppID, oid: fx.CertAppOID, acr: "2",
			apiRoles: []string{apiRole}, sendChain: true,
			cred: func(t *testing.T, tr policy.Transporter) azcore.TokenCredential { return certCredential(t, true, tr) }},
	}
	for _, cc := range creds {
		t.Run(cc.name, func(t *testing.T) {
			rec := &recorder{inner: fx.http}
			cred := cc.cred(t, rec)
			for _, sc := range scopeCases {
				t.Run(sc.scope, func(t *testing.T) {
					ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
					defer cancel()
					opts := policy.TokenRequestOptions{Scopes: []string{sc.scope}}
					before := rec.count()
					tok, err := cred.GetToken(ctx, opts)
					if err != nil {
						t.Fatalf("GetToken: %v", err)
					}
					if left := time.Until(tok.ExpiresOn); left < 55*time.Minute || left > 61*time.Minute {
						t.Errorf("ExpiresOn in %v, want about an hour", left)
					}
					w := want{Aud: sc.aud, V2: sc.v2, ClientID: cc.clientID, ACR: cc.acr, OID: cc.oid}
					if sc.v2 {
						w.Aud, w.Roles = fx.APIAppID, cc.apiRoles
					}
					verifyToken(t, tok.Token, w)
					if rec.count() != before+1 {
						t.Errorf("%d token requests for one GetToken, want 1", rec.count()-before)
					}

					again, err := cred.GetToken(ctx, opts)
					if err != nil {
						t.Fatalf("second GetToken (cache): %v", err)
					}
					if again.Token != tok.Token || rec.count() != before+1 {
						t.Errorf("second GetToken went to the server; want the cached token")
					}
				})
			}
			// A CAE-capable request (ARM clients enable CAE) sends claims=…xms_cc…
			t.Run("EnableCAE", func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				sc := scopeCases[2]
				tok, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{sc.scope}, EnableCAE: true})
				if err != nil {
					t.Fatalf("GetToken with EnableCAE: %v", err)
				}
				verifyToken(t, tok.Token, want{Aud: sc.aud, ClientID: cc.clientID, ACR: cc.acr, OID: cc.oid})
				if f := rec.last(); !strings.Contains(f.Get("claims"), "xms_cc") {
					t.Errorf("EnableCAE request had no xms_cc claims parameter: %q", f.Get("claims"))
				}
			})
			t.Run("wire", func(t *testing.T) { checkWire(t, rec.all(), cc.acr == "2", cc.sendChain) })
		})
	}
}

// checkWire looks at what azidentity (MSAL Go) actually sent, so that the
// suite knows which client behaviours the server accepted.
func checkWire(t *testing.T, forms []url.Values, cert, chain bool) {
	if len(forms) == 0 {
		t.Fatal("no token request recorded")
	}
	for i, f := range forms {
		if f.Get("grant_type") != "client_credentials" {
			t.Errorf("request %d grant_type = %q", i, f.Get("grant_type"))
		}
		if !cert {
			if f.Get("client_secret") == "" || f.Has("client_assertion") {
				t.Errorf("request %d: want client_secret and no client_assertion", i)
			}
			continue
		}
		if f.Has("client_secret") || f.Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" {
			t.Errorf("request %d: want a jwt-bearer client_assertion and no client_secret", i)
		}
		parts := strings.Split(f.Get("client_assertion"), ".")
		if len(parts) != 3 {
			t.Fatalf("request %d: client_assertion is not a JWT", i)
		}
		b, _ := base64.RawURLEncoding.DecodeString(parts[0])
		var hdr map[string]any
		_ = json.Unmarshal(b, &hdr)
		_, hasX5c := hdr["x5c"]
		if hasX5c != chain {
			t.Errorf("request %d: assertion header x5c present = %v, want %v (SendCertificateChain)", i, hasX5c, chain)
		}
		if i == 0 {
			keys := make([]string, 0, len(hdr))
			for k := range hdr {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			t.Logf("assertion header: alg=%v keys=%v; scope=%q", hdr["alg"], keys, f.Get("scope"))
		}
	}
}

// recorder is a transport that keeps the form of every token request.
type recorder struct {
	inner *http.Client
	mu    sync.Mutex
	forms []url.Values
}

func (r *recorder) Do(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodPost && strings.HasSuffix(req.URL.Path, "/token") && req.Body != nil {
		body, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		form, _ := url.ParseQuery(string(body))
		r.mu.Lock()
		r.forms = append(r.forms, form)
		r.mu.Unlock()
	}
	return r.inner.Do(req)
}

func (r *recorder) count() int { r.mu.Lock(); defer r.mu.Unlock(); return len(r.forms) }

func (r *recorder) last() url.Values {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.forms) == 0 {
		return url.Values{}
	}
	return r.forms[len(r.forms)-1]
}

func (r *recorder) all() []url.Values {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.forms)
}

// TestAzidentityErrors: failures reach the caller as
// AuthenticationFailedError carrying Entra's AADSTS code.
func TestAzidentityErrors(t *testing.T) {
	otherCert, otherKey, err := newCertificate("not-registered")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		cred   func(o azcore.ClientOptions) (azcore.TokenCredential, error)
		scope  string
		code   string
		status int
	}{
		{"wrong secret", func(o azcore.ClientOptions) (azcore.TokenCredential, error) {
			return azidentity.NewClientSecretCredential(fx.Tenant, fx.SecretAppID, "not-the-secret~"+newGUID(),
				&azidentity.ClientSecretCredentialOptions{ClientOptions: o, DisableInstanceDiscovery: true})
		}, scopeCases[0].scope, "AADSTS7000215", 401},
		{"unknown client id", func(o azcore.ClientOptions) (azcore.TokenCredential, error) {
			return azidentity.NewClientSecretCredential(fx.Tenant, newGUID(), fx.SecretValue,
				&azidentity.ClientSecretCredentialOptions{ClientOptions: o, DisableInstanceDiscovery: true})
		}, scopeCases[0].scope, "AADSTS700016", 400},
		{"unknown resource", func(o azcore.ClientOptions) (azcore.TokenCredential, error) {
			return azidentity.NewClientSecretCredential(fx.Tenant, fx.SecretAppID, fx.SecretValue,
				&azidentity.ClientSecretCredentialOptions{ClientOptions: o, DisableInstanceDiscovery: true})
		}, "api://no-such-api/.default", "AADSTS500011", 400},
		{"unknown tenant", func(o azcore.ClientOptions) (azcore.TokenCredential, error) {
			return azidentity.NewClientSecretCredential(newGUID(), fx.SecretAppID, fx.SecretValue,
				&azidentity.ClientSecretCredentialOptions{ClientOptions: o, DisableInstanceDiscovery: true})
		}, scopeCases[0].scope, "AADSTS90002", 400},
		{"certificate not registered", func(o azcore.ClientOptions) (azcore.TokenCredential, error) {
			certs, key, err := azidentity.ParseCertificates(append(otherCert, otherKey...), nil)
			if err != nil {
				return nil, err
			}
			return azidentity.NewClientCertificateCredential(fx.Tenant, fx.CertAppID, certs, key,
				&azidentity.ClientCertificateCredentialOptions{ClientOptions: o, DisableInstanceDiscovery: true})
		}, scopeCases[0].scope, "AADSTS700027", 401},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := clientOptions(fx.http)
			o.Retry.MaxRetries = -1
			cred, err := tc.cred(o)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			_, err = cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{tc.scope}})
			var afe *azidentity.AuthenticationFailedError
			if !errors.As(err, &afe) {
				t.Fatalf("GetToken error = %T %v, want *azidentity.AuthenticationFailedError", err, err)
			}
			if !strings.Contains(afe.Error(), tc.code) {
				t.Errorf("error does not mention %s:\n%v", tc.code, afe)
			}
			if afe.RawResponse == nil || afe.RawResponse.StatusCode != tc.status {
				t.Errorf("RawResponse = %v, want status %d", afe.RawResponse, tc.status)
			}
		})
	}
}

// TestAzidentityTenantDomain signs in with the tenant's domain name instead
// of its id; the token still names the tenant id.
func TestAzidentityTenantDomain(t *testing.T) {
	const domain = "gatehouse.onmicrosoft.com"
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sec, err := azidentity.NewClientSecretCredential(domain, fx.SecretAppID, fx.SecretValue,
		&azidentity.ClientSecretCredentialOptions{ClientOptions: clientOptions(fx.http), DisableInstanceDiscovery: true})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := sec.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{scopeCases[0].scope}})
	if err != nil {
		t.Fatalf("secret, tenant %s: %v", domain, err)
	}
	verifyToken(t, tok.Token, want{Aud: scopeCases[0].aud, ClientID: fx.SecretAppID, ACR: "1", OID: fx.SecretAppOID})

	certs, key, err := azidentity.ParseCertificates([]byte(fx.CertPEM), nil)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := azidentity.NewClientCertificateCredential(domain, fx.CertAppID, certs, key,
		&azidentity.ClientCertificateCredentialOptions{ClientOptions: clientOptions(fx.http), DisableInstanceDiscovery: true})
	if err != nil {
		t.Fatal(err)
	}
	// The assertion's aud is the token endpoint with the domain in it.
	tok, err = cert.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{apiIdentifierURI + "/.default"}})
	if err != nil {
		t.Fatalf("certificate, tenant %s: %v", domain, err)
	}
	verifyToken(t, tok.Token, want{Aud: fx.APIAppID, V2: true, ClientID: fx.CertAppID, ACR: "2", OID: fx.CertAppOID, Roles: []string{apiRole}})
}

// TestDefaultAzureCredential configures the way most applications do:
// AZURE_* variables (AZURE_AUTHORITY_HOST for the host) and
// DefaultAzureCredential, which picks EnvironmentCredential.
// AZURE_TOKEN_CREDENTIALS=EnvironmentCredential keeps the chain from going
// on to managed identity, whose IMDS probe would leave the loopback.
func TestDefaultAzureCredential(t *testing.T) {
	certFile := filepath.Join(t.TempDir(), "client.pem")
	if err := os.WriteFile(certFile, []byte(fx.CertPEM), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, host string
		env        map[string]string
		w          want
	}{
		{"secret", fx.URL, map[string]string{"AZURE_CLIENT_ID": fx.SecretAppID, "AZURE_CLIENT_SECRET": fx.SecretValue},
			want{ClientID: fx.SecretAppID, ACR: "1", OID: fx.SecretAppOID}},
		{"certificate, host with trailing slash", fx.URL + "/",
			map[string]string{"AZURE_CLIENT_ID": fx.CertAppID, "AZURE_CLIENT_CERTIFICATE_PATH": certFile},
			want{ClientID: fx.CertAppID, ACR: "2", OID: fx.CertAppOID}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, k := range []string{"AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_CLIENT_CERTIFICATE_PASSWORD",
				"AZURE_USERNAME", "AZURE_PASSWORD", "AZURE_FEDERATED_TOKEN_FILE"} {
				t.Setenv(k, "")
				os.Unsetenv(k)
			}
			t.Setenv("AZURE_TOKEN_CREDENTIALS", "EnvironmentCredential")
			t.Setenv("AZURE_TENANT_ID", fx.Tenant)
			t.Setenv("AZURE_AUTHORITY_HOST", tc.host)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			cred, err := azidentity.NewDefaultAzureCredential(&azidentity.DefaultAzureCredentialOptions{
				ClientOptions: azcore.ClientOptions{Transport: fx.http}, DisableInstanceDiscovery: true})
			if err != nil {
				t.Fatalf("NewDefaultAzureCredential: %v", err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			sc := scopeCases[0]
			tok, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{sc.scope}})
			if err != nil {
				t.Fatalf("GetToken: %v", err)
			}
			w := tc.w
			w.Aud = sc.aud
			verifyToken(t, tok.Token, w)
		})
	}
}

// TestSSLCertFile proves that trusting the CA through SSL_CERT_FILE alone
// works: it re-runs this test binary with SSL_CERT_FILE set and azidentity's
// default transport, and once more without it, which must fail on TLS.
func TestSSLCertFile(t *testing.T) {
	if mode := os.Getenv(childEnv); mode != "" {
		sslCertFileChild(t, mode) // this process is the child
		return
	}
	fixture, err := json.Marshal(fx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		sslFile string
		mode    string
	}{
		{"with SSL_CERT_FILE", fx.CAFile, "trust"},
		{"without SSL_CERT_FILE", "", "untrusted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestSSLCertFile$", "-test.v", "-test.count=1")
			env := []string{childEnv + "=" + tc.mode, fixtureEnv + "=" + string(fixture)}
			for _, kv := range os.Environ() {
				if !strings.HasPrefix(kv, "SSL_CERT_FILE=") && !strings.HasPrefix(kv, "SSL_CERT_DIR=") {
					env = append(env, kv)
				}
			}
			if tc.sslFile != "" {
				env = append(env, "SSL_CERT_FILE="+tc.sslFile)
			}
			cmd.Env = env
			out, err := cmd.CombinedOutput()
			if err != nil || !strings.Contains(string(out), "--- PASS: TestSSLCertFile") {
				t.Fatalf("child test failed (%v):\n%s", err, out)
			}
			t.Logf("child:\n%s", out)
		})
	}
}

// sslCertFileChild is TestSSLCertFile in its child process.
func sslCertFileChild(t *testing.T, mode string) {
	opts := &azidentity.ClientSecretCredentialOptions{ClientOptions: clientOptions(nil), DisableInstanceDiscovery: true}
	if mode == "untrusted" {
		opts.Retry.MaxRetries = -1 // fail fast: the point is the TLS error
	}
	cred, err := azidentity.NewClientSecretCredential(fx.Tenant, fx.SecretAppID, fx.SecretValue, opts) // default transport
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tok, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{scopeCases[0].scope}})
	switch mode {
	case "trust":
		if err != nil {
			t.Fatalf("GetToken with SSL_CERT_FILE=%s: %v", os.Getenv("SSL_CERT_FILE"), err)
		}
		verifyToken(t, tok.Token, want{Aud: scopeCases[0].aud, ClientID: fx.SecretAppID, ACR: "1", OID: fx.SecretAppOID})
	case "untrusted":
		if err == nil {
			t.Fatalf("GetToken succeeded without trusting the CA")
		}
		if !strings.Contains(err.Error(), "certificate signed by unknown authority") {
			t.Fatalf("GetToken failed, but not on TLS trust: %v", err)
		}
		t.Logf("as expected: %v", firstLine(err.Error()))
	default:
		t.Fatalf("unknown child mode %q", mode)
	}
}

func firstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, "x509") {
			return strings.TrimSpace(l)
		}
	}
	l, _, _ := strings.Cut(s, "\n")
	return l
}
