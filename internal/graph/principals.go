package graph

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/internal/directory"
)

func (s *Service) findSP(ctx context.Context, c *caller, id string) (*directory.ServicePrincipal, error) {
	var sp *directory.ServicePrincipal
	var err error
	if appID, ok := strings.CutPrefix(id, "appId="); ok {
		sp, err = s.dir.ServicePrincipalByAppID(ctx, c.tid, appID)
	} else {
		sp, err = s.dir.ServicePrincipal(ctx, id)
	}
	if err == nil && sp.TenantID != c.tid {
		return nil, errNotFound(id)
	}
	return sp, err
}

func (s *Service) listSPs(ctx context.Context, c *caller, r *http.Request) (int, any, error) {
	sps, err := s.dir.ServicePrincipals(ctx, c.tid)
	if err != nil {
		return 0, nil, err
	}
	sps, err = filterList(sps, r.URL.Query().Get("$filter"), func(sp *directory.ServicePrincipal, f string) []string {
		switch f {
		case "displayName":
			return []string{sp.DisplayName}
		case "appId":
			return []string{sp.AppID}
		case "id":
			return []string{sp.ID}
		case "servicePrincipalNames":
			return sp.ServicePrincipalNames
		case "servicePrincipalType":
			return []string{sp.ServicePrincipalType}
		}
		return nil
	})
	if err != nil {
		return 0, nil, err
	}
	out := make([]spView, 0, len(sps))
	for _, sp := range sps {
		out = append(out, viewSP(sp))
	}
	return 200, collection("servicePrincipals", out), nil
}

func (s *Service) getSP(ctx context.Context, c *caller, r *http.Request) (int, any, error) {
	sp, err := s.findSP(ctx, c, r.PathValue("id"))
	if err != nil {
		return 0, nil, err
	}
	return 200, viewSP(sp), nil
}

func (s *Service) createSP(ctx context.Context, c *caller, r *http.Request) (int, any, error) {
	var in struct {
		AppID string `json:"appId"`
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	if in.AppID == "" {
		return 0, nil, errBadRequest("Property 'appId' is required.")
	}
	var sp *directory.ServicePrincipal
	err := s.dir.Update(ctx, func(tx *directory.Tx) error {
		var err error
		sp, err = tx.CreateServicePrincipal(ctx, c.tid, in.AppID)
		return err
	})
	if directory.IsNotFound(err) {
		return 0, nil, errBadRequest("The appId '" + in.AppID + "' of the service principal does not reference a valid application object.")
	}
	if err != nil {
		return 0, nil, err
	}
	return 201, viewSP(sp), nil
}

func (s *Service) patchSP(ctx context.Context, c *caller, r *http.Request) (int, any, error) {
	var in struct {
		AccountEnabled *bool `json:"accountEnabled"`
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	sp, err := s.findSP(ctx, c, r.PathValue("id"))
	if err != nil {
		return 0, nil, err
	}
	if in.AccountEnabled == nil {
		return 204, nil, nil
	}
	sp.AccountEnabled = *in.AccountEnabled
	return 204, nil, s.dir.Update(ctx, func(tx *directory.Tx) error { return tx.PutServicePrincipal(ctx, sp) })
}

func (s *Service) deleteSP(ctx context.Context, c *caller, r *http.Request) (int, any, error) {
	sp, err := s.findSP(ctx, c, r.PathValue("id"))
	if err != nil {
		return 0, nil, err
	}
	if sp.AppOwnerTenantID == directory.MicrosoftTenantID {
		return 0, nil, errBadRequest("Microsoft's first-party service principals cannot be deleted.")
	}
	return 204, nil, s.dir.Update(ctx, func(tx *directory.Tx) error { return tx.DeleteServicePrincipal(ctx, sp.ID) })
}

// listAppRoleAssignments serves …/appRoleAssignments (granted to the SP)
// and …/appRoleAssignedTo (granted on the SP as a resource).
func (s *Service) listAppRoleAssignments(assignedTo bool) handlerFunc {
	return func(ctx context.Context, c *caller, r *http.Request) (int, any, error) {
		sp, err := s.findSP(ctx, c, r.PathValue("id"))
		if err != nil {
			return 0, nil, err
		}
		var as []*directory.AppRoleAssignment
		if assignedTo {
			as, err = s.dir.AppRoleAssignedTo(ctx, sp.ID)
		} else {
			as, err = s.dir.AppRoleAssignmentsOf(ctx, sp.ID)
		}
		if err != nil {
			return 0, nil, err
		}
		out := make([]appRoleAssignmentView, 0, len(as))
		for _, a := range as {
			out = append(out, viewAppRoleAssignment(a))
		}
		return 200, collection("appRoleAssignments", out), nil
	}
}

// createAppRoleAssignment serves POST …/appRoleAssignments and
// …/appRoleAssignedTo with {principalId, resourceId, appRoleId}.
func (s *Service) createAppRoleAssignment(ctx context.Context, c *caller, r *http.Request) (int, any, error) {
	var in struct {
		PrincipalID string `json:"principalId"`
		ResourceID  string `json:"resourceId"`
		AppRoleID   string `json:"appRoleId"`
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	if _, err := s.findSP(ctx, c, in.ResourceID); err != nil {
		return 0, nil, err
	}
	var a *directory.AppRoleAssignment
	err := s.dir.Update(ctx, func(tx *directory.Tx) error {
		var err error
		a, err = tx.AssignAppRole(ctx, in.PrincipalID, in.ResourceID, in.AppRoleID)
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	return 201, viewAppRoleAssignment(a), nil
}

func (s *Service) deleteAppRoleAssignment(ctx context.Context, c *caller, r *http.Request) (int, any, error) {
	sp, err := s.findSP(ctx, c, r.PathValue("id"))
	if err != nil {
		return 0, nil, err
	}
	// Only an assignment of this principal (granted to it or on it) may be
	// deleted through it; any other id, of any tenant, does not exist here.
	of, err := s.dir.AppRoleAssignmentsOf(ctx, sp.ID)
	if err != nil {
		return 0, nil, err
	}
	to, err := s.dir.AppRoleAssignedTo(ctx, sp.ID)
	if err != nil {
		return 0, nil, err
	}
	aid := strings.ToLower(r.PathValue("aid"))
	if !slices.ContainsFunc(append(of, to...), func(a *directory.AppRoleAssignment) bool { return a.ID == aid }) {
		return 0, nil, errNotFound(r.PathValue("aid"))
	}
	return 204, nil, s.dir.Update(ctx, func(tx *directory.Tx) error {
		return tx.DeleteAppRoleAssignment(ctx, aid)
	})
}
