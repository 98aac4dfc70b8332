package testenv_test

import (
	"net/http"
	"testing"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// TestEnv checks the helper itself: both credential files work and the
// token verifies against the published keys.
func TestEnv(t *testing.T) {
	e := testenv.New(t)
	if e.Admin.Tenant != e.Tenant || e.Demo.Tenant != e.Tenant {
		t.Fatalf("credentials name tenants %q and %q, want %q", e.Admin.Tenant, e.Demo.Tenant, e.Tenant)
	}
	for name, c := range map[string]struct{ id, secret string }{"admin": {e.Admin.ClientID, e.Admin.ClientSecret}, "demo": {e.Demo.ClientID, e.Demo.ClientSecret}} {
		status, body := e.Token(t, testenv.ClientCredentials(c.id, c.secret, "https://cognitiveservices.azure.com/.default"))
		if status != http.StatusOK {
			t.Fatalf("%s: %d %v", name, status, body)
		}
		_, claims := e.VerifyToken(t, body["access_token"].(string))
		if claims["appid"] != c.id || claims["tid"] != e.Tenant {
			t.Errorf("%s: claims %v", name, claims)
		}
	}
}
