package sts

import (
	"context"
	"strings"

	"github.com/gatehouse/gatehouse/internal/directory"
)

// oidcScopes may stand beside a .default scope; they are accepted and, for
// app-only grants, ignored (MSAL Go adds them to every request).
var oidcScopes = map[string]bool{"openid": true, "offline_access": true, "profile": true, "email": true}

// Resource is the API a token is for.
type Resource struct {
	SP *directory.ServicePrincipal
	// Name is the identifier as requested, which v1 tokens carry as aud.
	Name string
}

// defaultScopeResource applies Entra's rules for app-only scopes: exactly
// one "{resource}/.default", optionally beside OpenID scopes.
func defaultScopeResource(scope string) (string, error) {
	if strings.TrimSpace(scope) == "" {
		return "", errMissingParam("scope")
	}
	var resources []string
	for _, s := range strings.Fields(scope) {
		if oidcScopes[strings.ToLower(s)] {
			continue
		}
		if !strings.HasSuffix(strings.ToLower(s), "/.default") && !strings.EqualFold(s, ".default") {
			return "", errBadScope(s)
		}
		// "https://management.azure.com//.default" asks for ".../" (slash kept).
		resources = append(resources, s[:max(0, len(s)-len("/.default"))])
	}
	switch {
	case len(resources) == 0:
		return "", errOIDCOnlyScope(scope)
	case len(resources) > 1:
		return "", errMultipleResources(scope)
	}
	if resources[0] == "" {
		return "https://graph.microsoft.com", nil // a bare .default means Graph
	}
	return resources[0], nil
}

// resolveResource finds the resource service principal for name in tenant,
// for every grant. A resource naming this gatehouse itself means Microsoft
// Graph (see graphOnThisHost).
func (s *Service) resolveResource(ctx context.Context, rq *Request, ten *directory.Tenant, name string) (*Resource, error) {
	name = graphOnThisHost(rq, name)
	sp, err := s.reads.resource(ctx, ten.ID, name)
	if directory.IsNotFound(err) {
		return nil, errResourceNotFound(name, ten.ID)
	}
	if err != nil {
		return nil, err
	}
	return &Resource{SP: sp, Name: name}, nil
}
