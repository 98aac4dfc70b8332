package sts

import (
	"context"

	"github.com/gatehouse/gatehouse/internal/directory"
)

// clientCredentials is the app-only grant (secret or certificate).
type clientCredentials struct{ s *Service }

func (clientCredentials) Type() string           { return "client_credentials" }
func (clientCredentials) ClientAuth() ClientAuth { return ClientRequired }

func (g clientCredentials) Handle(ctx context.Context, rq *Request, ten *directory.Tenant) (*Response, error) {
	name, err := g.s.requestedResource(rq)
	if err != nil {
		return nil, err
	}
	res, err := g.s.resolveResource(ctx, rq, ten, name)
	if err != nil {
		return nil, err
	}
	return g.s.mintAppToken(ctx, rq, ten, res)
}

// requestedResource reads the resource from resource= on the v1 endpoint or
// from the .default scope on v2.
func (s *Service) requestedResource(rq *Request) (string, error) {
	if rq.V1 {
		if rq.Resource == "" {
			if rq.Scope != "" {
				return defaultScopeResource(rq.Scope)
			}
			return "", errMissingParam("resource")
		}
		return rq.Resource, nil
	}
	return defaultScopeResource(rq.Scope)
}
