package tlsca

import (
	"context"
	"crypto/tls"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestHandshake serves the leaf and checks a client trusting only Pool()
// accepts it under every name it was issued for. All names are dialled at
// the test server's 127.0.0.1 listener, so no DNS or IPv6 is needed:
// verification uses the URL host, not the address dialled.
func TestHandshake(t *testing.T) {
	ca := mustEnsure(t, t.TempDir(), []string{"gatehouse.test", "*.localhost"}, time.Now())
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok")
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // rejected handshakes are expected
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{ca.TLSCertificate()}}
	srv.StartTLS()
	defer srv.Close()
	_, port, err := net.SplitHostPort(srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	client := func(trust bool) *http.Client {
		cfg := &tls.Config{}
		if trust {
			cfg.RootCAs = ca.Pool()
		} else {
			cfg.RootCAs = nil // system roots, which do not hold our CA
		}
		return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
			TLSClientConfig: cfg,
			DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
				return dialer.DialContext(ctx, "tcp", srv.Listener.Addr().String())
			},
		}}
	}
	trusted := client(true)

	tests := []struct {
		host    string
		wantErr string
	}{
		{"localhost", ""},
		{"127.0.0.1", ""},
		{"[::1]", ""},
		{"gatehouse.test", ""},
		{"api.localhost", ""},
		{"other.test", "not valid for any names"},
		{"10.9.9.9", "doesn't contain any IP SANs"},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			u := (&url.URL{Scheme: "https", Host: net.JoinHostPort(strings.Trim(tt.host, "[]"), port), Path: "/"}).String()
			resp, err := trusted.Get(u)
			if tt.wantErr != "" {
				if err == nil {
					resp.Body.Close()
					t.Fatalf("GET %s succeeded, want error", u)
				}
				if !strings.Contains(err.Error(), "certificate") {
					t.Errorf("GET %s: %v, want a certificate error", u, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("GET %s: %v", u, err)
			}
			defer resp.Body.Close()
			if body, _ := io.ReadAll(resp.Body); string(body) != "ok" {
				t.Errorf("body %q", body)
			}
		})
	}

	if resp, err := client(false).Get("https://localhost:" + port + "/"); err == nil {
		resp.Body.Close()
		t.Error("client without the CA trusted the server")
	}
}
