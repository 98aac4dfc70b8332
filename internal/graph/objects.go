package graph

import (
	"context"
	"net/http"
	"strings"

	"github.com/gatehouse/gatehouse/internal/directory"
)

// resolveObjectID accepts an object id or a UPN and checks the tenant.
func (s *Service) resolveObjectID(ctx context.Context, c *caller, id string) (string, error) {
	if strings.Contains(id, "@") {
		u, err := s.findUser(ctx, c, id)
		if err != nil {
			return "", err
		}
		return u.ID, nil
	}
	if _, err := s.objectView(ctx, c.tid, id); err != nil {
		return "", err
	}
	return strings.ToLower(id), nil
}

// objectView renders any directory object of tenant tid with its
// @odata.type; objects of other tenants do not exist for the caller.
func (s *Service) objectView(ctx context.Context, tid, id string) (any, error) {
	if u, err := s.dir.User(ctx, id); err == nil && u.TenantID == tid {
		v := viewUser(u)
		v.ODataType = "#microsoft.graph.user"
		return v, nil
	}
	if g, err := s.dir.Group(ctx, id); err == nil && g.TenantID == tid {
		v := viewGroup(g)
		v.ODataType = "#microsoft.graph.group"
		return v, nil
	}
	if sp, err := s.dir.ServicePrincipal(ctx, id); err == nil && sp.TenantID == tid {
		v := viewSP(sp)
		v.ODataType = "#microsoft.graph.servicePrincipal"
		return v, nil
	}
	if a, err := s.dir.Application(ctx, id); err == nil && a.TenantID == tid {
		v := viewApp(a, "")
		v.ODataType = "#microsoft.graph.application"
		return v, nil
	}
	return nil, errNotFound(id)
}

func (s *Service) getObject(ctx context.Context, c *caller, r *http.Request) (int, any, error) {
	v, err := s.objectView(ctx, c.tid, r.PathValue("id"))
	if err != nil {
		return 0, nil, err
	}
	return 200, v, nil
}

// getByIDs serves POST /directoryObjects/getByIds (the Azure CLI uses it to
// show principal names beside role assignments).
func (s *Service) getByIDs(ctx context.Context, c *caller, r *http.Request) (int, any, error) {
	var in struct {
		IDs   []string `json:"ids"`
		Types []string `json:"types"`
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	if len(in.IDs) > 1000 {
		return 0, nil, errBadRequest("At most 1000 ids may be requested.")
	}
	out := make([]any, 0, len(in.IDs))
	for _, id := range in.IDs {
		if !directory.IsGUID(id) {
			continue
		}
		if v, err := s.objectView(ctx, c.tid, id); err == nil {
			out = append(out, v)
		}
	}
	return 200, collection("directoryObjects", out), nil
}

func (s *Service) organization(ctx context.Context, c *caller, r *http.Request) (int, any, error) {
	t, err := s.dir.Tenant(ctx, c.tid)
	if err != nil {
		return 0, nil, err
	}
	domains := make([]map[string]any, 0, len(t.Domains))
	for i, d := range t.Domains {
		domains = append(domains, map[string]any{"name": d, "isDefault": i == 0, "isInitial": i == 0, "type": "Managed"})
	}
	org := map[string]any{"id": t.ID, "displayName": t.DisplayName, "verifiedDomains": domains, "createdDateTime": ts(t.CreatedAt)}
	return 200, collection("organization", []any{org}), nil
}

func (s *Service) me(ctx context.Context, c *caller, r *http.Request) (int, any, error) {
	return 0, nil, errBadRequest("/me request is only valid with delegated authentication flow.")
}
