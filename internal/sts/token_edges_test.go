package sts_test

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/gatehouse/gatehouse/internal/directory"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// TestHexThumbprint: the assertion code accepts hex thumbprints ("some
// tools send hex"); a 40-character SHA-1 hex string is also valid base64,
// so hex must be tried first for hex-shaped values.
func TestHexThumbprint(t *testing.T) {
	f := newFixture(t)
	id := f.certApp.App.AppID
	for _, tc := range []struct {
		name, header string
		thumb        string
	}{
		{"sha1 upper", "x5t", strings.ToUpper(hex.EncodeToString(f.cert.SHA1()))},
		{"sha1 lower", "x5t", hex.EncodeToString(f.cert.SHA1())},
		{"sha256 upper", "x5t#S256", strings.ToUpper(hex.EncodeToString(f.cert.SHA256()))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := testenv.Assertion{Headers: map[string]any{tc.header: tc.thumb},
				Claims: testenv.AssertionClaims(id, f.assertionAud(), time.Now())}.Sign(t, f.cert.Key)
			status, body := f.Token(t, testenv.AssertionForm(id, a, cogScope))
			if status != 200 {
				t.Errorf("%d %v", status, body["error_description"])
			}
		})
	}
}

// TestClientStates: applications that exist but cannot sign in here.
func TestClientStates(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	disabled := f.NewApp(t, "disabled", testenv.AppOptions{})
	f.Update(t, func(ctx context.Context, tx *directory.Tx) error {
		sp := *disabled.SP
		sp.AccountEnabled = false
		return tx.PutServicePrincipal(ctx, &sp)
	})
	noSP := f.NewApp(t, "no-sp", testenv.AppOptions{NoSP: true})

	var other *directory.Tenant
	f.Update(t, func(ctx context.Context, tx *directory.Tx) error {
		var err error
		other, err = tx.CreateTenant(ctx, directory.NewTenant{Domain: "other.onmicrosoft.com"})
		return err
	})
	foreign := f.NewApp(t, "foreign", testenv.AppOptions{Tenant: other.ID})
	if _, err := f.Directory().ServicePrincipalByAppID(ctx, f.Tenant, foreign.App.AppID); !directory.IsNotFound(err) {
		t.Fatalf("foreign app has an SP in the bootstrap tenant: %v", err)
	}
	expiredCert := testenv.NewCert(t, "old", time.Now().AddDate(-1, 0, 0), time.Now().Add(-time.Hour))
	f.AddCertificate(t, f.certApp, expiredCert.Cert)

	cases := []struct {
		name   string
		path   string
		form   url.Values
		status int
		err    string
		code   int
	}{
		{"disabled service principal", "", testenv.ClientCredentials(disabled.App.AppID, disabled.Secret, cogScope), 400, "unauthorized_client", 7000112},
		{"no service principal", "", testenv.ClientCredentials(noSP.App.AppID, noSP.Secret, cogScope), 401, "invalid_client", 7000229},
		{"single-tenant app of another tenant", "", testenv.ClientCredentials(foreign.App.AppID, foreign.Secret, cogScope), 400, "unauthorized_client", 700016},
		{"other tenant's resource namespace", "/" + other.ID + "/oauth2/v2.0/token", testenv.ClientCredentials(f.Demo.ClientID, f.Demo.ClientSecret, cogScope), 400, "unauthorized_client", 700016},
		{"expired certificate", "", testenv.AssertionForm(f.certApp.App.AppID, testenv.Assertion{
			Headers: map[string]any{"x5t": testenv.B64URL(expiredCert.SHA1())},
			Claims:  testenv.AssertionClaims(f.certApp.App.AppID, f.assertionAud(), time.Now())}.Sign(t, expiredCert.Key), cogScope),
			401, "invalid_client", 50012},
		{"HS256 keyed with the certificate", "", testenv.AssertionForm(f.certApp.App.AppID, hs256(t, f.cert.Cert.Raw, f.cert.SHA1(),
			testenv.AssertionClaims(f.certApp.App.AppID, f.assertionAud(), time.Now())), cogScope), 401, "invalid_client", 50012},
		{"alg none", "", testenv.AssertionForm(f.certApp.App.AppID, algNone(f.cert.SHA1(),
			testenv.AssertionClaims(f.certApp.App.AppID, f.assertionAud(), time.Now())), cogScope), 401, "invalid_client", 50012},
		{"JWS JSON serialization", "", testenv.AssertionForm(f.certApp.App.AppID, jwsJSON(f.signedAssertion(t)), cogScope), 401, "invalid_client", 50012},
		{"wrong client_assertion_type", "", func() url.Values {
			v := testenv.AssertionForm(f.certApp.App.AppID, f.signedAssertion(t), cogScope)
			v.Set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:saml2-bearer")
			return v
		}(), 400, "invalid_request", 90013},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := tc.path
			if path == "" {
				path = "/" + f.Tenant + "/oauth2/v2.0/token"
			}
			status, body := f.PostForm(t, path, tc.form, nil)
			checkEntraError(t, status, body, tc.status, tc.err, tc.code, "")
		})
	}
}

func hs256(t *testing.T, key, sha1 []byte, claims map[string]any) string {
	return testenv.Assertion{Alg: jose.HS256, Headers: map[string]any{"x5t": testenv.B64URL(sha1)}, Claims: claims}.SignWith(t, key)
}

func algNone(sha1 []byte, claims map[string]any) string {
	h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT","x5t":"` + testenv.B64URL(sha1) + `"}`))
	return h + "." + base64.RawURLEncoding.EncodeToString([]byte(jsonOf(claims))) + "."
}

// jwsJSON re-serialises a compact JWS in the flattened JSON serialization,
// which is a valid JWS but not a JWT (RFC 7519 §7.2: JWTs are compact).
func jwsJSON(compact string) string {
	p := strings.Split(compact, ".")
	return `{"protected":"` + p[0] + `","payload":"` + p[1] + `","signature":"` + p[2] + `"}`
}
