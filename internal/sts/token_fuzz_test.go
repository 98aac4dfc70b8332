package sts_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/gatehouse/gatehouse/internal/directory"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// leakMarkers must never appear in a response body: they betray a panic,
// a stack trace or a database error reaching the client.
var leakMarkers = []string{"panic", ".go:", "sql:", "goroutine"}

func checkNoLeak(t testing.TB, body []byte) {
	t.Helper()
	low := strings.ToLower(string(body))
	for _, m := range leakMarkers {
		if strings.Contains(low, m) {
			t.Errorf("response body contains %q:\n%s", m, body)
		}
	}
}

// entraErrorValues is the closed set of OAuth error values (reference §9).
var entraErrorValues = map[string]bool{"invalid_request": true, "invalid_grant": true, "unauthorized_client": true,
	"invalid_client": true, "unsupported_grant_type": true, "invalid_resource": true, "interaction_required": true,
	"temporarily_unavailable": true, "invalid_scope": true, "invalid_tenant": true, "invalid_instance": true}

// checkTokenResponse asserts that a token endpoint response is a success
// or an Entra-shaped error, never a server failure. It returns the
// decoded body and the AADSTS code (0 on success).
func checkTokenResponse(t testing.TB, rec *httptest.ResponseRecorder) (map[string]any, int) {
	t.Helper()
	body := rec.Body.Bytes()
	checkNoLeak(t, body)
	if rec.Code >= 500 || rec.Code < 200 {
		t.Fatalf("status %d:\n%s", rec.Code, body)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q:\n%s", ct, body)
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, body)
	}
	if rec.Code == http.StatusOK {
		if at, _ := m["access_token"].(string); at == "" || m["token_type"] != "Bearer" {
			t.Fatalf("200 without a bearer access_token: %s", body)
		}
		return m, 0
	}
	if rec.Code != 400 && rec.Code != 401 {
		t.Fatalf("status %d is neither 400 nor 401:\n%s", rec.Code, body)
	}
	e, _ := m["error"].(string)
	if !entraErrorValues[e] {
		t.Fatalf("error %q is not an OAuth error value:\n%s", e, body)
	}
	codes, _ := m["error_codes"].([]any)
	if len(codes) != 1 {
		t.Fatalf("error_codes %v:\n%s", m["error_codes"], body)
	}
	code, _ := codes[0].(float64)
	desc, _ := m["error_description"].(string)
	if !strings.HasPrefix(desc, "AADSTS"+strconv.Itoa(int(code))+": ") || !descShape.MatchString(desc) {
		t.Fatalf("error_description %q is not Entra-shaped", desc)
	}
	for _, k := range []string{"timestamp", "trace_id", "correlation_id", "error_uri"} {
		if s, _ := m[k].(string); s == "" {
			t.Fatalf("error body lacks %s:\n%s", k, body)
		}
	}
	return m, int(code)
}

// serve runs one request through the in-process handler. target is a full
// https URL so the request looks as if it came through TLS to the test host.
func serve(h http.Handler, method, target, contentType, auth string, body io.Reader) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, body)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// FuzzTokenRequest posts arbitrary bodies, content types and Authorization
// headers to the token endpoints: never a 5xx, never a panic, always JSON
// in Entra's shape.
func FuzzTokenRequest(f *testing.F) {
	e := testenv.New(f)
	paths := []string{"/" + e.Tenant + "/oauth2/v2.0/token", "/" + e.Domain + "/oauth2/token", "/common/oauth2/v2.0/token",
		"/organizations/oauth2/token", "/" + directory.NewID() + "/oauth2/v2.0/token", "/consumers/oauth2/v2.0/token"}
	form := "application/x-www-form-urlencoded"
	good := testenv.ClientCredentials(e.Demo.ClientID, e.Demo.ClientSecret, cogScope).Encode()
	basicAuth := "Basic " + basic(e.Demo.ClientID, e.Demo.ClientSecret)
	seeds := []struct {
		path           uint8
		ct, auth, body string
	}{
		{0, form, "", good},
		{1, form, "", "grant_type=client_credentials&client_id=" + e.Demo.ClientID + "&client_secret=" + url.QueryEscape(e.Demo.ClientSecret) + "&resource=https://cognitiveservices.azure.com"},
		{2, form, basicAuth, "grant_type=client_credentials&scope=" + url.QueryEscape(cogScope)},
		{0, form + "; charset=utf-8", "", good + "&x-client-SKU=msal.js.node&claims=%7B%22access_token%22%3A%7B%7D%7D&client_info=1"},
		{0, "application/json", "", `{"grant_type":"client_credentials"}`},
		{0, "multipart/form-data; boundary=x", "", "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n--x--"},
		{0, "", "", good},
		{0, ";;;", "", good},
		{0, form, "Basic !!!", good},
		{0, form, "Basic " + base64.StdEncoding.EncodeToString([]byte("%zz:%zz")), good},
		{0, form, "Bearer x", "grant_type=client_credentials"},
		{0, form, "", "%zz=%zz&grant_type=client_credentials"},
		{0, form, "", "grant_type=client_credentials&client_id=" + e.Demo.ClientID + "&client_assertion_type=" + url.QueryEscape(assertionJWT) + "&client_assertion=a.b.c&scope=x"},
		{0, form, "", "grant_type=client_credentials&client_id=" + e.Demo.ClientID + "&client_secret=x&scope=" + strings.Repeat("a/.default+", 100)},
		{3, form, "", "grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=x&requested_token_use=on_behalf_of"},
		{4, form, "", good},
		{5, form, "", "grant_type=refresh_token&refresh_token=x&client_id=" + e.Demo.ClientID},
		{0, form, "", strings.Repeat("a", 70<<10)},
		{0, form, "", "grant_type=client_credentials&client_id=" + e.Demo.ClientID + "&client_secret=" + e.Demo.ClientSecret + "&scope=.default"},
	}
	for _, s := range seeds {
		f.Add(s.path, s.ct, s.auth, s.body)
	}
	f.Fuzz(func(t *testing.T, p uint8, ct, auth, body string) {
		target := e.URL + paths[int(p)%len(paths)]
		rec := serve(e.Handler, http.MethodPost, target, ct, auth, strings.NewReader(body))
		checkTokenResponse(t, rec)
	})
}

// FuzzClientAssertion feeds arbitrary client_assertion strings, seeded with
// valid assertions and mutations of them. Besides never failing, a 200 is
// only allowed for an assertion really signed by the registered key.
func FuzzClientAssertion(f *testing.F) {
	fx := newFixture(f)
	id := fx.certApp.App.AppID
	aud := fx.assertionAud()
	now := time.Now()
	claims := testenv.AssertionClaims(id, aud, now)
	rs := testenv.Assertion{Headers: map[string]any{"x5t": testenv.B64URL(fx.cert.SHA1())}, Claims: claims}.Sign(f, fx.cert.Key)
	ps := testenv.Assertion{Alg: jose.PS256, Headers: map[string]any{"x5t#S256": testenv.B64Std(fx.cert.SHA256()),
		"x5c": []string{testenv.B64Std(fx.cert.Cert.Raw)}}, Claims: claims}.Sign(f, fx.cert.Key)
	other := testenv.NewCert(f, "other", time.Time{}, time.Time{})
	forged := testenv.Assertion{Headers: map[string]any{"x5t": testenv.B64URL(fx.cert.SHA1())}, Claims: claims}.Sign(f, other.Key)
	parts := strings.Split(rs, ".")
	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	seeds := []string{
		rs, ps, forged, "", ".", "..", "a.b.c", "a.b.c.d.e", rs + ".", "." + rs,
		parts[0] + "." + parts[1] + ".",                          // no signature
		b64(`{"alg":"none","typ":"JWT"}`) + "." + parts[1] + ".", // alg none
		b64(`{"alg":"HS256","x5t":"`+testenv.B64URL(fx.cert.SHA1())+`"}`) + "." + parts[1] + "." + parts[2],
		b64(`{"alg":"RS256","x5t":12}`) + "." + parts[1] + "." + parts[2], // thumbprint not a string
		b64(`{"alg":"RS256","x5t":"`+strings.Repeat("A", 5000)+`"}`) + "." + parts[1] + "." + parts[2],
		parts[0] + "." + b64(`{"iss":"`+id+`","aud":7,"exp":"soon"}`) + "." + parts[2], // wrong claim types
		parts[0] + "." + b64(`[]`) + "." + parts[2],
		parts[0] + "." + b64(`{"exp":1e309}`) + "." + parts[2],
		strings.Replace(rs, parts[2][:8], "AAAAAAAA", 1),
		`{"payload":"` + parts[1] + `","protected":"` + parts[0] + `","signature":"` + parts[2] + `"}`, // JSON serialization
		strings.Repeat("A", 17<<10),
		"eyJ" + strings.Repeat(".", 3),
	}
	for _, s := range seeds {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, assertion string, withClientID bool) {
		form := testenv.AssertionForm(id, assertion, cogScope)
		if !withClientID {
			form.Del("client_id")
		}
		rec := serve(fx.Handler, http.MethodPost, fx.TokenEndpoint(fx.Tenant), "application/x-www-form-urlencoded", "",
			strings.NewReader(form.Encode()))
		_, code := checkTokenResponse(t, rec)
		switch code {
		case 0:
			jws, err := jose.ParseSignedCompact(assertion, []jose.SignatureAlgorithm{jose.RS256, jose.PS256})
			if err != nil {
				t.Fatalf("accepted an assertion that is not a compact JWS: %q", assertion)
			}
			if _, err := jws.Verify(fx.cert.Cert.PublicKey); err != nil {
				t.Fatalf("accepted an assertion not signed by the registered key: %q", assertion)
			}
		case 50012, 700027, 700024, 7000218, 900144, 700016, 90013:
		default:
			t.Fatalf("unexpected AADSTS%d for assertion %q: %s", code, assertion, rec.Body)
		}
	})
}

// TestErrorBodiesLeakNothing (dex-style): across malformed requests to
// every surface, no body betrays internals and nothing is a 5xx.
func TestErrorBodiesLeakNothing(t *testing.T) {
	e := testenv.New(t)
	form := "application/x-www-form-urlencoded"
	tokenPath := "/" + e.Tenant + "/oauth2/v2.0/token"
	graphToken := e.GraphToken(t, e.Admin)
	cases := []struct {
		name, method, path, ct, auth, body string
	}{
		{"bad escape", "POST", tokenPath, form, "", "grant_type=%zz"},
		{"semicolon separators", "POST", tokenPath, form, "", "grant_type=client_credentials;client_id=x"},
		{"multipart", "POST", tokenPath, "multipart/form-data; boundary=x", "", "--x--"},
		{"json", "POST", tokenPath, "application/json", "", `{"grant_type":"client_credentials"}`},
		{"bad media type", "POST", tokenPath, "a/b/c; ===", "", "a=b"},
		{"huge body", "POST", tokenPath, form, "", "scope=" + strings.Repeat("x", 100<<10)},
		{"PUT", "PUT", tokenPath, form, "", "a=b"},
		{"GET", "GET", tokenPath, "", "", ""},
		{"long tenant", "POST", "/" + strings.Repeat("t", 300) + "/oauth2/v2.0/token", form, "", "grant_type=client_credentials"},
		{"escaped tenant", "POST", "/%00%ff%2F/oauth2/v2.0/token", form, "", "grant_type=client_credentials"},
		{"tenant with quote", "POST", "/x'%20or%201=1--/oauth2/v2.0/token", form, "", "grant_type=client_credentials"},
		{"sql-ish client id", "POST", tokenPath, form, "", "grant_type=client_credentials&client_secret=x&scope=a/.default&client_id=" + url.QueryEscape("' OR 1=1 --")},
		{"sql-ish scope", "POST", tokenPath, form, "", "grant_type=client_credentials&client_id=" + e.Demo.ClientID + "&client_secret=" + url.QueryEscape(e.Demo.ClientSecret) + "&scope=" + url.QueryEscape("x' OR '1'='1/.default")},
		{"NUL scope", "POST", tokenPath, form, "", "grant_type=client_credentials&client_id=" + e.Demo.ClientID + "&client_secret=" + url.QueryEscape(e.Demo.ClientSecret) + "&scope=%00/.default"},
		{"huge assertion", "POST", tokenPath, form, "", "grant_type=client_credentials&client_assertion_type=" + url.QueryEscape(assertionJWT) + "&client_assertion=" + strings.Repeat("A", 40<<10)},
		{"assertion empty header", "POST", tokenPath, form, "", "grant_type=client_credentials&client_assertion_type=" + url.QueryEscape(assertionJWT) + "&client_assertion=e30.e30.AAAA"},
		{"basic garbage", "POST", tokenPath, form, "Basic ***", "grant_type=client_credentials&scope=a/.default"},
		{"basic bad escape", "POST", tokenPath, form, "Basic " + base64.StdEncoding.EncodeToString([]byte("%zz:%")), "grant_type=client_credentials"},
		{"oidc unknown", "GET", "/%2e%2e/v2.0/.well-known/openid-configuration", "", "", ""},
		{"keys unknown", "GET", "/x/discovery/v2.0/keys", "", "", ""},
		{"instance garbage", "GET", "/common/discovery/instance?authorization_endpoint=%zz", "", "", ""},
		{"unknown endpoint", "GET", "/" + e.Tenant + "/oauth2/v2.0/nothing", "", "", ""},
		{"graph no token", "GET", "/v1.0/applications", "", "", ""},
		{"graph bad token", "GET", "/v1.0/applications", "", "Bearer a.b.c", ""},
		{"graph not bearer", "GET", "/v1.0/applications", "", "Basic abc", ""},
		{"graph bad json", "POST", "/v1.0/applications", "application/json", "Bearer " + graphToken, "{"},
		{"graph wrong types", "POST", "/v1.0/applications", "application/json", "Bearer " + graphToken, `{"displayName":7}`},
		{"graph bad filter", "GET", "/v1.0/applications?$filter=" + url.QueryEscape("displayName eq 'x' or 1 eq 1"), "", "Bearer " + graphToken, ""},
		{"graph sql-ish filter", "GET", "/v1.0/users?$filter=" + url.QueryEscape("userPrincipalName eq ''' OR 1=1 --'"), "", "Bearer " + graphToken, ""},
		{"graph unknown object", "GET", "/v1.0/users/" + directory.NewID(), "", "Bearer " + graphToken, ""},
		{"graph bad id", "GET", "/v1.0/groups/%00", "", "Bearer " + graphToken, ""},
		{"graph bad ref", "POST", "/v1.0/groups/" + directory.NewID() + "/members/$ref", "application/json", "Bearer " + graphToken, `{"@odata.id":"x"}`},
		{"graph getByIds garbage", "POST", "/v1.0/directoryObjects/getByIds", "application/json", "Bearer " + graphToken, `{"ids":["x",1]}`},
		{"graph alternate key garbage", "GET", "/v1.0/applications(appId='%00')", "", "Bearer " + graphToken, ""},
		{"graph unknown segment", "GET", "/v1.0/nothing/here", "", "Bearer " + graphToken, ""},
		{"graph addPassword bad date", "POST", "/v1.0/applications/" + directory.NewID() + "/addPassword", "application/json", "Bearer " + graphToken, `{"passwordCredential":{"endDateTime":"tomorrow"}}`},
	}
	// Malformed but harmless: these answer 200 correctly (an unparsable
	// query is ignored; the filter is a valid OData literal).
	okToo := map[string]bool{"instance garbage": true, "graph sql-ish filter": true}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, e.URL+tc.path, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if tc.ct != "" {
				req.Header.Set("Content-Type", tc.ct)
			}
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			status, _, body := e.Do(t, req)
			checkNoLeak(t, body)
			if status >= 500 {
				t.Errorf("status %d: %s", status, body)
			}
			if status < 400 && !okToo[tc.name] {
				t.Errorf("a bad request succeeded: %d %s", status, body)
			}
			var m map[string]any
			if err := json.Unmarshal(body, &m); err != nil {
				t.Errorf("error body is not JSON: %s", body)
			}
		})
	}
}
