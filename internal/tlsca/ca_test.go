package tlsca

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

var allFiles = []string{caCertFile, caKeyFile, leafCertFile, leafKeyFile}

func mustEnsure(t *testing.T, dir string, hosts []string, now time.Time) *CA {
	t.Helper()
	ca, err := Ensure(dir, hosts, now)
	if err != nil {
		t.Fatalf("Ensure: %v", err)
	}
	return ca
}

// snapshot returns the contents of the four files.
func snapshot(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	m := map[string][]byte{}
	for _, f := range allFiles {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		m[f] = b
	}
	return m
}

func TestEnsureCreates(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tls")
	ca := mustEnsure(t, dir, []string{"gatehouse.test"}, t0)

	if !ca.Created() {
		t.Error("Created() = false on first run")
	}
	if got, want := ca.CertPath(), filepath.Join(dir, "ca.pem"); got != want {
		t.Errorf("CertPath() = %q, want %q", got, want)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if want := slices.Sorted(slices.Values(allFiles)); !slices.Equal(got, want) {
		t.Errorf("directory holds %q, want exactly %q (no temp files)", got, want)
	}
	if runtime.GOOS != "windows" {
		perms := map[string]os.FileMode{"": 0o700, caCertFile: 0o644, caKeyFile: 0o600, leafCertFile: 0o600, leafKeyFile: 0o600}
		for name, want := range perms {
			fi, err := os.Stat(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			if got := fi.Mode().Perm(); got != want {
				t.Errorf("%s: mode %o, want %o", filepath.Join(dir, name), got, want)
			}
		}
	}

	root := ca.cert
	checks := []struct {
		what string
		ok   bool
	}{
		{"CA common name", root.Subject.CommonName == "gatehouse local CA"},
		{"CA is CA", root.IsCA && root.BasicConstraintsValid},
		{"CA MaxPathLen 0", root.MaxPathLen == 0 && root.MaxPathLenZero},
		{"CA key usage", root.KeyUsage == x509.KeyUsageCertSign|x509.KeyUsageCRLSign},
		{"CA serial 1..128 bits", root.SerialNumber.Sign() > 0 && root.SerialNumber.BitLen() <= 128},
		{"CA subject key id", len(root.SubjectKeyId) == 20},
		{"CA valid 10 years", root.NotAfter.Equal(t0.AddDate(10, 0, 0).Truncate(time.Second))},
		{"CA self-signed", root.CheckSignatureFrom(root) == nil},
		{"CA key P-256", root.PublicKey.(*ecdsa.PublicKey).Curve == elliptic.P256()},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s: check failed", c.what)
		}
	}

	tc := ca.TLSCertificate()
	if len(tc.Certificate) != 2 || !bytes.Equal(tc.Certificate[1], root.Raw) {
		t.Fatalf("chain has %d certificates, want leaf + CA", len(tc.Certificate))
	}
	leaf := tc.Leaf
	if !slices.Equal(leaf.DNSNames, []string{"localhost", "gatehouse.test"}) {
		t.Errorf("leaf DNS names %q", leaf.DNSNames)
	}
	if len(leaf.IPAddresses) != 2 || !leaf.IPAddresses[0].Equal([]byte{127, 0, 0, 1}) || leaf.IPAddresses[1].String() != "::1" {
		t.Errorf("leaf IPs %v", leaf.IPAddresses)
	}
	if !slices.Equal(leaf.ExtKeyUsage, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}) || leaf.IsCA {
		t.Errorf("leaf ExtKeyUsage %v IsCA %v", leaf.ExtKeyUsage, leaf.IsCA)
	}
	if d := leaf.NotAfter.Sub(leaf.NotBefore); d > 397*24*time.Hour || d < 360*24*time.Hour {
		t.Errorf("leaf validity %v, want about a year and at most 397 days", d)
	}
	if !bytes.Equal(leaf.AuthorityKeyId, root.SubjectKeyId) {
		t.Error("leaf AuthorityKeyId does not match CA SubjectKeyId")
	}
}

func TestEnsureReuses(t *testing.T) {
	dir := t.TempDir()
	mustEnsure(t, dir, []string{"gatehouse.test"}, t0)
	before := snapshot(t, dir)
	ca := mustEnsure(t, dir, []string{"gatehouse.test"}, t0.Add(time.Hour))
	if ca.Created() {
		t.Error("Created() = true on second run")
	}
	for f, b := range snapshot(t, dir) {
		if !bytes.Equal(b, before[f]) {
			t.Errorf("%s changed on second run", f)
		}
	}
	if !bytes.Equal(ca.TLSCertificate().Certificate[0], derOf(t, before[leafCertFile])) {
		t.Error("TLSCertificate is not the stored leaf")
	}
}

func derOf(t *testing.T, pemBytes []byte) []byte {
	t.Helper()
	c, err := parseCert("test", pemBytes)
	if err != nil {
		t.Fatal(err)
	}
	return c.Raw
}

// TestLeafReissue checks when the second Ensure replaces the leaf; the CA
// must never change.
func TestLeafReissue(t *testing.T) {
	first := []string{"gatehouse.test", "10.1.2.3"}
	tests := []struct {
		name    string
		hosts   []string
		mid     time.Time // if set, an Ensure at this time before the one tested
		now     time.Time
		reissue bool
	}{
		{"same names", first, time.Time{}, t0.Add(time.Hour), false},
		{"fewer names", []string{"GateHouse.Test."}, time.Time{}, t0.Add(time.Hour), false},
		{"only implicit names", nil, time.Time{}, t0.Add(time.Hour), false},
		{"explicit loopbacks", []string{"localhost", "127.0.0.1", "[::1]", "::ffff:127.0.0.1"}, time.Time{}, t0.Add(time.Hour), false},
		{"extra hostname", append(first, "other.test"), time.Time{}, t0.Add(time.Hour), true},
		{"extra wildcard", append(first, "*.localhost"), time.Time{}, t0.Add(time.Hour), true},
		{"extra IP", append(first, "192.168.1.5"), time.Time{}, t0.Add(time.Hour), true},
		{"expires in 60 days", first, time.Time{}, t0.Add(305 * 24 * time.Hour), false},
		{"expires in 25 days", first, time.Time{}, t0.Add(340 * 24 * time.Hour), true},
		{"expired", first, time.Time{}, t0.Add(400 * 24 * time.Hour), true},
		{"clock slightly behind", first, time.Time{}, t0.Add(-30 * time.Minute), false},
		{"clock went back before leaf issue", first, t0.Add(340 * 24 * time.Hour), t0.Add(100 * 24 * time.Hour), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			mustEnsure(t, dir, first, t0)
			if !tt.mid.IsZero() {
				mustEnsure(t, dir, first, tt.mid)
			}
			before := snapshot(t, dir)
			ca := mustEnsure(t, dir, tt.hosts, tt.now)
			after := snapshot(t, dir)
			for _, f := range []string{caCertFile, caKeyFile} {
				if !bytes.Equal(before[f], after[f]) {
					t.Errorf("%s changed", f)
				}
			}
			if got := !bytes.Equal(before[leafCertFile], after[leafCertFile]); got != tt.reissue {
				t.Fatalf("leaf re-issued = %v, want %v", got, tt.reissue)
			}
			if got := !bytes.Equal(before[leafKeyFile], after[leafKeyFile]); got != tt.reissue {
				t.Errorf("leaf key replaced = %v, want %v", got, tt.reissue)
			}
			leaf := ca.TLSCertificate().Leaf
			if _, err := leaf.Verify(x509.VerifyOptions{Roots: ca.Pool(), CurrentTime: tt.now}); err != nil {
				t.Errorf("leaf does not verify at %v: %v", tt.now, err)
			}
			for _, h := range tt.hosts {
				h = strings.Trim(h, "[]")
				if strings.HasPrefix(h, "*.") {
					h = "x" + h[1:]
				}
				if err := leaf.VerifyHostname(h); err != nil {
					t.Errorf("leaf does not cover %q: %v", h, err)
				}
			}
		})
	}
}

// A leaf from another CA (say, the user deleted and recreated only the CA
// files) is replaced rather than served.
func TestLeafFromOtherCA(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	mustEnsure(t, a, nil, t0)
	mustEnsure(t, b, nil, t0)
	for _, f := range []string{leafCertFile, leafKeyFile} {
		data, err := os.ReadFile(filepath.Join(a, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(b, f), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ca := mustEnsure(t, b, nil, t0)
	if _, err := ca.TLSCertificate().Leaf.Verify(x509.VerifyOptions{Roots: ca.Pool(), CurrentTime: t0}); err != nil {
		t.Errorf("foreign leaf kept: %v", err)
	}
}

// A crash between writing the new leaf key and the new leaf certificate
// leaves a mismatched pair; the next start must recover by re-issuing.
func TestLeafKeyMismatchReissues(t *testing.T) {
	dir, other := t.TempDir(), t.TempDir()
	mustEnsure(t, dir, nil, t0)
	mustEnsure(t, other, nil, t0)
	keyPath := filepath.Join(dir, leafKeyFile)
	data, err := os.ReadFile(filepath.Join(other, leafKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyPath, data, 0o600); err != nil {
		t.Fatal(err)
	}
	ca := mustEnsure(t, dir, nil, t0)
	data, err = os.ReadFile(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	key, err := parseKey(keyPath, data)
	if err != nil {
		t.Fatal(err)
	}
	if !publicKeysEqual(key.Public(), ca.TLSCertificate().Leaf.PublicKey) {
		t.Error("served leaf does not match the stored key")
	}
}
