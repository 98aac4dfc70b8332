package token

import (
	"context"
	"encoding/base64"
	"math/big"
)

// JWK is one key of the published key set, in Entra's shape: kid equals x5t,
// the certificate is in x5c, and there is no alg.
type JWK struct {
	Kty    string   `json:"kty"`
	Use    string   `json:"use"`
	Kid    string   `json:"kid"`
	X5t    string   `json:"x5t"`
	N      string   `json:"n"`
	E      string   `json:"e"`
	X5c    []string `json:"x5c"`
	Issuer string   `json:"issuer,omitempty"`
}

// JWKS is the document served at /{tenant}/discovery/v2.0/keys.
type JWKS struct {
	Keys []JWK `json:"keys"`
}

// KeySet returns the published keys; issuer is set on each key when given.
func (k *Keys) KeySet(ctx context.Context, issuer string) (*JWKS, error) {
	keys, err := k.Published(ctx)
	if err != nil {
		return nil, err
	}
	set := &JWKS{Keys: make([]JWK, 0, len(keys))}
	for i := len(keys) - 1; i >= 0; i-- { // newest first
		sk := keys[i]
		pub := sk.Private.PublicKey
		set.Keys = append(set.Keys, JWK{Kty: "RSA", Use: "sig", Kid: sk.ID, X5t: sk.ID,
			N:   base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
			E:   base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
			X5c: []string{base64.StdEncoding.EncodeToString(sk.Cert)}, Issuer: issuer})
	}
	return set, nil
}
