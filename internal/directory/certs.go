package directory

import (
	"context"
	"crypto/sha1" //nolint:gosec // x5t is defined as a SHA-1 thumbprint
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"strings"

	"github.com/gatehouse/gatehouse/internal/store"
)

// ParseCertificate reads a certificate given as PEM or as base64/raw DER.
func ParseCertificate(data []byte) (*x509.Certificate, error) {
	if block, _ := pem.Decode(data); block != nil {
		if block.Type != "CERTIFICATE" {
			return nil, invalid("expected a CERTIFICATE PEM block, found %q", block.Type)
		}
		data = block.Bytes
	}
	cert, err := x509.ParseCertificate(data)
	if err != nil {
		return nil, invalid("not a valid X.509 certificate: %v", err)
	}
	return cert, nil
}

// NewKeyCredential builds a certificate credential from a parsed certificate.
func NewKeyCredential(cert *x509.Certificate, displayName string) KeyCredential {
	s1 := sha1.Sum(cert.Raw) //nolint:gosec
	s256 := sha256.Sum256(cert.Raw)
	if displayName == "" {
		displayName = "CN=" + cert.Subject.CommonName
	}
	return KeyCredential{KeyID: NewID(), DisplayName: displayName, Type: "AsymmetricX509Cert",
		Usage: "Verify", Key: cert.Raw, StartDateTime: cert.NotBefore.UTC(), EndDateTime: cert.NotAfter.UTC(),
		SHA1: s1[:], SHA256: s256[:]}
}

// AddKey adds a certificate credential to an application.
func (t *Tx) AddKey(ctx context.Context, appObjectID string, cred KeyCredential) error {
	app, err := t.Application(ctx, appObjectID)
	if err != nil {
		return err
	}
	for _, k := range app.KeyCredentials {
		if string(k.SHA256) == string(cred.SHA256) {
			return nil // already there: adding is idempotent
		}
	}
	app.KeyCredentials = append(app.KeyCredentials, cred)
	return store.PutDoc(ctx, t.tx, app)
}

// RemoveKey removes the key credential keyID.
func (t *Tx) RemoveKey(ctx context.Context, appObjectID, keyID string) error {
	app, err := t.Application(ctx, appObjectID)
	if err != nil {
		return err
	}
	kept := app.KeyCredentials[:0]
	for _, k := range app.KeyCredentials {
		if !strings.EqualFold(k.KeyID, keyID) {
			kept = append(kept, k)
		}
	}
	if len(kept) == len(app.KeyCredentials) {
		return store.ErrNotFound
	}
	app.KeyCredentials = kept
	return store.PutDoc(ctx, t.tx, app)
}
