package directory

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"hash"
	"sync"
)

// SecretHasher computes keyed digests of client secrets. Secrets are
// generated with ~200 bits of entropy, so an HMAC is enough and keeps
// issuance fast where a slow password hash would cap it.
type SecretHasher struct {
	pool sync.Pool
}

// NewSecretHasher keys the digests with key.
func NewSecretHasher(key []byte) *SecretHasher {
	k := append([]byte(nil), key...)
	return &SecretHasher{pool: sync.Pool{New: func() any { return hmac.New(sha256.New, k) }}}
}

// Digest returns the keyed digest of secret.
func (h *SecretHasher) Digest(secret string) []byte {
	m := h.pool.Get().(hash.Hash)
	m.Reset()
	m.Write([]byte(secret))
	sum := m.Sum(nil)
	h.pool.Put(m)
	return sum
}

// Equal compares a secret with a stored digest in constant time.
func (h *SecretHasher) Equal(secret string, digest []byte) bool {
	return subtle.ConstantTimeCompare(h.Digest(secret), digest) == 1
}

// secretAlphabet is the character set of Entra client secrets.
const secretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.~"

// GenerateSecret returns a new client secret in Entra's shape: a 3-character
// hint, the "8Q~" marker, then 34 random characters (40 in all).
func GenerateSecret() string {
	b := make([]byte, 37)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error()) // never happens on Linux
	}
	out := make([]byte, 0, 40)
	for i, c := range b {
		out = append(out, secretAlphabet[int(c)%len(secretAlphabet)])
		if i == 2 {
			out = append(out, '8', 'Q', '~')
		}
	}
	return string(out)
}

// SecretHint is what Entra shows of a secret: its first three characters.
func SecretHint(secret string) string {
	if len(secret) < 3 {
		return secret
	}
	return secret[:3]
}

// SecretCheck is the outcome of checking a presented client secret.
type SecretCheck int

const (
	SecretWrong   SecretCheck = iota // matches no credential
	SecretOK                         // matches a current credential
	SecretExpired                    // matches only expired credentials
	SecretNotYet                     // matches only credentials not yet valid
)
