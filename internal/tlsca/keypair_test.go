package tlsca

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadKeyPair(t *testing.T) {
	dir, other := t.TempDir(), t.TempDir()
	mustEnsure(t, dir, nil, t0)
	mustEnsure(t, other, nil, t0)
	cert, key := filepath.Join(dir, leafCertFile), filepath.Join(dir, leafKeyFile)
	missing := filepath.Join(dir, "missing.pem")

	tests := []struct {
		name, cert, key, wantErr string
	}{
		{"ok", cert, key, ""},
		{"missing certificate", missing, key, "reading TLS certificate: open " + missing},
		{"missing key", cert, missing, "reading TLS key: open " + missing},
		{"swapped", key, cert, "switched"},
		{"key of another certificate", cert, filepath.Join(other, leafKeyFile), "does not match"},
		{"CA certificate without its key", filepath.Join(dir, caCertFile), key, "does not match"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pair, err := LoadKeyPair(tt.cert, tt.key)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("LoadKeyPair: %v", err)
				}
				if len(pair.Certificate) != 1 || pair.PrivateKey == nil {
					t.Errorf("pair has %d certificates, key %T", len(pair.Certificate), pair.PrivateKey)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("LoadKeyPair: %v, want error mentioning %q", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), "tlsca:") {
				t.Errorf("error %q lacks package prefix", err)
			}
		})
	}
}
