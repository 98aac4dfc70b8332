package sts_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/gatehouse/gatehouse/internal/directory"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// TestTokenErrors covers every AADSTS error of the catalogue (reference §9)
// the client-credentials grant can produce: code, error value, status and
// the Entra body shape with the client's correlation id echoed.
func TestTokenErrors(t *testing.T) {
	f := newFixture(t)
	demo := f.Demo
	certID := f.certApp.App.AppID
	other := testenv.NewCert(t, "not-registered", time.Time{}, time.Time{})
	now := time.Now()
	assert := func(key *testenv.Cert, hdrs map[string]any, claims map[string]any) string {
		return testenv.Assertion{Headers: hdrs, Claims: claims}.Sign(t, key.Key)
	}
	x5t := map[string]any{"x5t": testenv.B64URL(f.cert.SHA1())}
	valid := func() map[string]any { return testenv.AssertionClaims(certID, f.assertionAud(), now) }
	with := func(k string, v any) map[string]any { c := valid(); c[k] = v; return c }
	unknownTenant := directory.NewID()

	cases := []struct {
		name     string
		path     string // default: the bootstrap tenant's v2 token endpoint
		form     url.Values
		header   http.Header
		status   int
		err      string
		code     int
		contains string // in the description
	}{
		{name: "90002 unknown tenant id", path: "/" + unknownTenant + "/oauth2/v2.0/token",
			form:   testenv.ClientCredentials(demo.ClientID, demo.ClientSecret, cogScope),
			status: 400, err: "invalid_tenant", code: 90002, contains: "Tenant '" + unknownTenant + "' not found."},
		{name: "90002 unknown tenant domain", path: "/nowhere.onmicrosoft.com/oauth2/v2.0/token",
			form:   testenv.ClientCredentials(demo.ClientID, demo.ClientSecret, cogScope),
			status: 400, err: "invalid_tenant", code: 90002, contains: "Tenant 'nowhere.onmicrosoft.com' not found."},
		{name: "90002 unknown tenant v1", path: "/" + unknownTenant + "/oauth2/token",
			form:   url.Values{"grant_type": {"client_credentials"}, "client_id": {demo.ClientID}, "client_secret": {demo.ClientSecret}, "resource": {"https://cognitiveservices.azure.com"}},
			status: 400, err: "invalid_tenant", code: 90002},
		{name: "700016 unknown client", form: testenv.ClientCredentials(unknownTenant, "whatever-secret-value", cogScope),
			status: 400, err: "unauthorized_client", code: 700016,
			contains: "Application with identifier '" + unknownTenant + "' was not found in the directory '" + f.Tenant + "'."},
		{name: "700016 client id not a GUID", form: testenv.ClientCredentials("my-app", "whatever-secret-value", cogScope),
			status: 400, err: "unauthorized_client", code: 700016, contains: "'my-app'"},
		{name: "7000215 wrong secret", form: testenv.ClientCredentials(demo.ClientID, "not-the-secret", cogScope),
			status: 401, err: "invalid_client", code: 7000215, contains: "Invalid client secret provided."},
		{name: "7000215 secret id instead of value", form: testenv.ClientCredentials(demo.ClientID, f.certApp.App.PasswordCredentials[0].KeyID, cogScope),
			status: 401, err: "invalid_client", code: 7000215, contains: "for a secret added to app '" + demo.ClientID + "'"},
		{name: "7000215 another app's secret", form: testenv.ClientCredentials(demo.ClientID, f.Admin.ClientSecret, cogScope),
			status: 401, err: "invalid_client", code: 7000215},
		{name: "7000215 secret not yet valid", form: testenv.ClientCredentials(f.notYetApp.App.AppID, f.notYetSec, cogScope),
			status: 401, err: "invalid_client", code: 7000215},
		{name: "7000222 expired secret", form: testenv.ClientCredentials(f.expiredApp.App.AppID, f.expiredSec, cogScope),
			status: 401, err: "invalid_client", code: 7000222,
			contains: "The provided client secret keys for app '" + f.expiredApp.App.AppID + "' are expired."},
		{name: "500011 unknown resource", form: testenv.ClientCredentials(demo.ClientID, demo.ClientSecret, "https://nothing.example.com/.default"),
			status: 400, err: "invalid_resource", code: 500011,
			contains: "The resource principal named https://nothing.example.com was not found in the tenant named " + f.Tenant + "."},
		{name: "500011 unknown resource appId", form: testenv.ClientCredentials(demo.ClientID, demo.ClientSecret, unknownTenant+"/.default"),
			status: 400, err: "invalid_resource", code: 500011},
		{name: "70011 delegated scope", form: testenv.ClientCredentials(demo.ClientID, demo.ClientSecret, "https://cognitiveservices.azure.com/user.read"),
			status: 400, err: "invalid_scope", code: 70011, contains: "The scope https://cognitiveservices.azure.com/user.read is not valid."},
		{name: "70011 delegated beside .default", form: testenv.ClientCredentials(demo.ClientID, demo.ClientSecret, cogScope+" User.Read"),
			status: 400, err: "invalid_scope", code: 70011},
		{name: "1002012 only OIDC scopes", form: testenv.ClientCredentials(demo.ClientID, demo.ClientSecret, "openid offline_access profile"),
			status: 400, err: "invalid_scope", code: 1002012, contains: "The provided value for scope openid offline_access profile is not valid."},
		{name: "28000 two resources", form: testenv.ClientCredentials(demo.ClientID, demo.ClientSecret, cogScope+" https://management.azure.com//.default"),
			status: 400, err: "invalid_scope", code: 28000},
		{name: "900144 missing grant_type", form: url.Values{"client_id": {demo.ClientID}, "client_secret": {demo.ClientSecret}, "scope": {cogScope}},
			status: 400, err: "invalid_request", code: 900144, contains: "The request body must contain the following parameter: 'grant_type'."},
		{name: "900144 missing scope", form: url.Values{"grant_type": {"client_credentials"}, "client_id": {demo.ClientID}, "client_secret": {demo.ClientSecret}},
			status: 400, err: "invalid_request", code: 900144, contains: "'scope'"},
		{name: "900144 blank scope", form: testenv.ClientCredentials(demo.ClientID, demo.ClientSecret, "  "),
			status: 400, err: "invalid_request", code: 900144, contains: "'scope'"},
		{name: "900144 missing client_id", form: url.Values{"grant_type": {"client_credentials"}, "client_secret": {demo.ClientSecret}, "scope": {cogScope}},
			status: 400, err: "invalid_request", code: 900144, contains: "'client_id'"},
		{name: "900144 missing client_assertion_type", form: url.Values{"grant_type": {"client_credentials"}, "client_id": {certID}, "client_assertion": {f.signedAssertion(t)}, "scope": {cogScope}},
			status: 400, err: "invalid_request", code: 900144, contains: "'client_assertion_type'"},
		{name: "900144 v1 missing resource", path: "/" + f.Tenant + "/oauth2/token",
			form:   url.Values{"grant_type": {"client_credentials"}, "client_id": {demo.ClientID}, "client_secret": {demo.ClientSecret}},
			status: 400, err: "invalid_request", code: 900144, contains: "'resource'"},
		{name: "700027 unknown thumbprint",
			form:   testenv.AssertionForm(certID, assert(other, map[string]any{"x5t": testenv.B64URL(other.SHA1())}, valid()), cogScope),
			status: 401, err: "invalid_client", code: 700027, contains: "Thumbprint of key used by client: '"},
		{name: "700027 no thumbprint header",
			form:   testenv.AssertionForm(certID, assert(f.cert, nil, valid()), cogScope),
			status: 401, err: "invalid_client", code: 700027},
		{name: "700027 bad signature",
			form:   testenv.AssertionForm(certID, assert(other, x5t, valid()), cogScope),
			status: 401, err: "invalid_client", code: 700027, contains: "Client assertion failed signature validation."},
		{name: "700027 bad signature x5t#S256",
			form: testenv.AssertionForm(certID, testenv.Assertion{Alg: jose.PS256, Headers: map[string]any{"x5t#S256": testenv.B64URL(f.cert.SHA256())},
				Claims: valid()}.Sign(t, other.Key), cogScope),
			status: 401, err: "invalid_client", code: 700027, contains: "Client assertion failed signature validation."},
		{name: "700024 expired assertion",
			form:   testenv.AssertionForm(certID, assert(f.cert, x5t, testenv.AssertionClaims(certID, f.assertionAud(), now.Add(-2*time.Hour))), cogScope),
			status: 401, err: "invalid_client", code: 700024, contains: "Client assertion is not within its valid time range."},
		{name: "700024 assertion not yet valid",
			form:   testenv.AssertionForm(certID, assert(f.cert, x5t, with("nbf", now.Add(time.Hour).Unix())), cogScope),
			status: 401, err: "invalid_client", code: 700024},
		{name: "50012 wrong aud",
			form:   testenv.AssertionForm(certID, assert(f.cert, x5t, with("aud", "https://login.microsoftonline.com/"+f.Tenant+"/oauth2/v2.0/token")), cogScope),
			status: 401, err: "invalid_client", code: 50012, contains: "aud"},
		{name: "50012 aud of another tenant",
			form:   testenv.AssertionForm(certID, assert(f.cert, x5t, with("aud", f.TokenEndpoint(unknownTenant))), cogScope),
			status: 401, err: "invalid_client", code: 50012},
		{name: "50012 iss is not client_id",
			form:   testenv.AssertionForm(certID, assert(f.cert, x5t, with("iss", demo.ClientID)), cogScope),
			status: 401, err: "invalid_client", code: 50012, contains: "iss and sub"},
		{name: "50012 sub is not client_id",
			form:   testenv.AssertionForm(certID, assert(f.cert, x5t, with("sub", demo.ClientID)), cogScope),
			status: 401, err: "invalid_client", code: 50012},
		{name: "50012 no exp",
			form:   testenv.AssertionForm(certID, assert(f.cert, x5t, func() map[string]any { c := valid(); delete(c, "exp"); return c }()), cogScope),
			status: 401, err: "invalid_client", code: 50012},
		{name: "50012 assertion is not a JWT", form: testenv.AssertionForm(certID, "not.a.jwt", cogScope),
			status: 401, err: "invalid_client", code: 50012},
		{name: "70003 unsupported grant type", form: url.Values{"grant_type": {"urn:example:magic"}, "client_id": {demo.ClientID}, "client_secret": {demo.ClientSecret}, "scope": {cogScope}},
			status: 400, err: "unsupported_grant_type", code: 70003, contains: "'urn:example:magic'"},
		{name: "7000218 missing credential", form: url.Values{"grant_type": {"client_credentials"}, "client_id": {demo.ClientID}, "scope": {cogScope}},
			status: 401, err: "invalid_client", code: 7000218,
			contains: "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."},
		{name: "90013 basic client_id differs from body", form: testenv.ClientCredentials(certID, "", cogScope),
			header: hdr("Authorization", "Basic "+basic(demo.ClientID, demo.ClientSecret)),
			status: 400, err: "invalid_request", code: 90013},
		{name: "90013 not a form", form: testenv.ClientCredentials(demo.ClientID, demo.ClientSecret, cogScope),
			header: hdr("Content-Type", "application/json"), status: 400, err: "invalid_request", code: 90013},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			corr := directory.NewID()
			h := hdr("client-request-id", corr)
			for k, v := range tc.header {
				h[k] = v
			}
			path := tc.path
			if path == "" {
				path = "/" + f.Tenant + "/oauth2/v2.0/token"
			}
			status, body := f.PostForm(t, path, tc.form, h)
			desc := checkEntraError(t, status, body, tc.status, tc.err, tc.code, corr)
			if !strings.Contains(desc, tc.contains) {
				t.Errorf("description %q does not contain %q", desc, tc.contains)
			}
		})
	}
}

// TestErrorOnDiscovery: 90002 is also the answer of the OIDC document and
// the JWKS for an unknown tenant.
func TestErrorOnDiscovery(t *testing.T) {
	e := testenv.New(t)
	unknown := directory.NewID()
	for _, path := range []string{
		"/" + unknown + "/v2.0/.well-known/openid-configuration",
		"/" + unknown + "/.well-known/openid-configuration",
		"/nowhere.example.com/v2.0/.well-known/openid-configuration",
		"/" + unknown + "/discovery/v2.0/keys",
	} {
		t.Run(path, func(t *testing.T) {
			corr := directory.NewID()
			req, _ := http.NewRequest(http.MethodGet, e.URL+path, nil)
			req.Header.Set("client-request-id", corr)
			status, h, raw := e.Do(t, req)
			checkEntraError(t, status, testenv.DecodeJSON(t, raw), 400, "invalid_tenant", 90002, corr)
			if got := h.Get("client-request-id"); got != corr {
				t.Errorf("client-request-id header %q, want %q", got, corr)
			}
		})
	}
}

// TestCorrelationID: a client-request-id that is not a GUID is not echoed;
// a fresh GUID is used instead, and each error gets its own trace id.
func TestCorrelationID(t *testing.T) {
	e := testenv.New(t)
	form := testenv.ClientCredentials(e.Demo.ClientID, "wrong-secret-value", cogScope)
	status, b1 := e.PostForm(t, "/"+e.Tenant+"/oauth2/v2.0/token", form, hdr("client-request-id", "<script>"))
	checkEntraError(t, status, b1, 401, "invalid_client", 7000215, "")
	if b1["correlation_id"] == "<script>" {
		t.Error("a non-GUID client-request-id was echoed")
	}
	upper := strings.ToUpper(directory.NewID())
	_, b2 := e.PostForm(t, "/"+e.Tenant+"/oauth2/v2.0/token", form, hdr("client-request-id", upper))
	checkEntraError(t, 401, b2, 401, "invalid_client", 7000215, strings.ToLower(upper))
	if b1["trace_id"] == b2["trace_id"] {
		t.Error("two errors share a trace id")
	}
}

// TestMethodNotAllowed: GET on the token endpoint is an Entra error, not a
// bare 405.
func TestTokenEndpointGET(t *testing.T) {
	e := testenv.New(t)
	status, body := e.Get(t, "/"+e.Tenant+"/oauth2/v2.0/token")
	checkEntraError(t, status, body, 400, "invalid_request", 900561, "")
}

func basic(id, secret string) string {
	return b64std(url.QueryEscape(id) + ":" + url.QueryEscape(secret))
}
