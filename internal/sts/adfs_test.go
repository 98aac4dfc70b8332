package sts_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/gatehouse/gatehouse/internal/directory"
	"github.com/gatehouse/gatehouse/internal/sts"
	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/internal/token"
)

// The ADFS-style authority (https://HOST/adfs) is how the Azure CLI 2.45 /
// MSAL Python 1.21 signs in without instance discovery: MSAL reads
// {authority}/.well-known/openid-configuration and posts to the
// token_endpoint found there; certificate assertions are RS256 + x5t with
// aud = that endpoint and a fractional exp (time.time() + 600).

const armScope = "https://management.core.windows.net//.default"

type adfsEnv struct {
	t      *testing.T
	srv    *httptest.Server
	client *http.Client
	tid    string // home tenant of app and certApp
	app    *testenv.App
	cert   *testenv.Cert
	cApp   string // appId of the certificate-only app
	other  string // tenant id of a second tenant
	oApp   *testenv.App
}

// newADFSEnv builds the token service alone on a SQLite store, served over
// TLS so that endpoints and audiences are https://127.0.0.1:port/….
func newADFSEnv(t *testing.T) *adfsEnv {
	t.Helper()
	ctx := context.Background()
	dir := newDirectory(t)
	st := dir.Store()
	var err error
	keys := token.NewKeys(st, token.DefaultPolicy)
	if err := keys.Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	e := &adfsEnv{t: t, app: &testenv.App{}, oApp: &testenv.App{}, cert: testenv.NewCert(t, "adfs-cert", time.Time{}, time.Time{})}
	newApp := func(ctx context.Context, tx *directory.Tx, tid, name string, into *testenv.App) error {
		app, err := tx.CreateApplication(ctx, tid, directory.NewApplication{DisplayName: name})
		if err != nil {
			return err
		}
		sp, err := tx.CreateServicePrincipal(ctx, tid, app.AppID)
		if err != nil {
			return err
		}
		secret, _, err := tx.AddPassword(ctx, app.ID, "s", directory.ZeroTime, directory.ZeroTime)
		*into = testenv.App{App: app, SP: sp, Secret: secret}
		return err
	}
	err = dir.Update(ctx, func(tx *directory.Tx) error {
		ten, err := tx.CreateTenant(ctx, directory.NewTenant{Domain: "adfs.onmicrosoft.com"})
		if err != nil {
			return err
		}
		e.tid = ten.ID
		if err := newApp(ctx, tx, ten.ID, "adfs-secret", e.app); err != nil {
			return err
		}
		capp, err := tx.CreateApplication(ctx, ten.ID, directory.NewApplication{DisplayName: "adfs-cert"})
		if err != nil {
			return err
		}
		if _, err := tx.CreateServicePrincipal(ctx, ten.ID, capp.AppID); err != nil {
			return err
		}
		e.cApp = capp.AppID
		if err := tx.AddKey(ctx, capp.ID, directory.NewKeyCredential(e.cert.Cert, "cli")); err != nil {
			return err
		}
		other, err := tx.CreateTenant(ctx, directory.NewTenant{Domain: "other.onmicrosoft.com"})
		if err != nil {
			return err
		}
		e.other = other.ID
		return newApp(ctx, tx, other.ID, "other-tenant-app", e.oApp)
	})
	if err != nil {
		t.Fatal(err)
	}
	svc := sts.New(dir, keys, sts.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	e.srv = httptest.NewTLSServer(svc.Handler())
	t.Cleanup(e.srv.Close)
	e.client = e.srv.Client()
	return e
}

func (e *adfsEnv) authority() string     { return e.srv.URL + "/adfs" }
func (e *adfsEnv) tokenEndpoint() string { return e.authority() + "/oauth2/token" }

func (e *adfsEnv) do(method, path string, form url.Values) (int, http.Header, map[string]any) {
	e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, e.srv.URL+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := e.client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	var m map[string]any
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber() // error_codes like 7000215 print exactly
	if err := dec.Decode(&m); err != nil {
		e.t.Fatalf("%s %s: body is not a JSON object: %v\n%s", method, path, err, raw)
	}
	return resp.StatusCode, resp.Header, m
}

// keySet fetches a JWKS and parses it with go-jose.
func (e *adfsEnv) keySet(path string) jose.JSONWebKeySet {
	e.t.Helper()
	resp, err := e.client.Get(e.srv.URL + path)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var set jose.JSONWebKeySet
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("GET %s: %d", path, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		e.t.Fatalf("GET %s: JWKS does not parse: %v", path, err)
	}
	return set
}

// msalPythonAssertion signs an assertion the way MSAL Python 1.21 does:
// RS256, x5t = base64url SHA-1, exp and iat as float seconds, no nbf.
func (e *adfsEnv) msalPythonAssertion(aud string, now time.Time) string {
	e.t.Helper()
	ts := float64(now.UnixNano()) / 1e9
	claims := map[string]any{"aud": aud, "iss": e.cApp, "sub": e.cApp, "jti": directory.NewID(),
		"iat": ts, "exp": ts + 600}
	return testenv.Assertion{Headers: map[string]any{"x5t": base64.URLEncoding.EncodeToString(e.cert.SHA1())},
		Claims: claims}.Sign(e.t, e.cert.Key)
}

func (e *adfsEnv) certForm(assertion string) url.Values {
	return url.Values{"grant_type": {"client_credentials"}, "client_id": {e.cApp},
		"client_assertion_type": {assertionJWT}, "client_assertion": {assertion}, "scope": {armScope},
		"client_info": {"1"}, "claims": {`{"access_token":{"xms_cc":{"values":["CP1"]}}}`}}
}

func TestADFSOpenIDConfiguration(t *testing.T) {
	e := newADFSEnv(t)
	status, h, doc := e.do(http.MethodGet, "/adfs/.well-known/openid-configuration", nil)
	if status != http.StatusOK {
		t.Fatalf("status %d: %v", status, doc)
	}
	if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
	a := e.authority()
	want := map[string]string{
		"issuer":                 a,
		"token_endpoint":         a + "/oauth2/token",
		"authorization_endpoint": a + "/oauth2/authorize",
		"jwks_uri":               a + "/discovery/keys",
		"end_session_endpoint":   a + "/oauth2/logout",
	}
	for k, v := range want {
		if doc[k] != v {
			t.Errorf("%s = %v, want %s", k, doc[k], v)
		}
	}
	// MSAL Python takes the tenant from the token endpoint's first path
	// segment; MSAL Go wants the issuer on the authority's host.
	u, err := url.Parse(doc["token_endpoint"].(string))
	if err != nil || strings.Split(strings.TrimPrefix(u.Path, "/"), "/")[0] != "adfs" {
		t.Errorf("token_endpoint %v: first path segment is not adfs", doc["token_endpoint"])
	}
	if iss, _ := url.Parse(doc["issuer"].(string)); iss == nil || iss.Host != strings.TrimPrefix(e.srv.URL, "https://") || iss.Scheme != "https" {
		t.Errorf("issuer %v is not on the authority's host", doc["issuer"])
	}
	methods := jsonOf(doc["token_endpoint_auth_methods_supported"])
	for _, m := range []string{"client_secret_post", "client_secret_basic", "private_key_jwt"} {
		if !strings.Contains(methods, `"`+m+`"`) {
			t.Errorf("token_endpoint_auth_methods_supported %s lacks %s", methods, m)
		}
	}
	if jsonOf(doc["id_token_signing_alg_values_supported"]) != `["RS256"]` {
		t.Errorf("id_token_signing_alg_values_supported %v", doc["id_token_signing_alg_values_supported"])
	}
}

func TestADFSKeysAreTheTenantKeys(t *testing.T) {
	e := newADFSEnv(t)
	adfs := e.keySet("/adfs/discovery/keys")
	tenant := e.keySet("/" + e.tid + "/discovery/v2.0/keys")
	if len(adfs.Keys) == 0 || len(adfs.Keys) != len(tenant.Keys) {
		t.Fatalf("ADFS JWKS has %d keys, the tenant's %d", len(adfs.Keys), len(tenant.Keys))
	}
	for i := range adfs.Keys {
		if adfs.Keys[i].KeyID != tenant.Keys[i].KeyID {
			t.Errorf("key %d: kid %s, tenant's %s", i, adfs.Keys[i].KeyID, tenant.Keys[i].KeyID)
		}
	}
}

// checkARMToken verifies an ARM access token against the ADFS JWKS and
// checks it is the tenant's v1 token, exactly what ARM accepts.
func (e *adfsEnv) checkARMToken(body map[string]any, tid, appID, acr, aud string) {
	e.t.Helper()
	raw, _ := body["access_token"].(string)
	if raw == "" {
		e.t.Fatalf("no access_token in %v", body)
	}
	hdr, c := testenv.VerifyWith(e.t, e.keySet("/adfs/discovery/keys"), raw)
	if hdr.Algorithm != "RS256" {
		e.t.Errorf("alg %s", hdr.Algorithm)
	}
	want := map[string]any{"iss": "https://sts.windows.net/" + tid + "/", "tid": tid, "ver": "1.0",
		"aud": aud, "appid": appID, "appidacr": acr, "idtyp": "app"}
	for k, v := range want {
		if c[k] != v {
			e.t.Errorf("claim %s = %v, want %v", k, c[k], v)
		}
	}
	if body["token_type"] != "Bearer" {
		e.t.Errorf("token_type %v", body["token_type"])
	}
	// MSAL reads expires_in; ADFS sends numbers, not the v1 strings.
	num, ok := body["expires_in"].(json.Number)
	if n, err := num.Int64(); !ok || err != nil || n < 60 {
		e.t.Errorf("expires_in %v (%T), want a positive number", body["expires_in"], body["expires_in"])
	}
}

func TestADFSTokenClientSecret(t *testing.T) {
	e := newADFSEnv(t)
	for name, form := range map[string]url.Values{
		"scope (MSAL)": {"grant_type": {"client_credentials"}, "client_id": {e.app.App.AppID},
			"client_secret": {e.app.Secret}, "scope": {armScope + " offline_access openid profile"}, "client_info": {"1"}},
		"resource (ADAL, v1 form)": {"grant_type": {"client_credentials"}, "client_id": {e.app.App.AppID},
			"client_secret": {e.app.Secret}, "resource": {"https://management.core.windows.net/"}},
	} {
		t.Run(name, func(t *testing.T) {
			status, _, body := e.do(http.MethodPost, "/adfs/oauth2/token", form)
			if status != http.StatusOK {
				t.Fatalf("status %d: %v", status, body)
			}
			e.checkARMToken(body, e.tid, e.app.App.AppID, "1", "https://management.core.windows.net/")
		})
	}
}

func TestADFSTokenClientSecretBasic(t *testing.T) {
	e := newADFSEnv(t)
	req, err := http.NewRequest(http.MethodPost, e.tokenEndpoint(), strings.NewReader(url.Values{
		"grant_type": {"client_credentials"}, "scope": {armScope}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(e.app.App.AppID), url.QueryEscape(e.app.Secret))
	resp, err := e.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	dec := json.NewDecoder(resp.Body)
	dec.UseNumber()
	if err := dec.Decode(&body); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, %v: %v", resp.StatusCode, err, body)
	}
	e.checkARMToken(body, e.tid, e.app.App.AppID, "1", "https://management.core.windows.net/")
}

func TestADFSTokenIsIssuedInTheClientsHomeTenant(t *testing.T) {
	e := newADFSEnv(t)
	status, _, body := e.do(http.MethodPost, "/adfs/oauth2/token", url.Values{"grant_type": {"client_credentials"},
		"client_id": {e.oApp.App.AppID}, "client_secret": {e.oApp.Secret}, "scope": {armScope}})
	if status != http.StatusOK {
		t.Fatalf("status %d: %v", status, body)
	}
	e.checkARMToken(body, e.other, e.oApp.App.AppID, "1", "https://management.core.windows.net/")
}

func TestADFSTokenCertificateMSALPython(t *testing.T) {
	e := newADFSEnv(t)
	status, _, body := e.do(http.MethodPost, "/adfs/oauth2/token", e.certForm(e.msalPythonAssertion(e.tokenEndpoint(), time.Now())))
	if status != http.StatusOK {
		t.Fatalf("status %d: %v", status, body)
	}
	e.checkARMToken(body, e.tid, e.cApp, "2", "https://management.core.windows.net/")

	// Without client_id: the app is found from the assertion's iss.
	form := e.certForm(e.msalPythonAssertion(e.tokenEndpoint(), time.Now()))
	form.Del("client_id")
	if status, _, body := e.do(http.MethodPost, "/adfs/oauth2/token", form); status != http.StatusOK {
		t.Fatalf("without client_id: status %d: %v", status, body)
	}
}

func TestADFSAssertionAudience(t *testing.T) {
	e := newADFSEnv(t)
	tenantV2 := e.srv.URL + "/" + e.tid + "/oauth2/v2.0/token"
	cases := []struct {
		name, path, aud string
		ok              bool
	}{
		{"ADFS endpoint, aud ADFS", "/adfs/oauth2/token", e.tokenEndpoint(), true},
		{"ADFS endpoint, aud ADFS trailing slash and case", "/adfs/oauth2/token", strings.ToUpper(e.srv.URL[:8]) + e.srv.URL[8:] + "/ADFS/oauth2/token/", true},
		{"ADFS endpoint, aud the home tenant's endpoint", "/adfs/oauth2/token", tenantV2, true},
		{"ADFS endpoint, aud another host's ADFS", "/adfs/oauth2/token", "https://adfs.example.com/adfs/oauth2/token", false},
		{"ADFS endpoint, aud another tenant's endpoint", "/adfs/oauth2/token", e.srv.URL + "/" + e.other + "/oauth2/v2.0/token", false},
		{"ADFS endpoint, aud the authority only", "/adfs/oauth2/token", e.authority(), false},
		{"tenant endpoint, aud ADFS", "/" + e.tid + "/oauth2/v2.0/token", e.tokenEndpoint(), false},
		{"tenant endpoint, fractional exp (MSAL Python)", "/" + e.tid + "/oauth2/v2.0/token", tenantV2, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, _, body := e.do(http.MethodPost, c.path, e.certForm(e.msalPythonAssertion(c.aud, time.Now())))
			if c.ok {
				if status != http.StatusOK {
					t.Fatalf("status %d: %v", status, body)
				}
				return
			}
			desc := checkEntraError(t, status, body, 401, "invalid_client", 50012, "")
			if !strings.Contains(desc, "aud") {
				t.Errorf("description %q does not name the aud claim", desc)
			}
		})
	}
}

func TestADFSAssertionFractionalTimes(t *testing.T) {
	e := newADFSEnv(t)
	// Expired well beyond the skew, with fractional seconds: 700024.
	status, _, body := e.do(http.MethodPost, "/adfs/oauth2/token", e.certForm(e.msalPythonAssertion(e.tokenEndpoint(), time.Now().Add(-time.Hour))))
	checkEntraError(t, status, body, 401, "invalid_client", 700024, "")
	// Out-of-range and non-numeric exp are claim errors, not crashes.
	for _, exp := range []any{1e300, "1700000000", -1e300} {
		claims := map[string]any{"aud": e.tokenEndpoint(), "iss": e.cApp, "sub": e.cApp, "jti": directory.NewID(), "exp": exp}
		a := testenv.Assertion{Headers: map[string]any{"x5t": testenv.B64URL(e.cert.SHA1())}, Claims: claims}.Sign(t, e.cert.Key)
		status, _, body := e.do(http.MethodPost, "/adfs/oauth2/token", e.certForm(a))
		checkEntraError(t, status, body, 401, "invalid_client", 50012, "")
	}
}

func TestADFSTokenErrors(t *testing.T) {
	e := newADFSEnv(t)
	unknown := directory.NewID()
	cases := []struct {
		name   string
		form   url.Values
		status int
		err    string
		code   int
	}{
		{"unknown client", url.Values{"grant_type": {"client_credentials"}, "client_id": {unknown},
			"client_secret": {"x"}, "scope": {armScope}}, 400, "unauthorized_client", 700016},
		{"no client_id", url.Values{"grant_type": {"client_credentials"}, "client_secret": {"x"},
			"scope": {armScope}}, 400, "invalid_request", 900144},
		{"wrong secret", url.Values{"grant_type": {"client_credentials"}, "client_id": {e.app.App.AppID},
			"client_secret": {"not-the-secret"}, "scope": {armScope}}, 401, "invalid_client", 7000215},
		{"unknown resource", url.Values{"grant_type": {"client_credentials"}, "client_id": {e.app.App.AppID},
			"client_secret": {e.app.Secret}, "resource": {"https://nothing.example.com"}}, 400, "invalid_resource", 500011},
		{"OIDC scopes only", url.Values{"grant_type": {"client_credentials"}, "client_id": {e.app.App.AppID},
			"client_secret": {e.app.Secret}, "scope": {"openid profile"}}, 400, "invalid_scope", 1002012},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, _, body := e.do(http.MethodPost, "/adfs/oauth2/token", c.form)
			checkEntraError(t, status, body, c.status, c.err, c.code, "")
		})
	}
	t.Run("GET", func(t *testing.T) {
		status, _, body := e.do(http.MethodGet, "/adfs/oauth2/token", nil)
		checkEntraError(t, status, body, 400, "invalid_request", 900561, "")
	})
	t.Run("adfs is not a tenant elsewhere", func(t *testing.T) {
		status, _, body := e.do(http.MethodGet, "/adfs/v2.0/.well-known/openid-configuration", nil)
		checkEntraError(t, status, body, 400, "invalid_tenant", 90002, "")
	})
}

// The Azure CLI uses its cloud's microsoftGraphResourceId as both the token
// resource and Graph's base URL; pointed at gatehouse it asks for a token
// for gatehouse's own URL, which is Microsoft Graph (served at /v1.0).
func TestGraphResourceOnThisHost(t *testing.T) {
	e := newADFSEnv(t)
	for _, scope := range []string{e.srv.URL + "//.default", e.srv.URL + "/.default", strings.ToUpper(e.srv.URL[:8]) + e.srv.URL[8:] + "//.default"} {
		status, _, body := e.do(http.MethodPost, "/adfs/oauth2/token", url.Values{"grant_type": {"client_credentials"},
			"client_id": {e.app.App.AppID}, "client_secret": {e.app.Secret}, "scope": {scope}})
		if status != http.StatusOK {
			t.Fatalf("%s: status %d: %v", scope, status, body)
		}
		_, c := testenv.VerifyWith(t, e.keySet("/adfs/discovery/keys"), body["access_token"].(string))
		if c["aud"] != "https://graph.microsoft.com" || c["tid"] != e.tid {
			t.Errorf("%s: aud %v tid %v, want Graph in %s", scope, c["aud"], c["tid"], e.tid)
		}
	}
	// Another host is not Graph.
	status, _, body := e.do(http.MethodPost, "/adfs/oauth2/token", url.Values{"grant_type": {"client_credentials"},
		"client_id": {e.app.App.AppID}, "client_secret": {e.app.Secret}, "scope": {"https://127.0.0.2:1//.default"}})
	checkEntraError(t, status, body, 400, "invalid_resource", 500011, "")
}
