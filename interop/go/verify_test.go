package interop

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// want is what a token must say.
type want struct {
	Aud      string
	V2       bool
	ClientID string
	ACR      string // "1" secret, "2" certificate
	OID      string // the client's service principal id
	Roles    []string
}

// oidcDoc is the part of the OIDC discovery document the tests use.
type oidcDoc struct {
	Issuer        string `json:"issuer"`
	TokenEndpoint string `json:"token_endpoint"`
	JwksURI       string `json:"jwks_uri"`
}

func (f *fixture) discovery(t *testing.T) oidcDoc {
	t.Helper()
	var d oidcDoc
	if err := f.getJSON(f.URL+"/"+f.Tenant+"/v2.0/.well-known/openid-configuration", &d); err != nil {
		t.Fatalf("OIDC discovery: %v", err)
	}
	return d
}

// keySet fetches the JWKS from the jwks_uri the discovery document names.
func (f *fixture) keySet(t *testing.T) (*jose.JSONWebKeySet, oidcDoc) {
	t.Helper()
	d := f.discovery(t)
	if !strings.HasPrefix(d.JwksURI, f.URL+"/") {
		t.Fatalf("jwks_uri %q is not on the server %s", d.JwksURI, f.URL)
	}
	var set jose.JSONWebKeySet
	if err := f.getJSON(d.JwksURI, &set); err != nil {
		t.Fatalf("JWKS %s: %v", d.JwksURI, err)
	}
	if len(set.Keys) == 0 {
		t.Fatalf("JWKS %s has no keys", d.JwksURI)
	}
	return &set, d
}

// verifyToken checks the signature of raw against the published keys
// (RS256 only) and its header and claims against w. It returns the claims.
func verifyToken(t *testing.T, raw string, w want) map[string]any {
	t.Helper()
	return fx.verify(t, raw, w)
}

// verify is verifyToken against the server of f.
func (f *fixture) verify(t *testing.T, raw string, w want) map[string]any {
	t.Helper()
	set, doc := f.keySet(t)

	hdr := decodeSegment(t, raw, 0)
	kid, _ := hdr["kid"].(string)
	if kid == "" {
		t.Fatalf("token header has no kid: %v", hdr)
	}
	if hdr["alg"] != "RS256" || hdr["typ"] != "JWT" {
		t.Errorf("header alg/typ = %v/%v, want RS256/JWT", hdr["alg"], hdr["typ"])
	}
	x5t, hasX5t := hdr["x5t"]
	if !w.V2 && x5t != kid {
		t.Errorf("v1 header x5t = %v, want kid %q", x5t, kid)
	}
	if w.V2 && hasX5t {
		t.Errorf("v2 header has x5t %v (Entra emits x5t only in v1 access tokens)", x5t)
	}

	jws, err := jose.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatalf("parse JWS: %v", err)
	}
	keys := set.Key(kid)
	if len(keys) != 1 {
		t.Fatalf("JWKS has %d keys with kid %q", len(keys), kid)
	}
	if keys[0].Use != "sig" {
		t.Errorf("JWK %s use = %q, want sig", kid, keys[0].Use)
	}
	payload, err := jws.Verify(keys[0])
	if err != nil {
		t.Fatalf("signature does not verify against JWK %s: %v", kid, err)
	}
	var c map[string]any
	if err := json.Unmarshal(payload, &c); err != nil {
		t.Fatalf("claims: %v", err)
	}

	str := func(name string) string { s, _ := c[name].(string); return s }
	eq := func(name, want string) {
		t.Helper()
		if got, ok := c[name].(string); !ok || got != want {
			t.Errorf("claim %s = %#v, want %q", name, c[name], want)
		}
	}
	absent := func(names ...string) {
		t.Helper()
		for _, n := range names {
			if v, ok := c[n]; ok {
				t.Errorf("claim %s = %#v, want absent", n, v)
			}
		}
	}
	eq("aud", w.Aud)
	eq("tid", f.Tenant)
	eq("oid", w.OID)
	eq("sub", w.OID)
	eq("idtyp", "app")
	if str("oid") == w.ClientID {
		t.Errorf("oid equals the appId %s; it must be the service principal's object id", w.ClientID)
	}
	if w.V2 {
		eq("ver", "2.0")
		eq("iss", f.URL+"/"+f.Tenant+"/v2.0")
		if str("iss") != doc.Issuer {
			t.Errorf("v2 iss %q differs from the discovery issuer %q", str("iss"), doc.Issuer)
		}
		eq("azp", w.ClientID)
		eq("azpacr", w.ACR)
		absent("appid", "appidacr")
	} else {
		eq("ver", "1.0")
		eq("iss", "https://sts.windows.net/"+f.Tenant+"/")
		eq("appid", w.ClientID)
		eq("appidacr", w.ACR)
		absent("azp", "azpacr")
	}
	if str("uti") == "" {
		t.Errorf("uti is empty")
	}
	absent("scp")

	// Times: iat now, nbf <= iat, lifetime about an hour (3599 s).
	num := func(name string) int64 {
		t.Helper()
		f, ok := c[name].(float64)
		if !ok || f != math.Trunc(f) {
			t.Fatalf("claim %s = %#v, want an integer", name, c[name])
		}
		return int64(f)
	}
	iat, nbf, exp := num("iat"), num("nbf"), num("exp")
	now := time.Now().Unix()
	if iat < now-300 || iat > now+60 {
		t.Errorf("iat %d is not now (%d)", iat, now)
	}
	if nbf > iat {
		t.Errorf("nbf %d after iat %d", nbf, iat)
	}
	if d := exp - iat; d < 3590 || d > 3600 {
		t.Errorf("exp-iat = %d, want about 3599", d)
	}

	if w.Roles == nil {
		absent("roles")
	} else {
		var got []string
		if arr, ok := c["roles"].([]any); ok {
			for _, r := range arr {
				s, _ := r.(string)
				got = append(got, s)
			}
		}
		slices.Sort(got)
		if !reflect.DeepEqual(got, w.Roles) {
			t.Errorf("roles = %#v, want %v", c["roles"], w.Roles)
		}
	}
	return c
}

// decodeSegment decodes part i (0 header, 1 payload) of a compact JWT.
func decodeSegment(t *testing.T, raw string, i int) map[string]any {
	t.Helper()
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		t.Fatalf("not a compact JWT: %d parts", len(parts))
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[i])
	if err != nil {
		t.Fatalf("segment %d: %v", i, err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("segment %d: %v", i, err)
	}
	return m
}

func (w want) String() string {
	return fmt.Sprintf("aud=%s v2=%v client=%s acr=%s roles=%v", w.Aud, w.V2, w.ClientID, w.ACR, w.Roles)
}
