package tlsca

import (
	"crypto/tls"
	"fmt"
	"os"
)

// LoadKeyPair loads a user-supplied certificate and key (--tls-cert and
// --tls-key). Errors name the file at fault; tls.X509KeyPair's own
// messages already explain swapped or mismatched inputs.
func LoadKeyPair(certFile, keyFile string) (tls.Certificate, error) {
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("tlsca: reading TLS certificate: %w", err)
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("tlsca: reading TLS key: %w", err)
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("tlsca: TLS certificate %s with key %s: %w", certFile, keyFile, err)
	}
	return pair, nil
}
