package tlsca

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
)

// writeFileAtomic writes data to a temporary file in the same directory and
// renames it over path, so a crash leaves either the old file or the new
// one, never half a PEM.
func writeFileAtomic(path string, data []byte, perm os.FileMode) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("tlsca: writing %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
			err = fmt.Errorf("tlsca: writing %s: %w", path, err)
		}
	}()
	// Chmod the open file: CreateTemp's 0600 must become perm regardless
	// of umask, and before any key bytes are written.
	if err = f.Chmod(perm); err != nil {
		return err
	}
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	syncDir(dir)
	return nil
}

// syncDir makes the rename durable where the platform allows; failure only
// risks losing a write in a power cut, so it is ignored.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

func encodeCert(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func encodeKey(key crypto.Signer) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("tlsca: encoding private key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// parseCert decodes the first CERTIFICATE block of a PEM file.
func parseCert(path string, data []byte) (*x509.Certificate, error) {
	block := firstBlock(data, "CERTIFICATE")
	if block == nil {
		return nil, fmt.Errorf("tlsca: %s: no PEM CERTIFICATE block found", path)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("tlsca: %s: malformed certificate: %w", path, err)
	}
	return cert, nil
}

// parseKey decodes a PKCS#8 ("PRIVATE KEY") or SEC 1 ("EC PRIVATE KEY") key.
func parseKey(path string, data []byte) (crypto.Signer, error) {
	var (
		key any
		err error
	)
	if block := firstBlock(data, "PRIVATE KEY"); block != nil {
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	} else if block := firstBlock(data, "EC PRIVATE KEY"); block != nil {
		key, err = x509.ParseECPrivateKey(block.Bytes)
	} else {
		return nil, fmt.Errorf("tlsca: %s: no PEM PRIVATE KEY block found", path)
	}
	if err != nil {
		return nil, fmt.Errorf("tlsca: %s: malformed private key: %w", path, err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("tlsca: %s: unsupported key type %T", path, key)
	}
	return signer, nil
}

// firstBlock returns the first PEM block of the given type, or nil.
func firstBlock(data []byte, typ string) *pem.Block {
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			return nil
		}
		if block.Type == typ {
			return block
		}
	}
}

func publicKeysEqual(a, b crypto.PublicKey) bool {
	k, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && k.Equal(b)
}
