package token_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/gatehouse/gatehouse/internal/store/sqlite"
	"github.com/gatehouse/gatehouse/internal/token"
)

const tid = "6f219ef1-318b-4d99-a551-bdf6a652d79b"

type kit struct {
	keys *token.Keys
	ver  *token.Verifier
	key  *token.SigningKey
	now  time.Time
}

func newKit(t testing.TB) *kit {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "token.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	k := &kit{keys: token.NewKeys(st, token.DefaultPolicy), now: time.Now().Truncate(time.Second)}
	k.keys.SetClock(func() time.Time { return k.now })
	if err := k.keys.Rotate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if k.key, err = k.keys.Active(context.Background()); err != nil {
		t.Fatal(err)
	}
	k.ver = token.NewVerifier(k.keys, 5*time.Minute)
	k.ver.SetClock(func() time.Time { return k.now })
	return k
}

func (k *kit) claims(ver string) *token.Claims {
	c := &token.Claims{Aud: "https://cognitiveservices.azure.com", Iat: k.now.Unix(), Nbf: k.now.Unix(),
		Exp: k.now.Add(time.Hour).Unix(), Oid: "oid", Sub: "oid", Tid: tid, Uti: "u", Ver: ver, IdTyp: "app"}
	if ver == "1.0" {
		c.Iss, c.AppID = token.V1Issuer(tid), "app"
	} else {
		c.Iss, c.Azp = token.V2Issuer("https://gatehouse.test:8443", tid), "app"
	}
	return c
}

func (k *kit) sign(t testing.TB, c *token.Claims) string {
	t.Helper()
	raw, err := k.key.Sign(c)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// foreignSign signs claims with a key that is not gatehouse's but claims
// gatehouse's kid.
func foreignSign(t testing.TB, kid string, alg jose.SignatureAlgorithm, key any, c *token.Claims) string {
	t.Helper()
	opts := (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", kid)
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := jwt.Signed(s).Claims(c).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

var sentinels = []error{token.ErrMalformed, token.ErrSignature, token.ErrExpired, token.ErrNotYetValid, token.ErrIssuer, token.ErrAudience}

func isSentinel(err error) bool {
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

func TestVerify(t *testing.T) {
	k := newKit(t)
	ctx := context.Background()
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	mod := func(ver string, fn func(c *token.Claims)) string {
		c := k.claims(ver)
		fn(c)
		return k.sign(t, c)
	}
	v1 := k.sign(t, k.claims("1.0"))
	parts := strings.Split(v1, ".")
	cogAud := []string{"https://cognitiveservices.azure.com"}
	cases := []struct {
		name string
		raw  string
		auds []string
		want error // nil: valid
	}{
		{"v1 valid", v1, cogAud, nil},
		{"v2 valid", k.sign(t, k.claims("2.0")), cogAud, nil},
		{"any audience when none given", v1, nil, nil},
		{"audience case and trailing slash", v1, []string{"HTTPS://COGNITIVESERVICES.AZURE.COM/"}, nil},
		{"audience among several", v1, []string{"https://graph.microsoft.com", "https://cognitiveservices.azure.com"}, nil},
		{"wrong audience", v1, []string{"https://graph.microsoft.com"}, token.ErrAudience},
		{"expired beyond skew", mod("1.0", func(c *token.Claims) { c.Exp = k.now.Add(-6 * time.Minute).Unix() }), nil, token.ErrExpired},
		{"expired within skew", mod("1.0", func(c *token.Claims) { c.Exp = k.now.Add(-4 * time.Minute).Unix() }), nil, nil},
		{"not yet valid", mod("1.0", func(c *token.Claims) { c.Nbf = k.now.Add(10 * time.Minute).Unix() }), nil, token.ErrNotYetValid},
		{"v1 issuer of another tenant", mod("1.0", func(c *token.Claims) { c.Iss = token.V1Issuer("other") }), nil, token.ErrIssuer},
		{"v1 with v2 issuer", mod("1.0", func(c *token.Claims) { c.Iss = token.V2Issuer("https://h", tid) }), nil, token.ErrIssuer},
		{"v2 issuer over http", mod("2.0", func(c *token.Claims) { c.Iss = "http://h/" + tid + "/v2.0" }), nil, token.ErrIssuer},
		{"v2 issuer of another tenant", mod("2.0", func(c *token.Claims) { c.Iss = token.V2Issuer("https://h", "other") }), nil, token.ErrIssuer},
		{"no tid", mod("1.0", func(c *token.Claims) { c.Tid = "" }), nil, token.ErrIssuer},
		{"tampered payload", parts[0] + "." + b64(`{"aud":"x","tid":"`+tid+`"}`) + "." + parts[2], nil, token.ErrSignature},
		{"tampered signature", parts[0] + "." + parts[1] + "." + b64("nope"), nil, token.ErrSignature},
		{"foreign key with our kid", foreignSign(t, k.key.ID, jose.RS256, other, k.claims("1.0")), nil, token.ErrSignature},
		{"unknown kid", foreignSign(t, "nope", jose.RS256, other, k.claims("1.0")), nil, token.ErrUnknownKey},
		{"HS256 keyed with our public key", foreignSign(t, k.key.ID, jose.HS256, k.key.Private.PublicKey.N.Bytes(), k.claims("1.0")), nil, token.ErrMalformed},
		{"PS256", foreignSign(t, k.key.ID, jose.PS256, k.key.Private, k.claims("1.0")), nil, token.ErrMalformed},
		{"alg none", b64(`{"alg":"none","kid":"`+k.key.ID+`"}`) + "." + parts[1] + ".", nil, token.ErrMalformed},
		{"empty", "", nil, token.ErrMalformed},
		{"two parts", "a.b", nil, token.ErrMalformed},
		{"four parts", v1 + ".x", nil, token.ErrMalformed},
		{"too long", parts[0] + "." + strings.Repeat("A", 17<<10) + "." + parts[2], nil, token.ErrMalformed},
		{"JSON serialization", `{"protected":"` + parts[0] + `","payload":"` + parts[1] + `","signature":"` + parts[2] + `"}`, nil, token.ErrMalformed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := k.ver.Verify(ctx, tc.raw, tc.auds)
			if tc.want == nil {
				if err != nil || c == nil || c.Tid != tid {
					t.Fatalf("Verify: %v (claims %+v)", err, c)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("Verify error %v, want %v", err, tc.want)
			}
			if c != nil {
				t.Errorf("claims returned with an error: %+v", c)
			}
		})
	}
	t.Run("error details", func(t *testing.T) {
		_, err := k.ver.Verify(ctx, v1, []string{"https://graph.microsoft.com"})
		var ae *token.AudienceError
		if !errors.As(err, &ae) || ae.Got != "https://cognitiveservices.azure.com" {
			t.Errorf("audience error %v", err)
		}
		exp := k.now.Add(-time.Hour)
		_, err = k.ver.Verify(ctx, mod("1.0", func(c *token.Claims) { c.Exp = exp.Unix() }), nil)
		var ee *token.ExpiredError
		if !errors.As(err, &ee) || !ee.Exp.Equal(exp) {
			t.Errorf("expired error %v", err)
		}
	})
	t.Run("claims round trip", func(t *testing.T) {
		in := k.claims("1.0")
		in.Roles, in.XmsCC = []string{"a", "b"}, []string{"cp1"}
		c, err := k.ver.Verify(ctx, k.sign(t, in), nil)
		if err != nil {
			t.Fatal(err)
		}
		if c.ClientID() != "app" || !c.IsApp() || strings.Join(c.Roles, ",") != "a,b" || c.XmsCC[0] != "cp1" {
			t.Errorf("claims %+v", c)
		}
	})
}

// FuzzVerify feeds arbitrary strings to Verify: it must not panic and may
// only fail with the package's sentinel errors.
func FuzzVerify(f *testing.F) {
	k := newKit(f)
	ctx := context.Background()
	v1 := k.sign(f, k.claims("1.0"))
	v2 := k.sign(f, k.claims("2.0"))
	parts := strings.Split(v1, ".")
	expired := k.claims("1.0")
	expired.Exp = 0
	seeds := []string{
		v1, v2, k.sign(f, expired), "", ".", "..", "a.b.c", v1 + ".", "." + v1,
		parts[0] + "." + parts[1] + ".",
		b64(`{"alg":"none"}`) + "." + parts[1] + ".",
		b64(`{"alg":"RS256","kid":12}`) + "." + parts[1] + "." + parts[2],
		b64(`{"alg":"RS256","kid":"`+k.key.ID+`","crit":["exp"]}`) + "." + parts[1] + "." + parts[2],
		b64(`{"alg":"RS256","kid":"`+k.key.ID+`","jwk":{"kty":"RSA","n":"AQAB","e":"AQAB"}}`) + "." + parts[1] + "." + parts[2],
		parts[0] + "." + b64(`{"exp":1e400,"nbf":-1e400}`) + "." + parts[2],
		parts[0] + "." + b64(`[]`) + "." + parts[2],
		parts[0] + ".!!!." + parts[2],
		`{"payload":"` + parts[1] + `","protected":"` + parts[0] + `","signature":"` + parts[2] + `"}`,
	}
	for _, s := range seeds {
		f.Add(s, "https://cognitiveservices.azure.com")
		f.Add(s, "")
	}
	f.Fuzz(func(t *testing.T, raw, aud string) {
		var auds []string
		if aud != "" {
			auds = []string{aud}
		}
		c, err := k.ver.Verify(ctx, raw, auds)
		if err != nil {
			if !isSentinel(err) {
				t.Fatalf("Verify(%q) returned a non-sentinel error %T: %v", raw, err, err)
			}
			if c != nil {
				t.Fatalf("claims with an error")
			}
			return
		}
		if c == nil || c.Tid != tid {
			t.Fatalf("Verify(%q) accepted a token that is not ours: %+v", raw, c)
		}
	})
}
