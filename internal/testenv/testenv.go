// Package testenv builds an in-process gatehouse for tests: a real server
// (real SQLite store in a temporary directory) behind an httptest TLS
// listener, with the bootstrap administrator's and the demo application's
// credentials, and helpers to ask for tokens, verify them against the
// published keys and call the Graph API.
package testenv

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // x5t is a SHA-1 thumbprint by definition
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/gatehouse/gatehouse/internal/directory"
	"github.com/gatehouse/gatehouse/internal/server"
	"github.com/gatehouse/gatehouse/internal/token"
)

// Env is a running in-process gatehouse.
type Env struct {
	URL     string // https://127.0.0.1:port, no trailing slash
	Host    string // 127.0.0.1:port
	Tenant  string // bootstrap tenant id
	Domain  string // bootstrap tenant's domain
	DataDir string
	Admin   server.Credentials // from admin.json (Graph Directory.ReadWrite.All)
	Demo    server.Credentials // from demo.json (no Graph permissions)
	Client  *http.Client       // trusts the test server's certificate
	Server  *server.Server
	// Handler is the whole HTTP surface, for in-process calls without TLS
	// (fuzzing); requests made through it are seen as plain http.
	Handler http.Handler
	// CAFile is a PEM file clients can trust the test server with.
	CAFile string
}

// New starts a gatehouse with the demo application in a temporary data
// directory. Everything is torn down when the test ends.
func New(t testing.TB) *Env {
	t.Helper()
	return NewWith(t, nil)
}

// NewWith is New with the server's configuration adjusted by mod (e.g. a
// base domain) before it starts.
func NewWith(t testing.TB, mod func(*server.Config)) *Env {
	t.Helper()
	dataDir := t.TempDir()
	cfg := server.Config{DataDir: dataDir, Demo: true, Logger: slog.New(slog.DiscardHandler), Out: io.Discard}
	if mod != nil {
		mod(&cfg)
	}
	s, err := server.New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("testenv: server.New: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	h := s.Handler()
	ts := httptest.NewTLSServer(h)
	t.Cleanup(ts.Close)
	caFile := filepath.Join(dataDir, "test-ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw}), 0o600); err != nil {
		t.Fatalf("testenv: %v", err)
	}
	e := &Env{URL: ts.URL, Host: strings.TrimPrefix(ts.URL, "https://"), DataDir: dataDir,
		Client: ts.Client(), Server: s, Handler: h, CAFile: caFile, Tenant: s.Bootstrap().TenantID, Domain: server.DefaultTenantDomain}
	for path, dst := range map[string]*server.Credentials{server.AdminFile(dataDir): &e.Admin, server.DemoFile(dataDir): &e.Demo} {
		c, err := server.ReadCredentials(path)
		if err != nil {
			t.Fatalf("testenv: %v", err)
		}
		*dst = *c
	}
	return e
}

// Directory gives direct access to the directory, for set-up.
func (e *Env) Directory() *directory.Directory { return e.Server.Directory() }

// TokenEndpoint is the v2 token endpoint of tenant (id, domain or alias).
func (e *Env) TokenEndpoint(tenant string) string {
	return e.URL + "/" + tenant + "/oauth2/v2.0/token"
}

// Token posts form to the bootstrap tenant's v2 token endpoint and returns
// the status and decoded JSON body.
func (e *Env) Token(t testing.TB, form url.Values) (int, map[string]any) {
	t.Helper()
	return e.PostForm(t, "/"+e.Tenant+"/oauth2/v2.0/token", form, nil)
}

// PostForm posts form to path with extra headers and decodes a JSON body.
func (e *Env) PostForm(t testing.TB, path string, form url.Values, hdr http.Header) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, vs := range hdr {
		req.Header[k] = vs
	}
	status, _, body := e.Do(t, req)
	return status, DecodeJSON(t, body)
}

// Get fetches path and decodes a JSON body.
func (e *Env) Get(t testing.TB, path string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	status, _, body := e.Do(t, req)
	return status, DecodeJSON(t, body)
}

// Do sends req and returns status, headers and the raw body.
func (e *Env) Do(t testing.TB, req *http.Request) (int, http.Header, []byte) {
	t.Helper()
	resp, err := e.Client.Do(req)
	if err != nil {
		t.Fatalf("testenv: %s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, body
}

// DecodeJSON decodes a JSON object, failing the test if it is not one.
func DecodeJSON(t testing.TB, body []byte) map[string]any {
	t.Helper()
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("testenv: response is not a JSON object: %v\n%s", err, body)
	}
	return m
}

// ClientCredentials is the form of a client-credentials request with a secret.
func ClientCredentials(clientID, secret, scope string) url.Values {
	return url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID},
		"client_secret": {secret}, "scope": {scope}}
}

// AppToken gets an app-only access token for scope, failing the test on
// any error.
func (e *Env) AppToken(t testing.TB, c server.Credentials, scope string) string {
	t.Helper()
	tenant := c.Tenant
	if tenant == "" {
		tenant = e.Tenant
	}
	status, body := e.PostForm(t, "/"+tenant+"/oauth2/v2.0/token", ClientCredentials(c.ClientID, c.ClientSecret, scope), nil)
	if status != http.StatusOK {
		t.Fatalf("testenv: token for %s: %d %v", scope, status, body)
	}
	at, _ := body["access_token"].(string)
	if at == "" {
		t.Fatalf("testenv: token response without access_token: %v", body)
	}
	return at
}

// GraphToken is an app-only Microsoft Graph token for c.
func (e *Env) GraphToken(t testing.TB, c server.Credentials) string {
	t.Helper()
	return e.AppToken(t, c, "https://graph.microsoft.com/.default")
}

// Graph calls the Graph API with a bearer token ("" for none); body is
// JSON-encoded when not nil. It returns the status and decoded body.
func (e *Env) Graph(t testing.TB, token, method, path string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	status, _, raw := e.Do(t, req)
	return status, DecodeJSON(t, raw)
}

// KeySet fetches the JWKS published for tenant and parses it with go-jose
// (which also checks that x5t matches x5c and x5c matches n/e).
func (e *Env) KeySet(t testing.TB, tenant string) jose.JSONWebKeySet {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.URL+"/"+tenant+"/discovery/v2.0/keys", nil)
	if err != nil {
		t.Fatal(err)
	}
	status, _, body := e.Do(t, req)
	if status != http.StatusOK {
		t.Fatalf("testenv: JWKS: %d %s", status, body)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(body, &set); err != nil {
		t.Fatalf("testenv: JWKS does not parse: %v\n%s", err, body)
	}
	return set
}

// VerifyToken checks raw's RS256 signature against the keys published for
// the bootstrap tenant and returns its header and claims.
func (e *Env) VerifyToken(t testing.TB, raw string) (jose.Header, map[string]any) {
	t.Helper()
	return VerifyWith(t, e.KeySet(t, e.Tenant), raw)
}

// VerifyWith checks raw's signature against set and returns header and claims.
func VerifyWith(t testing.TB, set jose.JSONWebKeySet, raw string) (jose.Header, map[string]any) {
	t.Helper()
	tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatalf("testenv: token does not parse: %v", err)
	}
	hdr := tok.Headers[0]
	keys := set.Key(hdr.KeyID)
	if len(keys) != 1 {
		t.Fatalf("testenv: kid %q is published %d times", hdr.KeyID, len(keys))
	}
	var claims map[string]any
	if err := tok.Claims(keys[0].Key, &claims); err != nil {
		t.Fatalf("testenv: token signature: %v", err)
	}
	return hdr, claims
}

// App is an application registered for a test.
type App struct {
	App    *directory.Application
	SP     *directory.ServicePrincipal // nil when created without one
	Secret string                      // "" when created without one
}

// Creds are the app's client credentials in the bootstrap tenant.
func (a *App) Creds() server.Credentials {
	return server.Credentials{Tenant: a.App.TenantID, ClientID: a.App.AppID, ClientSecret: a.Secret}
}

// AppOptions shape NewApp.
type AppOptions struct {
	Tenant         string // default: the bootstrap tenant
	IdentifierURIs []string
	TokenVersion   *int
	AppRoles       []directory.AppRole
	NoSP           bool
	NoSecret       bool
}

// NewApp registers an application with a service principal and a secret.
func (e *Env) NewApp(t testing.TB, name string, o AppOptions) *App {
	t.Helper()
	tid := o.Tenant
	if tid == "" {
		tid = e.Tenant
	}
	a := &App{}
	err := e.Directory().Update(context.Background(), func(tx *directory.Tx) error {
		var err error
		a.App, err = tx.CreateApplication(context.Background(), tid, directory.NewApplication{DisplayName: name,
			IdentifierURIs: o.IdentifierURIs, TokenVersion: o.TokenVersion, AppRoles: o.AppRoles})
		if err != nil {
			return err
		}
		if !o.NoSP {
			if a.SP, err = tx.CreateServicePrincipal(context.Background(), tid, a.App.AppID); err != nil {
				return err
			}
		}
		if !o.NoSecret {
			a.Secret, _, err = tx.AddPassword(context.Background(), a.App.ID, "test", time.Time{}, time.Time{})
		}
		return err
	})
	if err != nil {
		t.Fatalf("testenv: NewApp %s: %v", name, err)
	}
	a.App = e.reloadApp(t, a.App.ID)
	return a
}

func (e *Env) reloadApp(t testing.TB, id string) *directory.Application {
	t.Helper()
	app, err := e.Directory().Application(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return app
}

// Update runs fn in a directory transaction, failing the test on error.
func (e *Env) Update(t testing.TB, fn func(ctx context.Context, tx *directory.Tx) error) {
	t.Helper()
	ctx := context.Background()
	if err := e.Directory().Update(ctx, func(tx *directory.Tx) error { return fn(ctx, tx) }); err != nil {
		t.Fatalf("testenv: update: %v", err)
	}
}

// AddCertificate registers cert on the app and returns the refreshed app.
func (e *Env) AddCertificate(t testing.TB, a *App, cert *x509.Certificate) {
	t.Helper()
	e.Update(t, func(ctx context.Context, tx *directory.Tx) error {
		return tx.AddKey(ctx, a.App.ID, directory.NewKeyCredential(cert, ""))
	})
	a.App = e.reloadApp(t, a.App.ID)
}

// AssignRole grants the resource's app role (by value) to the principal.
func (e *Env) AssignRole(t testing.TB, principalID string, resource *directory.ServicePrincipal, value string) *directory.AppRoleAssignment {
	t.Helper()
	var out *directory.AppRoleAssignment
	for _, r := range resource.AppRoles {
		if r.Value == value {
			e.Update(t, func(ctx context.Context, tx *directory.Tx) error {
				var err error
				out, err = tx.AssignAppRole(ctx, principalID, resource.ID, r.ID)
				return err
			})
			return out
		}
	}
	t.Fatalf("testenv: %s has no app role %q", resource.DisplayName, value)
	return nil
}

// Cert is a self-signed certificate with its RSA key, for client assertions.
type Cert struct {
	Cert *x509.Certificate
	Key  *rsa.PrivateKey
}

// NewCert makes a self-signed RSA certificate valid from notBefore to notAfter
// (zero: one hour ago to one year ahead).
func NewCert(t testing.TB, cn string, notBefore, notAfter time.Time) *Cert {
	t.Helper()
	if notBefore.IsZero() {
		notBefore = time.Now().Add(-time.Hour)
	}
	if notAfter.IsZero() {
		notAfter = time.Now().AddDate(1, 0, 0)
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: notBefore, NotAfter: notAfter, KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &Cert{Cert: cert, Key: key}
}

// SHA1 is the certificate's SHA-1 thumbprint.
func (c *Cert) SHA1() []byte {
	s := sha1.Sum(c.Cert.Raw) //nolint:gosec
	return s[:]
}

// SHA256 is the certificate's SHA-256 thumbprint.
func (c *Cert) SHA256() []byte {
	s := sha256.Sum256(c.Cert.Raw)
	return s[:]
}

// Thumbprint encodings clients send.
var (
	B64URL      = base64.RawURLEncoding.EncodeToString // RFC 7515 (msal-node, MSAL Python)
	B64Std      = base64.StdEncoding.EncodeToString    // MSAL Go
	B64StdNoPad = base64.RawStdEncoding.EncodeToString
)

// Assertion describes a client assertion to sign.
type Assertion struct {
	Alg     jose.SignatureAlgorithm // RS256 (default) or PS256
	Headers map[string]any          // e.g. {"x5t": B64URL(cert.SHA1())}
	Claims  map[string]any
}

// Sign signs the assertion with an RSA key.
func (a Assertion) Sign(t testing.TB, key crypto.Signer) string {
	t.Helper()
	return a.SignWith(t, key)
}

// SignWith signs the assertion with any key go-jose takes for Alg (an HMAC
// key for HS256, to test algorithm confusion).
func (a Assertion) SignWith(t testing.TB, key any) string {
	t.Helper()
	alg := a.Alg
	if alg == "" {
		alg = jose.RS256
	}
	opts := (&jose.SignerOptions{}).WithType("JWT")
	for k, v := range a.Headers {
		opts = opts.WithHeader(jose.HeaderKey(k), v)
	}
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := jwt.Signed(sig).Claims(a.Claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// AssertionClaims are valid assertion claims for clientID addressed to aud.
func AssertionClaims(clientID, aud string, now time.Time) map[string]any {
	return map[string]any{"aud": aud, "iss": clientID, "sub": clientID, "jti": directory.NewID(),
		"nbf": now.Unix(), "iat": now.Unix(), "exp": now.Add(10 * time.Minute).Unix()}
}

// AssertionForm is a client-credentials request with a client assertion.
func AssertionForm(clientID, assertion, scope string) url.Values {
	return url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
		"client_assertion":      {assertion}, "scope": {scope}}
}

// ForgeToken re-signs the claims of raw, changed by mod, with the server's
// active signing key: a token the token endpoint would never issue
// (expired, not yet valid, of another issuer), with a valid signature.
func (e *Env) ForgeToken(t testing.TB, raw string, mod func(*token.Claims)) string {
	t.Helper()
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		t.Fatalf("testenv: not a JWT")
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c token.Claims
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	mod(&c)
	k, err := e.Server.SigningKeys().Active(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out, err := k.Sign(&c)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
