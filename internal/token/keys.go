package token

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // x5t is a SHA-1 thumbprint by definition
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

// KindSigningKey is the store kind of signing keys.
const KindSigningKey store.Kind = "signingKey"

// storedKey is a signing key as kept in the store.
type storedKey struct {
	ID         string    `json:"kid"`
	Generation int       `json:"generation"`
	PrivateKey []byte    `json:"privateKey"` // PKCS#8 DER
	Cert       []byte    `json:"cert"`       // self-signed, for x5c
	CreatedAt  time.Time `json:"createdAt"`
	ActiveFrom time.Time `json:"activeFrom"`
}

func (k *storedKey) StoreKind() store.Kind { return KindSigningKey }
func (k *storedKey) StoreID() string       { return k.ID }
func (k *storedKey) StoreTenant() string   { return "" }
func (k *storedKey) StoreRefs() []string   { return nil }
func (k *storedKey) StoreKeys() []string {
	// One key per generation, even if two replicas rotate at once.
	return []string{"generation:" + strconv.Itoa(k.Generation)}
}

// SigningKey is a parsed key ready to sign.
type SigningKey struct {
	ID         string
	Generation int
	Private    *rsa.PrivateKey
	Cert       []byte
	ActiveFrom time.Time
	RetireAt   time.Time // zero while no newer key is active
	hdrV1      string    // base64url JOSE headers, precomputed
	hdrV2      string
}

// Policy says how keys rotate.
type Policy struct {
	RotateEvery   time.Duration // age at which a key is replaced
	Prepublish    time.Duration // how long a new key is in the JWKS before it signs
	TokenLifetime time.Duration // longest lifetime of a token a key signed
}

// DefaultPolicy rotates monthly, publishing the next key a day ahead.
var DefaultPolicy = Policy{RotateEvery: 30 * 24 * time.Hour, Prepublish: 24 * time.Hour, TokenLifetime: 2 * time.Hour}

// Keys manages signing keys: it loads them from the store when the store's
// revision changes, rotates them on schedule and publishes them.
type Keys struct {
	st     store.Store
	policy Policy
	now    func() time.Time

	mu   sync.RWMutex
	rev  int64
	keys []*SigningKey // by generation, oldest first
}

// NewKeys returns a key manager over st.
func NewKeys(st store.Store, p Policy) *Keys {
	return &Keys{st: st, policy: p, now: time.Now, rev: -1}
}

// SetClock replaces the clock, for tests.
func (k *Keys) SetClock(now func() time.Time) { k.now = now }

// Rotate creates the first key, or the next one when the newest is due for
// replacement, and deletes keys whose tokens have all expired. Safe to run
// from several replicas: a generation can be created only once.
func (k *Keys) Rotate(ctx context.Context) error {
	now := k.now().UTC()
	err := k.st.Update(ctx, func(tx store.Tx) error {
		stored, err := store.ListDocs[storedKey](ctx, tx, store.Query{Kind: KindSigningKey})
		if err != nil {
			return err
		}
		sort.Slice(stored, func(i, j int) bool { return stored[i].Generation < stored[j].Generation })
		if err := k.retire(ctx, tx, stored, now); err != nil {
			return err
		}
		if n := len(stored); n == 0 || now.Sub(stored[n-1].CreatedAt) >= k.policy.RotateEvery-k.policy.Prepublish {
			activeFrom := now.Add(k.policy.Prepublish)
			gen := 1
			if n == 0 {
				activeFrom = now // nothing signs yet: use the first key at once
			} else {
				gen = stored[n-1].Generation + 1
			}
			nk, err := newStoredKey(gen, now, activeFrom)
			if err != nil {
				return err
			}
			return store.CreateDoc(ctx, tx, nk)
		}
		return nil
	})
	if errors.Is(err, store.ErrConflict) {
		return nil // another replica created this generation
	}
	if err != nil {
		return err
	}
	_, err = k.load(ctx)
	return err
}

// retire deletes keys that stopped signing longer ago than any token lives.
func (k *Keys) retire(ctx context.Context, tx store.Tx, stored []*storedKey, now time.Time) error {
	for i := 0; i+1 < len(stored); i++ {
		next := stored[i+1]
		if now.After(next.ActiveFrom.Add(k.policy.TokenLifetime + 5*time.Minute)) {
			if err := tx.Delete(ctx, KindSigningKey, stored[i].ID); err != nil {
				return err
			}
		}
	}
	return nil
}

func newStoredKey(gen int, now, activeFrom time.Time) (*storedKey, error) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(int64(gen)), Subject: pkix.Name{CommonName: "gatehouse token signing"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(2, 0, 0), KeyUsage: x509.KeyUsageDigitalSignature}
	cert, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, err
	}
	sum := sha1.Sum(cert) //nolint:gosec
	kid := base64.RawURLEncoding.EncodeToString(sum[:])
	return &storedKey{ID: kid, Generation: gen, PrivateKey: der, Cert: cert, CreatedAt: now, ActiveFrom: activeFrom}, nil
}

// load refreshes the parsed keys if the store changed since the last load.
func (k *Keys) load(ctx context.Context) ([]*SigningKey, error) {
	rev, err := k.st.Revision(ctx)
	if err != nil {
		return nil, err
	}
	k.mu.RLock()
	keys, cur := k.keys, k.rev
	k.mu.RUnlock()
	if rev == cur {
		return keys, nil
	}
	stored, err := store.ListDocs[storedKey](ctx, k.st, store.Query{Kind: KindSigningKey})
	if err != nil {
		return nil, err
	}
	keys, err = parseKeys(stored)
	if err != nil {
		return nil, err
	}
	k.mu.Lock()
	k.keys, k.rev = keys, rev
	k.mu.Unlock()
	return keys, nil
}

func parseKeys(stored []*storedKey) ([]*SigningKey, error) {
	sort.Slice(stored, func(i, j int) bool { return stored[i].Generation < stored[j].Generation })
	out := make([]*SigningKey, 0, len(stored))
	for _, s := range stored {
		pk, err := x509.ParsePKCS8PrivateKey(s.PrivateKey)
		if err != nil {
			return nil, fmt.Errorf("signing key %s: %w", s.ID, err)
		}
		priv, ok := pk.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("signing key %s is not RSA", s.ID)
		}
		priv.Precompute()
		sk := &SigningKey{ID: s.ID, Generation: s.Generation, Private: priv, Cert: s.Cert, ActiveFrom: s.ActiveFrom}
		sk.hdrV1 = b64(`{"typ":"JWT","alg":"RS256","x5t":"` + s.ID + `","kid":"` + s.ID + `"}`)
		sk.hdrV2 = b64(`{"typ":"JWT","alg":"RS256","kid":"` + s.ID + `"}`)
		out = append(out, sk)
	}
	for i := 0; i+1 < len(out); i++ {
		out[i].RetireAt = out[i+1].ActiveFrom
	}
	return out, nil
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// Active returns the key that signs now: the newest already active.
func (k *Keys) Active(ctx context.Context) (*SigningKey, error) {
	keys, err := k.load(ctx)
	if err != nil {
		return nil, err
	}
	now := k.now()
	for i := len(keys) - 1; i >= 0; i-- {
		if !keys[i].ActiveFrom.After(now) {
			return keys[i], nil
		}
	}
	return nil, errors.New("token: no active signing key (Rotate was never run)")
}

// Published returns every key that verifies tokens: all keys in the store.
func (k *Keys) Published(ctx context.Context) ([]*SigningKey, error) {
	return k.load(ctx)
}

// ByID finds a published key.
func (k *Keys) ByID(ctx context.Context, kid string) (*SigningKey, error) {
	keys, err := k.load(ctx)
	if err != nil {
		return nil, err
	}
	for _, sk := range keys {
		if sk.ID == kid {
			return sk, nil
		}
	}
	return nil, store.ErrNotFound
}
