package arm

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/authfail"
	"github.com/gatehouse/gatehouse/internal/directory"
	"github.com/gatehouse/gatehouse/internal/fold"
	"github.com/gatehouse/gatehouse/internal/token"
)

// Audiences ARM accepts, as Azure lists them in its error message.
var audiences = []string{"https://management.core.windows.net/", "https://management.core.windows.net",
	"https://management.azure.com/", "https://management.azure.com"}

// surface is what ARM accepts, for explaining a refused token.
var surface = authfail.Surface{Scope: "https://management.azure.com/.default"}

// Principal is the authenticated caller.
type Principal struct {
	ObjectID    string
	TenantID    string
	Type        string // User or ServicePrincipal
	ClientID    string // the appId for service principals
	UPN         string
	DisplayName string
}

// Name is how Azure names the client in AuthorizationFailed: the UPN of a
// user, the appId of a service principal.
func (p *Principal) Name() string {
	if p.Type == "User" && p.UPN != "" {
		return p.UPN
	}
	return p.ClientID
}

// authenticate verifies the bearer token and checks, against the directory
// as it is now, that its principal still exists and is enabled: a deleted
// service principal's still-valid token is refused. A refusal is an
// *authfail.Failure (rendered by authError).
func (s *Service) authenticate(ctx context.Context, r *http.Request) (*Principal, error) {
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return nil, surface.NoCredential()
	}
	raw, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok || strings.TrimSpace(raw) == "" {
		return nil, surface.NotBearer()
	}
	raw = strings.TrimSpace(raw)
	claims, err := s.ver.Verify(ctx, raw, audiences)
	if err != nil {
		return nil, surface.Token(err, raw, time.Now())
	}
	return s.principal(ctx, claims)
}

// authError is Azure's answer to a refused authentication, with
// gatehouse's explanation in its header. Azure's body is unchanged.
func authError(f *authfail.Failure) *Error {
	var e *Error
	switch f.Kind {
	case authfail.Missing:
		e = armErr(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.")
	case authfail.BadHeader:
		e = armErr(401, "AuthenticationFailedInvalidHeader", "Authentication failed. The 'Authorization' header is provided in an invalid format.")
	case authfail.WrongTenant:
		e = armErr(401, "InvalidAuthenticationTokenTenant",
			"The access token is from the wrong issuer 'https://sts.windows.net/%s/'. It must match the tenant 'https://sts.windows.net/%s/' associated with this subscription. Please use the authority (URL) 'https://login.windows.net/%s' to get the token.",
			f.TenantID, f.ResourceTenant, f.ResourceTenant)
	case authfail.PrincipalDeleted, authfail.PrincipalDisabled:
		e = armErr(401, "InvalidAuthenticationToken", "The access token is invalid: its principal no longer exists or is disabled in the directory.")
	default:
		e = tokenError(f.Err)
	}
	e.header = map[string]string{authfail.Header: f.Reason}
	return e
}

func tokenError(err error) *Error {
	var aud *token.AudienceError
	var exp *token.ExpiredError
	switch {
	case errors.As(err, &aud):
		return armErr(401, "InvalidAuthenticationTokenAudience", "The access token has been obtained for wrong audience or resource '%s'. It should exactly match with one of the allowed audiences 'https://management.core.windows.net/','https://management.core.windows.net','https://management.azure.com/','https://management.azure.com'.", aud.Got)
	case errors.As(err, &exp):
		f := "1/2/2006 3:04:05 PM"
		return armErr(401, "ExpiredAuthenticationToken", "The access token expiry UTC time '%s' is earlier than current UTC time '%s'.", exp.Exp.UTC().Format(f), exp.Now.UTC().Format(f))
	}
	return armErr(401, "InvalidAuthenticationToken", "The access token is invalid.")
}

func (s *Service) principal(ctx context.Context, c *token.Claims) (*Principal, error) {
	p := &Principal{ObjectID: fold.String(c.Oid), TenantID: c.Tid, ClientID: c.ClientID()}
	if c.IsApp() {
		sp, err := s.dir.ServicePrincipal(ctx, c.Oid)
		if err != nil || !sp.AccountEnabled || sp.TenantID != c.Tid {
			return nil, missingPrincipal(c, err, sp != nil && sp.TenantID == c.Tid)
		}
		p.Type, p.DisplayName = "ServicePrincipal", sp.DisplayName
		return p, nil
	}
	u, err := s.dir.User(ctx, c.Oid)
	if err != nil || !u.AccountEnabled || u.TenantID != c.Tid {
		return nil, missingPrincipal(c, err, u != nil && u.TenantID == c.Tid)
	}
	p.Type, p.UPN, p.DisplayName = "User", u.UserPrincipalName, u.DisplayName
	return p, nil
}

// missingPrincipal explains a principal that cannot call: deleted (or not
// in the token's tenant), or disabled when it exists there.
func missingPrincipal(c *token.Claims, err error, exists bool) error {
	if err != nil && !directory.IsNotFound(err) {
		return err
	}
	return authfail.Principal(c, err != nil || !exists)
}
