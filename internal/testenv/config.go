package testenv

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/server"
)

// NewWithConfig is New with a declarative configuration (the YAML of
// `gatehouse serve --config`) applied at start, for tests that need more
// than the bootstrap tenant (several tenants, subscriptions, management
// groups, deny assignments). No TLS listener is started: callers use
// Handler, which is faster when a test starts many servers; URL and
// Client are left empty.
func NewWithConfig(t testing.TB, yaml string) *Env {
	t.Helper()
	dataDir := t.TempDir()
	cfg := filepath.Join(dataDir, "config.yaml")
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatalf("testenv: %v", err)
	}
	s, err := server.New(context.Background(), server.Config{DataDir: dataDir, ConfigFile: cfg, Demo: true,
		Logger: slog.New(slog.DiscardHandler), Out: io.Discard})
	if err != nil {
		t.Fatalf("testenv: server.New: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	e := &Env{DataDir: dataDir, Server: s, Handler: s.Handler(), Tenant: s.Bootstrap().TenantID, Domain: server.DefaultTenantDomain}
	for path, dst := range map[string]*server.Credentials{server.AdminFile(dataDir): &e.Admin, server.DemoFile(dataDir): &e.Demo} {
		c, err := server.ReadCredentials(path)
		if err != nil {
			t.Fatalf("testenv: %v", err)
		}
		*dst = *c
	}
	return e
}

// Serve starts a TLS listener for an Env made by NewWithConfig and fills
// URL, Host and Client, so the helpers that use them work.
func (e *Env) Serve(t testing.TB) {
	t.Helper()
	ts := httptest.NewTLSServer(e.Handler)
	t.Cleanup(ts.Close)
	e.URL, e.Host, e.Client = ts.URL, strings.TrimPrefix(ts.URL, "https://"), ts.Client()
}
