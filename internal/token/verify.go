package token

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/gatehouse/gatehouse/internal/store"
)

// Verification failures. Callers render them in their protocol's shape.
var (
	ErrMalformed   = errors.New("token: malformed")
	ErrSignature   = errors.New("token: signature invalid or key unknown")
	ErrExpired     = errors.New("token: expired")
	ErrNotYetValid = errors.New("token: not yet valid")
	ErrIssuer      = errors.New("token: issuer not accepted")
	ErrAudience    = errors.New("token: audience not accepted")
	// ErrUnknownKey is an ErrSignature whose key id names no key of ours:
	// a token of another issuer (real Entra) or of another data directory.
	ErrUnknownKey = fmt.Errorf("%w (signing key unknown)", ErrSignature)
)

// AudienceError tells which audience a token had.
type AudienceError struct{ Got string }

func (e *AudienceError) Error() string { return "token: audience not accepted: " + e.Got }
func (e *AudienceError) Unwrap() error { return ErrAudience }

// ExpiredError tells when a token expired.
type ExpiredError struct{ Exp, Now time.Time }

func (e *ExpiredError) Error() string { return "token: expired at " + e.Exp.Format(time.RFC3339) }
func (e *ExpiredError) Unwrap() error { return ErrExpired }

// Verifier checks tokens signed by Keys.
type Verifier struct {
	keys *Keys
	skew time.Duration
	now  func() time.Time
}

// NewVerifier returns a verifier allowing skew for clock differences.
func NewVerifier(keys *Keys, skew time.Duration) *Verifier {
	return &Verifier{keys: keys, skew: skew, now: time.Now}
}

// SetClock replaces the clock, for tests.
func (v *Verifier) SetClock(now func() time.Time) { v.now = now }

// Verify checks signature, lifetime and issuer of raw and that its audience
// is one of audiences (compared case-insensitively, ignoring one trailing
// slash). An empty audiences list accepts any audience.
func (v *Verifier) Verify(ctx context.Context, raw string, audiences []string) (*Claims, error) {
	if len(raw) > 16<<10 || strings.Count(raw, ".") != 2 {
		return nil, ErrMalformed
	}
	tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil || len(tok.Headers) != 1 {
		return nil, ErrMalformed
	}
	key, err := v.keys.ByID(ctx, tok.Headers[0].KeyID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrUnknownKey
	}
	if err != nil {
		return nil, ErrSignature
	}
	var c Claims
	if err := tok.Claims(&key.Private.PublicKey, &c); err != nil {
		return nil, ErrSignature
	}
	if err := v.checkTime(&c); err != nil {
		return nil, err
	}
	if !issuerOK(&c) {
		return nil, fmt.Errorf("%w: %q", ErrIssuer, c.Iss)
	}
	if len(audiences) > 0 && !audienceOK(c.Aud, audiences) {
		return nil, &AudienceError{Got: c.Aud}
	}
	return &c, nil
}

func (v *Verifier) checkTime(c *Claims) error {
	now := v.now()
	if exp := time.Unix(c.Exp, 0); now.After(exp.Add(v.skew)) {
		return &ExpiredError{Exp: exp, Now: now}
	}
	if now.Add(v.skew).Before(time.Unix(c.Nbf, 0)) {
		return ErrNotYetValid
	}
	return nil
}

// issuerOK accepts the two issuer forms gatehouse signs for the token's own
// tenant. The v2 host is whatever host the client used, so only its shape
// is checked; the signature is what binds the token to us.
func issuerOK(c *Claims) bool {
	if c.Tid == "" {
		return false
	}
	if c.Ver == "1.0" {
		return c.Iss == V1Issuer(c.Tid)
	}
	return strings.HasPrefix(c.Iss, "https://") && strings.HasSuffix(c.Iss, "/"+c.Tid+"/v2.0")
}

func audienceOK(aud string, accepted []string) bool {
	a := strings.TrimSuffix(strings.ToLower(aud), "/")
	for _, want := range accepted {
		if a == strings.TrimSuffix(strings.ToLower(want), "/") {
			return true
		}
	}
	return false
}
