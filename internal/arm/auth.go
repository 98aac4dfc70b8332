package arm

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/gatehouse/gatehouse/internal/directory"
	"github.com/gatehouse/gatehouse/internal/fold"
	"github.com/gatehouse/gatehouse/internal/token"
)

// Audiences ARM accepts, as Azure lists them in its error message.
var audiences = []string{"https://management.core.windows.net/", "https://management.core.windows.net",
	"https://management.azure.com/", "https://management.azure.com"}

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
// service principal's still-valid token is refused.
func (s *Service) authenticate(ctx context.Context, r *http.Request) (*Principal, error) {
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return nil, armErr(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.")
	}
	raw, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok || strings.TrimSpace(raw) == "" {
		return nil, armErr(401, "AuthenticationFailedInvalidHeader", "Authentication failed. The 'Authorization' header is provided in an invalid format.")
	}
	claims, err := s.ver.Verify(ctx, strings.TrimSpace(raw), audiences)
	if err != nil {
		return nil, tokenError(err)
	}
	return s.principal(ctx, claims)
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
			return nil, missingPrincipal(err)
		}
		p.Type, p.DisplayName = "ServicePrincipal", sp.DisplayName
		return p, nil
	}
	u, err := s.dir.User(ctx, c.Oid)
	if err != nil || !u.AccountEnabled || u.TenantID != c.Tid {
		return nil, missingPrincipal(err)
	}
	p.Type, p.UPN, p.DisplayName = "User", u.UserPrincipalName, u.DisplayName
	return p, nil
}

func missingPrincipal(err error) error {
	if err != nil && !directory.IsNotFound(err) {
		return err
	}
	return armErr(401, "InvalidAuthenticationToken", "The access token is invalid: its principal no longer exists or is disabled in the directory.")
}
