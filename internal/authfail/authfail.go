// Package authfail explains refused authentications. Azure answers every
// bad token with one generic 401, which leaves a new user guessing; a
// Failure says what was wrong and how to fix it, in a short ASCII sentence
// gatehouse sends in the X-Gatehouse-Auth-Failure header (beside Azure's
// unchanged body), logs at debug and keeps in the audit trail. It never
// holds the token, a key or a secret: only what the token claims about
// itself (aud, iss, tid, oid, kid), which is not secret.
package authfail

import (
	"errors"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/token"
)

// Header carries Failure.Reason.
const Header = "X-Gatehouse-Auth-Failure"

// Kind is what was wrong.
type Kind string

const (
	Missing           Kind = "missing"          // no credential at all
	BadHeader         Kind = "malformed-header" // Authorization is not "Bearer <token>"
	Malformed         Kind = "malformed-token"  // not a compact RS256 JWT
	UnknownKey        Kind = "unknown-signing-key"
	BadSignature      Kind = "bad-signature"
	Expired           Kind = "expired"
	NotYetValid       Kind = "not-yet-valid"
	Issuer            Kind = "issuer"
	Audience          Kind = "audience"
	WrongTenant       Kind = "tenant"             // a token of another tenant than the resource's
	PrincipalDeleted  Kind = "principal-deleted"  // its principal no longer exists
	PrincipalDisabled Kind = "principal-disabled" // accountEnabled is false
	BadKey            Kind = "invalid-key"        // an account key that is not one of the two
	KeyDisabled       Kind = "key-auth-disabled"  // disableLocalAuth
)

// Failure is one refused authentication.
type Failure struct {
	Kind   Kind
	Reason string // what was wrong and the fix: ASCII, short, no secret
	// Who the token says it is. Unverified when the token did not verify:
	// anyone can write these claims, so they only help the operator look.
	PrincipalID, TenantID, ClientID string
	Unverified                      bool
	// ResourceTenant is the tenant the addressed resource belongs to
	// (WrongTenant only).
	ResourceTenant string
	// Err is the verification error, for surfaces whose body depends on it
	// (ARM's audience and expiry messages).
	Err error
}

func (f *Failure) Error() string { return "authentication failed: " + string(f.Kind) + ": " + f.Reason }
func (f *Failure) Unwrap() error { return f.Err }

// As finds a Failure in err.
func As(err error) (*Failure, bool) {
	var f *Failure
	ok := errors.As(err, &f)
	return f, ok
}

// Surface is what a surface accepts, to say what to ask for instead.
type Surface struct {
	Scope string // the scope to ask a token for, e.g. https://management.azure.com/.default
	// Key: the surface also takes an account key (the data plane).
	Key bool
}

// NoCredential is a request without Authorization (nor key).
func (s Surface) NoCredential() *Failure {
	r := "no Authorization header; send 'Authorization: Bearer <token>' with a token for '" + s.Scope + "'"
	if s.Key {
		r += ", or an api-key header"
	}
	return &Failure{Kind: Missing, Reason: r}
}

// NotBearer is an Authorization header of another scheme, or empty.
func (s Surface) NotBearer() *Failure {
	return &Failure{Kind: BadHeader, Reason: "the Authorization header must be 'Bearer <token>' (one space, no quotes); got another scheme or an empty token"}
}

// Token explains err, the verifier's refusal of raw. now is the server's
// clock, shown beside the token's times so a skew is visible.
func (s Surface) Token(err error, raw string, now time.Time) *Failure {
	u, peeked := token.Peek(raw)
	f := &Failure{Err: err, PrincipalID: clean(u.Oid), TenantID: clean(u.Tid), ClientID: clean(u.ClientID), Unverified: true}
	var aud *token.AudienceError
	var exp *token.ExpiredError
	switch {
	case errors.As(err, &aud):
		f.Kind = Audience
		f.Reason = "audience '" + clean(aud.Got) + "' is not accepted here; ask for '" + s.Scope + "'"
	case errors.As(err, &exp):
		f.Kind = Expired
		f.Reason = "the token expired at " + stamp(exp.Exp) + " (server time " + stamp(exp.Now) + "); get a new token"
	case errors.Is(err, token.ErrNotYetValid):
		f.Kind = NotYetValid
		f.Reason = "the token is not valid before " + stamp(time.Unix(u.Nbf, 0)) + " (server time " + stamp(now) + "); check this machine's clock against the issuer's"
	case errors.Is(err, token.ErrIssuer):
		f.Kind = Issuer
		f.Reason = "issuer '" + clean(u.Iss) + "' is not accepted for tenant '" + clean(u.Tid) + "'; get the token from this server's token endpoint for that tenant"
	case errors.Is(err, token.ErrUnknownKey):
		f.Kind = UnknownKey
		f.Reason = "the token is signed with key '" + clean(u.KeyID) + "', which this server never issued (a token of Entra ID or of another gatehouse data directory?); get a token from this server's token endpoint"
	case errors.Is(err, token.ErrSignature):
		f.Kind = BadSignature
		f.Reason = "the token's signature does not verify (altered or truncated?); get a new token from this server"
	default:
		f.Kind = Malformed
		f.Reason = "the bearer token is not a JWT this server issued (three base64url parts, RS256); get one from this server's token endpoint"
		if !peeked {
			f.PrincipalID, f.TenantID, f.ClientID, f.Unverified = "", "", "", false
		}
	}
	return f
}

// Principal is a verified token whose principal cannot call any more.
func Principal(c *token.Claims, deleted bool) *Failure {
	f := &Failure{Kind: PrincipalDisabled, PrincipalID: clean(c.Oid), TenantID: clean(c.Tid), ClientID: clean(c.ClientID())}
	if deleted {
		f.Kind, f.Reason = PrincipalDeleted, "the token's principal '"+f.PrincipalID+"' no longer exists in tenant '"+f.TenantID+"'; tokens outlive their principal, this one cannot be used"
	} else {
		f.Reason = "the token's principal '" + f.PrincipalID + "' is disabled (accountEnabled false) in tenant '" + f.TenantID + "'"
	}
	return f
}

// Tenant is a verified token of tenant got for a resource of tenant want.
func (s Surface) Tenant(principalID, got, want string) *Failure {
	return &Failure{Kind: WrongTenant, PrincipalID: clean(principalID), TenantID: clean(got), ResourceTenant: clean(want),
		Reason: "the token is from tenant '" + clean(got) + "' but this resource belongs to tenant '" + clean(want) +
			"'; get the token from /" + clean(want) + "/oauth2/v2.0/token (scope '" + s.Scope + "')"}
}

// InvalidKey is an account key that is not one of the account's two.
func InvalidKey() *Failure {
	return &Failure{Kind: BadKey, Reason: "the api-key is not one of this account's two keys (regenerated? another account's?); list them with listKeys"}
}

// LocalAuthDisabled is a key sent to an account with disableLocalAuth.
func (s Surface) LocalAuthDisabled() *Failure {
	return &Failure{Kind: KeyDisabled, Reason: "keys are disabled on this account (disableLocalAuth); send 'Authorization: Bearer <token>' with a token for '" + s.Scope + "'"}
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// maxClaim bounds an echoed claim: they come from the caller.
const maxClaim = 100

// clean makes a caller-written value safe for a header and a log line:
// printable ASCII only (quotes become '?'), at most maxClaim bytes.
func clean(s string) string {
	if len(s) > maxClaim {
		s = s[:maxClaim] + "..."
	}
	ok := true
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e || s[i] == '\'' || s[i] == '"' {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e || c == '\'' || c == '"' {
			c = '?'
		}
		b.WriteByte(c)
	}
	return b.String()
}
