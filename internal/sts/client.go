package sts

import (
	"context"

	"github.com/gatehouse/gatehouse/internal/directory"
)

// Client is an application that proved who it is.
type Client struct {
	App *directory.Application
	SP  *directory.ServicePrincipal // its service principal in the request's tenant
	// ACR is how it authenticated, as appidacr/azpacr: "0" public client,
	// "1" client secret, "2" certificate.
	ACR string
}

const assertionTypeJWT = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// authenticateClient runs the client-authentication phase shared by every
// confidential grant: find the application and its service principal in the
// tenant, then check the secret or the certificate assertion.
func (s *Service) authenticateClient(ctx context.Context, rq *Request, ten *directory.Tenant) (*Client, error) {
	if rq.ClientID == "" && rq.ClientAssertion != "" {
		rq.ClientID = assertionSubject(rq.ClientAssertion)
	}
	if rq.ClientID == "" {
		return nil, errMissingParam("client_id")
	}
	if rq.ClientSecret == "" && rq.ClientAssertion == "" {
		return nil, errMissingCredential()
	}
	if rq.ClientAssertion != "" && rq.ClientAssertionType != assertionTypeJWT {
		if rq.ClientAssertionType == "" {
			return nil, errMissingParam("client_assertion_type")
		}
		return nil, errInvalidInput("client_assertion_type must be " + assertionTypeJWT + ".")
	}
	app, sp, err := s.findClient(ctx, rq.ClientID, ten)
	if err != nil {
		return nil, err
	}
	c := &Client{App: app, SP: sp}
	if rq.ClientSecret != "" {
		c.ACR = "1"
		return c, s.checkSecret(app, rq.ClientSecret)
	}
	c.ACR = "2"
	return c, s.checkAssertion(rq, app, ten)
}

// findClient resolves client_id to the application and its service
// principal in the tenant, with Entra's errors for each way it can fail.
func (s *Service) findClient(ctx context.Context, clientID string, ten *directory.Tenant) (*directory.Application, *directory.ServicePrincipal, error) {
	if !directory.IsGUID(clientID) {
		return nil, nil, errAppNotFound(clientID, ten.ID)
	}
	app, err := s.reads.app(ctx, clientID)
	if directory.IsNotFound(err) {
		return nil, nil, errAppNotFound(clientID, ten.ID)
	}
	if err != nil {
		return nil, nil, err
	}
	sp, err := s.reads.servicePrincipal(ctx, ten.ID, app.AppID)
	if directory.IsNotFound(err) {
		if app.TenantID != ten.ID {
			return nil, nil, errAppNotFound(clientID, ten.ID)
		}
		return nil, nil, errMissingSP(app.AppID, ten.ID)
	}
	if err != nil {
		return nil, nil, err
	}
	if !sp.AccountEnabled {
		return nil, nil, errAppDisabled(app.AppID, app.DisplayName)
	}
	return app, sp, nil
}

func (s *Service) checkSecret(app *directory.Application, secret string) error {
	switch s.dir.CheckSecret(app, secret, s.now()) {
	case directory.SecretOK:
		return nil
	case directory.SecretExpired:
		return errExpiredSecret(app.AppID)
	default:
		return errWrongSecret(app.AppID)
	}
}
