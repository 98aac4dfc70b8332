// Package tlsca maintains the local certificate authority gatehouse creates
// on first start, and the server certificate it signs, so clients can be
// told to trust one CA file once and keep working across restarts and new
// hostnames.
package tlsca

import (
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// File names inside the CA directory.
const (
	caCertFile   = "ca.pem"
	caKeyFile    = "ca-key.pem"
	leafCertFile = "server.pem"
	leafKeyFile  = "server-key.pem"
)

// CA is the loaded local CA together with a current server certificate.
type CA struct {
	dir     string
	cert    *x509.Certificate
	pool    *x509.CertPool
	leaf    tls.Certificate
	created bool
}

// Ensure loads the CA in dir, creating dir (0700) and the CA on first use,
// then loads the server certificate, re-issuing it when it is missing,
// expires within 30 days, no longer chains to the CA, or does not cover
// "localhost", 127.0.0.1, ::1 and every entry of hostnames (DNS names,
// wildcards such as "*.localhost", or IP addresses). The CA itself is never
// replaced, because users have to trust it by hand. now is injected so tests
// can travel in time; pass time.Now().
func Ensure(dir string, hostnames []string, now time.Time) (*CA, error) {
	want, err := parseNames(hostnames)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("tlsca: creating CA directory: %w", err)
	}
	caCert, caKey, created, err := loadOrCreateCA(dir, now)
	if err != nil {
		return nil, err
	}
	if now.After(caCert.NotAfter) {
		return nil, fmt.Errorf("tlsca: the local CA in %s expired on %s; delete %s and %s to create a new one (clients must then trust the new one)",
			dir, caCert.NotAfter.Format(time.DateOnly), caCertFile, caKeyFile)
	}
	pool := x509.NewCertPool()
	pool.AddCert(caCert)

	leaf, stale, err := loadLeaf(dir, caCert, pool, want, now)
	if err != nil {
		return nil, err
	}
	if stale {
		leaf, err = issueLeaf(dir, caCert, caKey, want, now)
		if err != nil {
			return nil, err
		}
	}
	return &CA{dir: dir, cert: caCert, pool: pool, leaf: leaf, created: created}, nil
}

// CertPath returns the path of the CA certificate, the file users add to
// their trust store.
func (c *CA) CertPath() string { return filepath.Join(c.dir, caCertFile) }

// TLSCertificate returns the server certificate with its chain (leaf, then
// the CA certificate) for tls.Config.Certificates.
func (c *CA) TLSCertificate() tls.Certificate { return c.leaf }

// Pool returns a new pool holding only the CA certificate, for clients.
func (c *CA) Pool() *x509.CertPool { return c.pool.Clone() }

// Created reports whether this Ensure call generated the CA, so the caller
// can tell the user to trust it.
func (c *CA) Created() bool { return c.created }

// loadOrCreateCA loads ca.pem/ca-key.pem, or creates both if ca.pem is
// missing. A key without a certificate is a crash between the two writes
// (key goes first) and is simply replaced; a certificate without its key
// cannot sign anything and is an error rather than a silent new CA.
func loadOrCreateCA(dir string, now time.Time) (*x509.Certificate, crypto.Signer, bool, error) {
	certPath := filepath.Join(dir, caCertFile)
	keyPath := filepath.Join(dir, caKeyFile)
	certPEM, err := os.ReadFile(certPath)
	if errors.Is(err, fs.ErrNotExist) {
		cert, key, err := createCA(certPath, keyPath, now)
		return cert, key, err == nil, err
	}
	if err != nil {
		return nil, nil, false, fmt.Errorf("tlsca: reading CA certificate: %w", err)
	}
	cert, err := parseCert(certPath, certPEM)
	if err != nil {
		return nil, nil, false, err
	}
	if !cert.IsCA || cert.KeyUsage&x509.KeyUsageCertSign == 0 {
		return nil, nil, false, fmt.Errorf("tlsca: %s is not a CA certificate", certPath)
	}
	keyPEM, err := os.ReadFile(keyPath)
	if err != nil {
		return nil, nil, false, fmt.Errorf("tlsca: reading CA key (delete %s too to start over with a new CA): %w", certPath, err)
	}
	key, err := parseKey(keyPath, keyPEM)
	if err != nil {
		return nil, nil, false, err
	}
	if !publicKeysEqual(key.Public(), cert.PublicKey) {
		return nil, nil, false, fmt.Errorf("tlsca: %s does not belong to %s", keyPath, certPath)
	}
	return cert, key, false, nil
}

// loadLeaf loads server.pem/server-key.pem and reports whether they must be
// re-issued. Missing files, a key that does not match (a crash between the
// two writes), a chain or validity problem, or missing names mean re-issue;
// unparseable files are an error, since something other than gatehouse
// wrote them.
func loadLeaf(dir string, ca *x509.Certificate, roots *x509.CertPool, want names, now time.Time) (tls.Certificate, bool, error) {
	certPath := filepath.Join(dir, leafCertFile)
	keyPath := filepath.Join(dir, leafKeyFile)
	certPEM, err := os.ReadFile(certPath)
	if errors.Is(err, fs.ErrNotExist) {
		return tls.Certificate{}, true, nil
	}
	if err != nil {
		return tls.Certificate{}, false, fmt.Errorf("tlsca: reading server certificate: %w", err)
	}
	keyPEM, err := os.ReadFile(keyPath)
	if errors.Is(err, fs.ErrNotExist) {
		return tls.Certificate{}, true, nil
	}
	if err != nil {
		return tls.Certificate{}, false, fmt.Errorf("tlsca: reading server key: %w", err)
	}
	cert, err := parseCert(certPath, certPEM)
	if err != nil {
		return tls.Certificate{}, false, err
	}
	key, err := parseKey(keyPath, keyPEM)
	if err != nil {
		return tls.Certificate{}, false, err
	}
	if !publicKeysEqual(key.Public(), cert.PublicKey) {
		return tls.Certificate{}, true, nil
	}
	_, err = cert.Verify(x509.VerifyOptions{
		Roots:       roots,
		CurrentTime: now,
		KeyUsages:   []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	if err != nil || cert.NotAfter.Sub(now) < renewBefore || !want.coveredBy(cert) {
		return tls.Certificate{}, true, nil
	}
	return chain(cert, key, ca), false, nil
}
