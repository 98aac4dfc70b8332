package sts

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"sort"

	"github.com/gatehouse/gatehouse/internal/directory"
	"github.com/gatehouse/gatehouse/internal/token"
)

// mintAppToken issues an app-only access token for the authenticated
// client to res, in the resource's token version.
func (s *Service) mintAppToken(ctx context.Context, rq *Request, ten *directory.Tenant, res *Resource) (*Response, error) {
	roles, err := s.appRoles(ctx, rq.Client.SP.ID, res.SP)
	if err != nil {
		return nil, err
	}
	now := s.now().Unix()
	exp := now + int64(s.lifetime.Seconds())
	c := &token.Claims{Iat: now, Nbf: now, Exp: exp, Oid: rq.Client.SP.ID, Sub: rq.Client.SP.ID,
		Tid: ten.ID, IdTyp: "app", Roles: roles, Uti: newUTI(), Rh: "0.gatehouse", Aio: "gatehouse"}
	if res.SP.TokenVersion == 2 {
		c.Ver, c.Aud, c.Iss = "2.0", res.SP.AppID, token.V2Issuer(rq.BaseURL, ten.ID)
		c.Azp, c.AzpAcr = rq.Client.App.AppID, rq.Client.ACR
	} else {
		c.Ver, c.Aud, c.Iss = "1.0", res.Name, token.V1Issuer(ten.ID)
		c.AppID, c.AppIDAcr, c.Idp = rq.Client.App.AppID, rq.Client.ACR, token.V1Issuer(ten.ID)
	}
	key, err := s.keys.Active(ctx)
	if err != nil {
		return nil, err
	}
	raw, err := key.Sign(c)
	if err != nil {
		return nil, err
	}
	return &Response{AccessToken: raw, ExpiresIn: exp - now, ExpiresOn: exp, NotBefore: now, Resource: res.Name}, nil
}

// appRoles lists the values of the resource's app roles granted to the
// client's service principal (directly, as Entra does for app tokens).
func (s *Service) appRoles(ctx context.Context, clientSP string, res *directory.ServicePrincipal) ([]string, error) {
	grants, err := s.reads.appRoleAssignments(ctx, clientSP)
	if err != nil || len(grants) == 0 {
		return nil, err
	}
	var out []string
	for _, g := range grants {
		if g.ResourceID != res.ID {
			continue
		}
		for _, r := range res.AppRoles {
			if r.ID == g.AppRoleID && r.IsEnabled {
				out = append(out, r.Value)
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

// newUTI returns a token identifier in Entra's style (22 base64url chars).
func newUTI() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
