package sts_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/gatehouse/gatehouse/internal/directory"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// okToken checks a v2 success body and returns the verified token's header
// and claims.
func okToken(t *testing.T, e *testenv.Env, status int, body map[string]any) (jose.Header, map[string]any) {
	t.Helper()
	if status != http.StatusOK {
		t.Fatalf("status %d: %v", status, body)
	}
	if body["token_type"] != "Bearer" {
		t.Errorf("token_type %v", body["token_type"])
	}
	for _, k := range []string{"expires_in", "ext_expires_in"} {
		n, ok := body[k].(json.Number)
		if v, err := n.Int64(); !ok || err != nil || v < 3000 || v > 3600 {
			t.Errorf("%s = %#v, want a number near 3599", k, body[k])
		}
	}
	if _, ok := body["refresh_token"]; ok {
		t.Error("client credentials returned a refresh token")
	}
	at, _ := body["access_token"].(string)
	return e.VerifyToken(t, at)
}

func claimTime(t *testing.T, c map[string]any, k string) time.Time {
	t.Helper()
	f, ok := c[k].(float64)
	if !ok {
		t.Fatalf("claim %s = %#v, want a number", k, c[k])
	}
	return time.Unix(int64(f), 0)
}

// TestClientSecretCredentials: the secret in the body and in HTTP Basic,
// and the v1 claims of an app-only token.
func TestClientSecretCredentials(t *testing.T) {
	e := testenv.New(t)
	special := e.NewApp(t, "basic-special", testenv.AppOptions{NoSecret: true})
	secret := "p+a/s s:w%o&r=d?#~.-_0123456789"
	e.Update(t, func(ctx context.Context, tx *directory.Tx) error {
		_, err := tx.AddPasswordValue(ctx, special.App.ID, "special", secret, time.Time{}, time.Time{})
		return err
	})
	demoSP, err := e.Directory().ServicePrincipalByAppID(context.Background(), e.Tenant, e.Demo.ClientID)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		form   url.Values
		header http.Header
		appID  string
		oid    string
	}{
		{"body", testenv.ClientCredentials(e.Demo.ClientID, e.Demo.ClientSecret, cogScope), nil, e.Demo.ClientID, demoSP.ID},
		{"body upper-case client_id", testenv.ClientCredentials(strings.ToUpper(e.Demo.ClientID), e.Demo.ClientSecret, cogScope), nil, e.Demo.ClientID, demoSP.ID},
		{"basic", url.Values{"grant_type": {"client_credentials"}, "scope": {cogScope}},
			hdr("Authorization", "Basic "+basic(e.Demo.ClientID, e.Demo.ClientSecret)), e.Demo.ClientID, demoSP.ID},
		{"basic with client_id also in body", url.Values{"grant_type": {"client_credentials"}, "scope": {cogScope}, "client_id": {e.Demo.ClientID}},
			hdr("Authorization", "Basic "+basic(e.Demo.ClientID, e.Demo.ClientSecret)), e.Demo.ClientID, demoSP.ID},
		{"basic url-encoded special characters", url.Values{"grant_type": {"client_credentials"}, "scope": {cogScope}},
			hdr("Authorization", "Basic "+basic(special.App.AppID, secret)), special.App.AppID, special.SP.ID},
		{"body special characters", testenv.ClientCredentials(special.App.AppID, secret, cogScope), nil, special.App.AppID, special.SP.ID},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body := e.PostForm(t, "/"+e.Tenant+"/oauth2/v2.0/token", tc.form, tc.header)
			h, c := okToken(t, e, status, body)
			want := map[string]any{"aud": "https://cognitiveservices.azure.com", "iss": "https://sts.windows.net/" + e.Tenant + "/",
				"ver": "1.0", "appid": tc.appID, "appidacr": "1", "oid": tc.oid, "sub": tc.oid, "tid": e.Tenant,
				"idtyp": "app", "idp": "https://sts.windows.net/" + e.Tenant + "/"}
			for k, v := range want {
				if c[k] != v {
					t.Errorf("claim %s = %v, want %v", k, c[k], v)
				}
			}
			for _, k := range []string{"azp", "azpacr", "roles", "scp"} {
				if _, ok := c[k]; ok {
					t.Errorf("v1 app token has %s", k)
				}
			}
			if h.Algorithm != "RS256" || h.ExtraHeaders["x5t"] != h.KeyID || h.ExtraHeaders["typ"] != "JWT" {
				t.Errorf("v1 header %+v: want RS256, typ JWT and x5t == kid", h)
			}
			iat, nbf, exp := claimTime(t, c, "iat"), claimTime(t, c, "nbf"), claimTime(t, c, "exp")
			if time.Since(iat) > time.Minute || !nbf.Equal(iat) || exp.Sub(iat) < 59*time.Minute || exp.Sub(iat) > time.Hour {
				t.Errorf("iat %v nbf %v exp %v", iat, nbf, exp)
			}
		})
	}
}

// TestCertificateCredentials: RS256 + x5t and PS256 + x5t#S256, with the
// thumbprint in every encoding clients use.
func TestCertificateCredentials(t *testing.T) {
	f := newFixture(t)
	id := f.certApp.App.AppID
	type enc struct {
		name string
		fn   func([]byte) string
	}
	encs := []enc{{"base64url", testenv.B64URL}, {"std padded", testenv.B64Std}, {"std unpadded", testenv.B64StdNoPad}}
	type variant struct {
		name   string
		alg    jose.SignatureAlgorithm
		header string
		thumb  []byte
	}
	variants := []variant{{"RS256 x5t", jose.RS256, "x5t", f.cert.SHA1()}, {"PS256 x5t#S256", jose.PS256, "x5t#S256", f.cert.SHA256()},
		{"PS256 x5t", jose.PS256, "x5t", f.cert.SHA1()}, {"RS256 x5t#S256", jose.RS256, "x5t#S256", f.cert.SHA256()}}
	for _, v := range variants {
		for _, en := range encs {
			t.Run(v.name+" "+en.name, func(t *testing.T) {
				a := testenv.Assertion{Alg: v.alg, Headers: map[string]any{v.header: en.fn(v.thumb)},
					Claims: testenv.AssertionClaims(id, f.assertionAud(), time.Now())}.Sign(t, f.cert.Key)
				status, body := f.Token(t, testenv.AssertionForm(id, a, cogScope))
				_, c := okToken(t, f.Env, status, body)
				if c["appid"] != id || c["appidacr"] != "2" || c["oid"] != f.certApp.SP.ID {
					t.Errorf("claims %v", c)
				}
			})
		}
	}
	t.Run("MSAL Go shape: x5t#S256 std padded, x5c, no iat", func(t *testing.T) {
		claims := testenv.AssertionClaims(id, f.assertionAud(), time.Now())
		delete(claims, "iat")
		a := testenv.Assertion{Alg: jose.PS256, Headers: map[string]any{"x5t#S256": testenv.B64Std(f.cert.SHA256()),
			"x5c": []string{testenv.B64Std(f.cert.Cert.Raw)}}, Claims: claims}.Sign(t, f.cert.Key)
		status, body := f.Token(t, testenv.AssertionForm(id, a, cogScope))
		okToken(t, f.Env, status, body)
	})
	t.Run("client_id taken from iss", func(t *testing.T) {
		form := testenv.AssertionForm("", f.signedAssertion(t), cogScope)
		form.Del("client_id")
		status, body := f.Token(t, form)
		_, c := okToken(t, f.Env, status, body)
		if c["appid"] != id {
			t.Errorf("appid %v", c["appid"])
		}
	})
	t.Run("aud by domain and v1 endpoint", func(t *testing.T) {
		for _, aud := range []string{f.URL + "/" + f.Domain + "/oauth2/v2.0/token", f.URL + "/" + f.Tenant + "/oauth2/token",
			strings.ToUpper(f.URL+"/"+f.Tenant) + "/oauth2/v2.0/token"} {
			a := testenv.Assertion{Headers: map[string]any{"x5t": testenv.B64URL(f.cert.SHA1())},
				Claims: testenv.AssertionClaims(id, aud, time.Now())}.Sign(t, f.cert.Key)
			status, body := f.Token(t, testenv.AssertionForm(id, a, cogScope))
			if status != 200 {
				t.Errorf("aud %s: %d %v", aud, status, body)
			}
		}
	})
	t.Run("aud as an array", func(t *testing.T) {
		claims := testenv.AssertionClaims(id, "", time.Now())
		claims["aud"] = []string{"https://other.example.com", f.assertionAud()}
		a := testenv.Assertion{Headers: map[string]any{"x5t": testenv.B64URL(f.cert.SHA1())}, Claims: claims}.Sign(t, f.cert.Key)
		status, body := f.Token(t, testenv.AssertionForm(id, a, cogScope))
		okToken(t, f.Env, status, body)
	})
	t.Run("expired a minute ago is within skew", func(t *testing.T) {
		claims := testenv.AssertionClaims(id, f.assertionAud(), time.Now().Add(-11*time.Minute))
		a := testenv.Assertion{Headers: map[string]any{"x5t": testenv.B64URL(f.cert.SHA1())}, Claims: claims}.Sign(t, f.cert.Key)
		status, body := f.Token(t, testenv.AssertionForm(id, a, cogScope))
		okToken(t, f.Env, status, body)
	})
}

// TestScopeAndTelemetryTolerance: what MSAL Go and msal-node really send.
func TestScopeAndTelemetryTolerance(t *testing.T) {
	e := testenv.New(t)
	base := func(scope string) url.Values {
		return testenv.ClientCredentials(e.Demo.ClientID, e.Demo.ClientSecret, scope)
	}
	msalNode := base(cogScope)
	for k, v := range map[string]string{"x-client-SKU": "msal.js.node", "x-client-VER": "2.16.2", "x-client-OS": "linux",
		"x-client-CPU": "x64", "x-ms-lib-capability": "retry-after, h429", "x-client-current-telemetry": "5|771,2,,,|,",
		"x-client-last-telemetry": "5|0|||0,0", "client-request-id": directory.NewID(), "client_info": "1",
		"claims": `{"access_token":{"xms_cc":{"values":["cp1"]}}}`, "something_new": "ignored"} {
		msalNode.Set(k, v)
	}
	cases := []struct {
		name string
		form url.Values
		aud  string
	}{
		{"MSAL Go OIDC scopes", base(cogScope + " openid offline_access profile"), "https://cognitiveservices.azure.com"},
		{"OIDC scopes first", base("openid offline_access profile " + cogScope), "https://cognitiveservices.azure.com"},
		{"msal-node telemetry in body", msalNode, "https://cognitiveservices.azure.com"},
		{"ARM with double slash", base("https://management.azure.com//.default"), "https://management.azure.com/"},
		{"ARM classic", base("https://management.core.windows.net//.default"), "https://management.core.windows.net/"},
		{"ARM without slash", base("https://management.azure.com/.default"), "https://management.azure.com"},
		{"Graph", base("https://graph.microsoft.com/.default"), "https://graph.microsoft.com"},
		{"bare .default is Graph", base(".default"), "https://graph.microsoft.com"},
		{"resource by appId", base(directory.CognitiveServicesAppID + "/.default"), directory.CognitiveServicesAppID},
		{"AI Foundry", base("https://ai.azure.com/.default"), "https://ai.azure.com"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body := e.Token(t, tc.form)
			_, c := okToken(t, e, status, body)
			if c["aud"] != tc.aud {
				t.Errorf("aud %v, want %v", c["aud"], tc.aud)
			}
			if _, ok := c["roles"]; ok {
				t.Errorf("demo app got roles %v", c["roles"])
			}
		})
	}
}

// TestTenantByIDAndDomain: the same tenant answers by GUID, by domain (any
// case) and, for its own apps, on /organizations and /common.
func TestTenantByIDAndDomain(t *testing.T) {
	e := testenv.New(t)
	for _, seg := range []string{e.Tenant, strings.ToUpper(e.Tenant), e.Domain, strings.ToUpper(e.Domain), "organizations", "common"} {
		t.Run(seg, func(t *testing.T) {
			status, body := e.PostForm(t, "/"+seg+"/oauth2/v2.0/token", testenv.ClientCredentials(e.Demo.ClientID, e.Demo.ClientSecret, cogScope), nil)
			_, c := okToken(t, e, status, body)
			if c["tid"] != e.Tenant || c["iss"] != "https://sts.windows.net/"+e.Tenant+"/" {
				t.Errorf("tid %v iss %v", c["tid"], c["iss"])
			}
		})
	}
}

// TestV1Endpoint: resource= instead of scope=, numbers as strings.
func TestV1Endpoint(t *testing.T) {
	e := testenv.New(t)
	for _, res := range []string{"https://cognitiveservices.azure.com", "https://management.azure.com/", "https://management.core.windows.net/"} {
		t.Run(res, func(t *testing.T) {
			form := url.Values{"grant_type": {"client_credentials"}, "client_id": {e.Demo.ClientID},
				"client_secret": {e.Demo.ClientSecret}, "resource": {res}}
			status, body := e.PostForm(t, "/"+e.Tenant+"/oauth2/token", form, nil)
			if status != 200 {
				t.Fatalf("%d %v", status, body)
			}
			for _, k := range []string{"expires_in", "ext_expires_in", "expires_on", "not_before"} {
				if s, ok := body[k].(string); !ok || s == "" || strings.Trim(s, "0123456789") != "" {
					t.Errorf("%s = %#v, want a string of digits", k, body[k])
				}
			}
			if body["resource"] != res || body["token_type"] != "Bearer" {
				t.Errorf("body %v", body)
			}
			_, c := e.VerifyToken(t, body["access_token"].(string))
			if c["aud"] != res || c["ver"] != "1.0" {
				t.Errorf("aud %v ver %v", c["aud"], c["ver"])
			}
		})
	}
}

// TestV2ResourceAndRoles: a resource app asking for v2 tokens gets the v2
// shape; the roles claim lists the app roles granted to the client.
func TestV2ResourceAndRoles(t *testing.T) {
	e := testenv.New(t)
	two := 2
	roles := []directory.AppRole{{Value: "Data.Read", DisplayName: "read", IsEnabled: true},
		{Value: "Data.Write", DisplayName: "write", IsEnabled: true}, {Value: "Disabled.Role", DisplayName: "off", IsEnabled: false}}
	api2 := e.NewApp(t, "api-v2", testenv.AppOptions{IdentifierURIs: []string{"api://gatehouse-test-v2"}, TokenVersion: &two, AppRoles: roles})
	api1 := e.NewApp(t, "api-v1", testenv.AppOptions{IdentifierURIs: []string{"api://gatehouse-test-v1"}, AppRoles: roles})
	client := e.NewApp(t, "client", testenv.AppOptions{})
	bare := e.NewApp(t, "no-roles", testenv.AppOptions{})
	for _, r := range []string{"Data.Write", "Data.Read", "Disabled.Role"} {
		e.AssignRole(t, client.SP.ID, api2.SP, r)
	}
	e.AssignRole(t, client.SP.ID, api1.SP, "Data.Read")

	t.Run("v2 shape", func(t *testing.T) {
		for _, scope := range []string{"api://gatehouse-test-v2/.default", api2.App.AppID + "/.default"} {
			status, body := e.Token(t, testenv.ClientCredentials(client.App.AppID, client.Secret, scope))
			h, c := okToken(t, e, status, body)
			want := map[string]any{"iss": "https://" + e.Host + "/" + e.Tenant + "/v2.0", "ver": "2.0", "aud": api2.App.AppID,
				"azp": client.App.AppID, "azpacr": "1", "oid": client.SP.ID, "tid": e.Tenant}
			for k, v := range want {
				if c[k] != v {
					t.Errorf("%s: claim %s = %v, want %v", scope, k, c[k], v)
				}
			}
			for _, k := range []string{"appid", "appidacr"} {
				if _, ok := c[k]; ok {
					t.Errorf("v2 token has %s", k)
				}
			}
			if _, ok := h.ExtraHeaders["x5t"]; ok {
				t.Error("v2 token header has x5t")
			}
			if got := rolesOf(c); !slices.Equal(got, []string{"Data.Read", "Data.Write"}) {
				t.Errorf("roles %v, want [Data.Read Data.Write] (disabled role left out)", got)
			}
		}
	})
	t.Run("v1 resource roles", func(t *testing.T) {
		status, body := e.Token(t, testenv.ClientCredentials(client.App.AppID, client.Secret, "api://gatehouse-test-v1/.default"))
		_, c := okToken(t, e, status, body)
		if c["aud"] != "api://gatehouse-test-v1" || c["ver"] != "1.0" {
			t.Errorf("aud %v ver %v", c["aud"], c["ver"])
		}
		if got := rolesOf(c); !slices.Equal(got, []string{"Data.Read"}) {
			t.Errorf("roles %v", got)
		}
	})
	t.Run("no roles claim without assignments", func(t *testing.T) {
		status, body := e.Token(t, testenv.ClientCredentials(bare.App.AppID, bare.Secret, "api://gatehouse-test-v2/.default"))
		_, c := okToken(t, e, status, body)
		if _, ok := c["roles"]; ok {
			t.Errorf("roles %v present without assignments", c["roles"])
		}
	})
	t.Run("certificate client on v2 has azpacr 2", func(t *testing.T) {
		cert := testenv.NewCert(t, "client", time.Time{}, time.Time{})
		e.AddCertificate(t, client, cert.Cert)
		a := testenv.Assertion{Headers: map[string]any{"x5t": testenv.B64URL(cert.SHA1())},
			Claims: testenv.AssertionClaims(client.App.AppID, e.TokenEndpoint(e.Tenant), time.Now())}.Sign(t, cert.Key)
		status, body := e.Token(t, testenv.AssertionForm(client.App.AppID, a, "api://gatehouse-test-v2/.default"))
		_, c := okToken(t, e, status, body)
		if c["azpacr"] != "2" {
			t.Errorf("azpacr %v", c["azpacr"])
		}
	})
}

func rolesOf(c map[string]any) []string {
	var out []string
	rs, _ := c["roles"].([]any)
	for _, r := range rs {
		s, _ := r.(string)
		out = append(out, s)
	}
	return out
}

// TestDiscoveryDocuments: OIDC document, JWKS shape and instance discovery.
func TestDiscoveryDocuments(t *testing.T) {
	e := testenv.New(t)
	for _, seg := range []string{e.Tenant, e.Domain} {
		t.Run("oidc v2 "+seg, func(t *testing.T) {
			status, doc := e.Get(t, "/"+seg+"/v2.0/.well-known/openid-configuration")
			if status != 200 {
				t.Fatalf("%d %v", status, doc)
			}
			base := e.URL + "/" + e.Tenant
			want := map[string]any{"issuer": base + "/v2.0", "token_endpoint": base + "/oauth2/v2.0/token",
				"jwks_uri": base + "/discovery/v2.0/keys", "authorization_endpoint": base + "/oauth2/v2.0/authorize",
				"device_authorization_endpoint": base + "/oauth2/v2.0/devicecode", "end_session_endpoint": base + "/oauth2/v2.0/logout",
				"tenant_region_scope": "WW", "cloud_instance_name": "microsoftonline.com", "msgraph_host": "graph.microsoft.com",
				"request_uri_parameter_supported": false, "http_logout_supported": true}
			for k, v := range want {
				if doc[k] != v {
					t.Errorf("%s = %v, want %v", k, doc[k], v)
				}
			}
			methods, _ := doc["token_endpoint_auth_methods_supported"].([]any)
			if len(methods) != 3 {
				t.Errorf("token_endpoint_auth_methods_supported %v", methods)
			}
			// The jwks_uri of the document serves keys that verify tokens.
			req, _ := http.NewRequest(http.MethodGet, doc["jwks_uri"].(string), nil)
			if st, _, raw := e.Do(t, req); st != 200 || !strings.Contains(string(raw), `"keys"`) {
				t.Errorf("jwks_uri: %d %s", st, raw)
			}
		})
	}
	t.Run("oidc v1", func(t *testing.T) {
		_, doc := e.Get(t, "/"+e.Tenant+"/.well-known/openid-configuration")
		if doc["issuer"] != "https://sts.windows.net/"+e.Tenant+"/" || doc["token_endpoint"] != e.URL+"/"+e.Tenant+"/oauth2/token" {
			t.Errorf("v1 document %v", doc)
		}
	})
	t.Run("oidc common", func(t *testing.T) {
		_, doc := e.Get(t, "/common/v2.0/.well-known/openid-configuration")
		if doc["issuer"] != e.URL+"/{tenantid}/v2.0" || doc["token_endpoint"] != e.URL+"/common/oauth2/v2.0/token" {
			t.Errorf("common document %v", doc)
		}
	})
	t.Run("jwks shape", func(t *testing.T) {
		status, set := e.Get(t, "/"+e.Tenant+"/discovery/v2.0/keys")
		keys, _ := set["keys"].([]any)
		if status != 200 || len(keys) == 0 {
			t.Fatalf("%d %v", status, set)
		}
		for _, k := range keys {
			m := k.(map[string]any)
			if m["kty"] != "RSA" || m["use"] != "sig" || m["kid"] != m["x5t"] || m["e"] != "AQAB" ||
				m["issuer"] != e.URL+"/"+e.Tenant+"/v2.0" {
				t.Errorf("key %v", m)
			}
			if _, ok := m["alg"]; ok {
				t.Error("JWKS key has alg (Entra's do not)")
			}
			if x5c, _ := m["x5c"].([]any); len(x5c) != 1 {
				t.Errorf("x5c %v", m["x5c"])
			}
		}
		e.KeySet(t, e.Tenant) // go-jose accepts it (x5t matches x5c, x5c matches n/e)
		e.KeySet(t, "common")
	})
	t.Run("instance discovery", func(t *testing.T) {
		q := url.Values{"api-version": {"1.1"}, "authorization_endpoint": {"https://login.microsoftonline.com/" + e.Tenant + "/oauth2/v2.0/authorize"}}
		status, doc := e.Get(t, "/common/discovery/instance?"+q.Encode())
		if status != 200 {
			t.Fatalf("%d %v", status, doc)
		}
		if doc["tenant_discovery_endpoint"] != e.URL+"/"+e.Tenant+"/v2.0/.well-known/openid-configuration" || doc["api-version"] != "1.1" {
			t.Errorf("instance discovery %v", doc)
		}
		md, _ := doc["metadata"].([]any)
		if len(md) == 0 {
			t.Fatalf("no metadata: %v", doc)
		}
		m := md[0].(map[string]any)
		aliases, _ := m["aliases"].([]any)
		if m["preferred_network"] != e.Host || !slices.Contains(aliases, any(e.Host)) {
			t.Errorf("metadata %v, want this host %s", m, e.Host)
		}
		_, doc = e.Get(t, "/common/discovery/instance?api-version=1.0&authorization_endpoint=https://login.microsoftonline.com/common/oauth2/authorize")
		if doc["tenant_discovery_endpoint"] != e.URL+"/common/v2.0/.well-known/openid-configuration" || doc["api-version"] != "1.0" {
			t.Errorf("instance discovery (1.0, common) %v", doc)
		}
	})
}
