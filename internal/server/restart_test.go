package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/server"
)

func start(t *testing.T, dataDir string) *server.Server {
	t.Helper()
	s, err := server.New(context.Background(), server.Config{DataDir: dataDir, Demo: true,
		Logger: slog.New(slog.DiscardHandler), Out: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func tokenStatus(t *testing.T, s *server.Server, c *server.Credentials) int {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {c.ClientID}, "client_secret": {c.ClientSecret},
		"scope": {"https://cognitiveservices.azure.com/.default"}}
	req := httptest.NewRequest(http.MethodPost, "https://gatehouse.test/"+c.Tenant+"/oauth2/v2.0/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	return rec.Code
}

// TestRestart: a second start on the same data directory keeps the tenant,
// the administrator and the demo app and their secrets; a lost demo file
// gets a fresh demo app, and the old demo secret stops working.
func TestRestart(t *testing.T) {
	dir := t.TempDir()
	s1 := start(t, dir)
	boot1 := *s1.Bootstrap()
	admin1, err := server.ReadCredentials(server.AdminFile(dir))
	if err != nil {
		t.Fatal(err)
	}
	demo1, err := server.ReadCredentials(server.DemoFile(dir))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{server.AdminFile(dir), server.DemoFile(dir)} {
		if st, err := os.Stat(f); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v (%v), want 0600", f, st.Mode().Perm(), err)
		}
	}
	if admin1.Tenant != boot1.TenantID || admin1.ClientID != boot1.AdminAppID || demo1.ClientID != boot1.DemoAppID {
		t.Fatalf("credentials %+v %+v do not match bootstrap %+v", admin1, demo1, boot1)
	}
	if tokenStatus(t, s1, admin1) != 200 || tokenStatus(t, s1, demo1) != 200 {
		t.Fatal("first start: credentials do not work")
	}
	if err := s1.Close(); err != nil {
		t.Fatal(err)
	}

	s2 := start(t, dir)
	if *s2.Bootstrap() != boot1 {
		t.Errorf("bootstrap changed: %+v → %+v", boot1, *s2.Bootstrap())
	}
	admin2, _ := server.ReadCredentials(server.AdminFile(dir))
	demo2, _ := server.ReadCredentials(server.DemoFile(dir))
	if *admin2 != *admin1 || *demo2 != *demo1 {
		t.Errorf("credential files changed on restart")
	}
	if tokenStatus(t, s2, admin1) != 200 || tokenStatus(t, s2, demo1) != 200 {
		t.Error("second start: credentials do not work")
	}
	if err := s2.Close(); err != nil {
		t.Fatal(err)
	}

	if err := os.Remove(server.DemoFile(dir)); err != nil {
		t.Fatal(err)
	}
	s3 := start(t, dir)
	t.Cleanup(func() { _ = s3.Close() })
	demo3, err := server.ReadCredentials(server.DemoFile(dir))
	if err != nil {
		t.Fatal(err)
	}
	if demo3.ClientID == demo1.ClientID || s3.Bootstrap().DemoAppID != demo3.ClientID {
		t.Errorf("demo app not recreated: %s (was %s)", demo3.ClientID, demo1.ClientID)
	}
	if tokenStatus(t, s3, demo3) != 200 {
		t.Error("new demo credentials do not work")
	}
	if got := tokenStatus(t, s3, demo1); got == 200 {
		t.Error("the lost demo app's secret still works")
	}
	if tokenStatus(t, s3, admin1) != 200 {
		t.Error("admin credentials stopped working")
	}
}
