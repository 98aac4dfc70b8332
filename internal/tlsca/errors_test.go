package tlsca

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Corrupt or inconsistent files must produce a clear error, not a panic and
// not a silently replaced CA.
func TestCorruptFiles(t *testing.T) {
	garbage := []byte("this is not PEM\n")
	tests := []struct {
		name    string
		mutate  func(t *testing.T, dir, other string)
		wantErr string
	}{
		{"ca.pem garbage", write(caCertFile, garbage), "ca.pem: no PEM CERTIFICATE block"},
		{"ca.pem empty", write(caCertFile, nil), "ca.pem: no PEM CERTIFICATE block"},
		{"ca.pem truncated", truncate(caCertFile), "ca.pem: no PEM CERTIFICATE block"},
		{"ca.pem bad DER", write(caCertFile, []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")), "ca.pem: malformed certificate"},
		{"ca.pem is not a CA", copyFrom(leafCertFile, caCertFile), "not a CA certificate"},
		{"ca-key.pem garbage", write(caKeyFile, garbage), "ca-key.pem: no PEM PRIVATE KEY block"},
		{"ca-key.pem holds a certificate", copyFrom(caCertFile, caKeyFile), "ca-key.pem: no PEM PRIVATE KEY block"},
		{"ca-key.pem bad DER", write(caKeyFile, []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")), "ca-key.pem: malformed private key"},
		{"ca-key.pem missing", remove(caKeyFile), "reading CA key"},
		{"ca-key.pem of another CA", fromOther(caKeyFile), "ca-key.pem does not belong to"},
		{"server.pem garbage", write(leafCertFile, garbage), "server.pem: no PEM CERTIFICATE block"},
		{"server.pem truncated", truncate(leafCertFile), "server.pem: no PEM CERTIFICATE block"},
		{"server-key.pem garbage", write(leafKeyFile, garbage), "server-key.pem: no PEM PRIVATE KEY block"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, other := t.TempDir(), t.TempDir()
			mustEnsure(t, dir, nil, t0)
			mustEnsure(t, other, nil, t0)
			tt.mutate(t, dir, other)
			ca, err := Ensure(dir, nil, t0)
			if err == nil {
				t.Fatalf("Ensure succeeded (CA %v), want error", ca.CertPath())
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not mention %q", err, tt.wantErr)
			}
		})
	}
}

func write(name string, data []byte) func(*testing.T, string, string) {
	return func(t *testing.T, dir, _ string) {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func truncate(name string) func(*testing.T, string, string) {
	return func(t *testing.T, dir, _ string) {
		p := filepath.Join(dir, name)
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data[:len(data)/2], 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func copyFrom(src, dst string) func(*testing.T, string, string) {
	return func(t *testing.T, dir, _ string) {
		data, err := os.ReadFile(filepath.Join(dir, src))
		if err != nil {
			t.Fatal(err)
		}
		write(dst, data)(t, dir, "")
	}
}

func fromOther(name string) func(*testing.T, string, string) {
	return func(t *testing.T, dir, other string) {
		data, err := os.ReadFile(filepath.Join(other, name))
		if err != nil {
			t.Fatal(err)
		}
		write(name, data)(t, dir, "")
	}
}

func remove(name string) func(*testing.T, string, string) {
	return func(t *testing.T, dir, _ string) {
		if err := os.Remove(filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
}

// A CA key left without its certificate is an interrupted first start:
// nothing was ever trusted, so a new CA is created.
func TestCAKeyWithoutCertRecreates(t *testing.T) {
	dir := t.TempDir()
	mustEnsure(t, dir, nil, t0)
	remove(caCertFile)(t, dir, "")
	if ca := mustEnsure(t, dir, nil, t0); !ca.Created() {
		t.Error("CA not recreated")
	}
}

func TestExpiredCA(t *testing.T) {
	dir := t.TempDir()
	mustEnsure(t, dir, nil, t0)
	_, err := Ensure(dir, nil, t0.AddDate(10, 0, 1))
	if err == nil || !strings.Contains(err.Error(), "expired") {
		t.Fatalf("Ensure with expired CA: %v, want expiry error", err)
	}
}

// The leaf never outlives the CA, even when issued close to its end.
func TestLeafCappedAtCAExpiry(t *testing.T) {
	dir := t.TempDir()
	ca := mustEnsure(t, dir, nil, t0)
	late := ca.cert.NotAfter.Add(-100 * 24 * time.Hour)
	leaf := mustEnsure(t, dir, nil, late).TLSCertificate().Leaf
	if leaf.NotAfter.After(ca.cert.NotAfter) {
		t.Errorf("leaf expires %v, after CA %v", leaf.NotAfter, ca.cert.NotAfter)
	}
}

func TestDirIsAFile(t *testing.T) {
	f := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(f, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Ensure(f, nil, t0); err == nil {
		t.Error("Ensure on a regular file succeeded")
	}
}

func TestInvalidHostnames(t *testing.T) {
	tests := []struct {
		host, wantErr string
	}{
		{"localhost:8443", "invalid character ':'"},
		{"https://example.test", "invalid character ':'"},
		{"a..b", "empty label"},
		{"*", "wildcard"},
		{"a.*.test", "wildcard"},
		{"*x.test", "wildcard"},
		{"-a.test", "hyphen"},
		{"a b", "invalid character ' '"},
		{strings.Repeat("a", 64) + ".test", "longer than 63"},
		{strings.Repeat("a.", 127) + "test", "longer than 253"},
		{"fe80::1%eth0", "zones"},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			dir := t.TempDir()
			_, err := Ensure(dir, []string{tt.host}, t0)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Ensure(%q): %v, want error mentioning %q", tt.host, err, tt.wantErr)
			}
			// Names are checked before anything is written.
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("files written despite invalid hostname: %d", len(entries))
			}
		})
	}
}

func TestParseNames(t *testing.T) {
	n, err := parseNames([]string{" Gatehouse.TEST. ", "", "*.LocalHost", "localhost", "[::1]", "::ffff:10.0.0.1", "10.0.0.1", "2001:db8::1"})
	if err != nil {
		t.Fatal(err)
	}
	wantDNS := []string{"localhost", "gatehouse.test", "*.localhost"}
	if strings.Join(n.dns, ",") != strings.Join(wantDNS, ",") {
		t.Errorf("dns = %q, want %q", n.dns, wantDNS)
	}
	var ips []string
	for _, ip := range n.ips {
		ips = append(ips, ip.String())
	}
	if got, want := strings.Join(ips, ","), "127.0.0.1,::1,10.0.0.1,2001:db8::1"; got != want {
		t.Errorf("ips = %s, want %s", got, want)
	}
}
