package arm

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/internal/armid"
	"github.com/gatehouse/gatehouse/internal/directory"
	"github.com/gatehouse/gatehouse/internal/fold"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Only gatehouse creates and deletes identities. A system-assigned
// identity is made for its resource and owned by it (storedResource.Owned);
// a user-assigned one is a Microsoft.ManagedIdentity/userAssignedIdentities
// resource, referenced by its ARM id, that the caller must be allowed to
// assign. What a client sends as principalId, clientId or tenantId is
// ignored, as Azure ignores it.

type identityView struct {
	Type                   string                   `json:"type"`
	PrincipalID            string                   `json:"principalId,omitempty"`
	TenantID               string                   `json:"tenantId,omitempty"`
	UserAssignedIdentities map[string]*userAssigned `json:"userAssignedIdentities,omitempty"`
}

type userAssigned struct {
	PrincipalID string `json:"principalId"`
	ClientID    string `json:"clientId"`
}

const assignIdentity = typeUserAssignedIdentity + "/*/assign/action"

// resolveIdentity computes a resource's identity from the request's
// identity block (nil: keep what the resource has). It returns the
// identity to store and the system-assigned principal the resource owns.
func (s *Service) resolveIdentity(c *call, raw json.RawMessage, prev *Resource, resourceID string) (json.RawMessage, string, error) {
	owned := ""
	if prev != nil {
		owned = prev.Owned
	}
	if raw == nil && prev != nil {
		return prev.Identity, owned, nil
	}
	var in identityView
	if len(raw) > 0 && string(raw) != "null" {
		if err := json.Unmarshal(raw, &in); err != nil {
			return nil, owned, errInvalidRequestContent("identity: " + err.Error())
		}
	}
	system, user, err := identityKinds(in.Type)
	if err != nil {
		return nil, owned, err
	}
	out := identityView{Type: canonicalIdentityType(system, user)}
	if !system && !user {
		return nil, owned, nil
	}
	if system {
		if owned == "" {
			if owned, err = s.createSystemIdentity(c, resourceID); err != nil {
				return nil, "", err
			}
		}
		out.PrincipalID, out.TenantID = owned, c.p.TenantID
	}
	if user {
		if out.UserAssignedIdentities, err = s.userAssignedIdentities(c, in.UserAssignedIdentities); err != nil {
			return nil, owned, err
		}
	}
	b, err := json.Marshal(out)
	return b, owned, err
}

// identityKinds parses "None", "SystemAssigned", "UserAssigned" and
// "SystemAssigned, UserAssigned" (any case, any spacing).
func identityKinds(t string) (system, user bool, err error) {
	for _, part := range strings.Split(t, ",") {
		switch p := fold.String(strings.TrimSpace(part)); p {
		case "", "none":
		case "systemassigned":
			system = true
		case "userassigned":
			user = true
		default:
			return false, false, errBadRequest("InvalidIdentityType", "The identity type '%s' is not supported. Supported types are 'None', 'SystemAssigned', 'UserAssigned' and 'SystemAssigned, UserAssigned'.", t)
		}
	}
	return system, user, nil
}

func canonicalIdentityType(system, user bool) string {
	switch {
	case system && user:
		return "SystemAssigned, UserAssigned"
	case system:
		return "SystemAssigned"
	case user:
		return "UserAssigned"
	}
	return "None"
}

// createSystemIdentity gives a resource its own managed-identity service
// principal, named after it, as Azure does.
func (s *Service) createSystemIdentity(c *call, resourceID string) (string, error) {
	sp := newIdentityPrincipal(c.p.TenantID, resourceID)
	err := s.dir.Update(c.ctx, func(tx *directory.Tx) error { return tx.PutServicePrincipal(c.ctx, sp) })
	return sp.ID, err
}

func newIdentityPrincipal(tid, resourceID string) *directory.ServicePrincipal {
	return &directory.ServicePrincipal{ID: directory.NewID(), AppID: directory.NewID(), TenantID: tid,
		DisplayName: resourceID[strings.LastIndexByte(resourceID, '/')+1:], ServicePrincipalType: directory.SPManagedIdentity,
		ServicePrincipalNames: []string{resourceID}, AccountEnabled: true, AppOwnerTenantID: tid,
		AppRoles: []directory.AppRole{}, TokenVersion: 1}
}

// userAssignedIdentities resolves the ids a client names to existing
// user-assigned identities of its tenant that it may assign, with their
// principal and client ids as gatehouse knows them.
func (s *Service) userAssignedIdentities(c *call, in map[string]*userAssigned) (map[string]*userAssigned, error) {
	if len(in) == 0 {
		return nil, errBadRequest("BadRequest", "The identity type 'UserAssigned' needs at least one entry in userAssignedIdentities.")
	}
	out := make(map[string]*userAssigned, len(in))
	for ref := range in {
		id, err := armid.Parse(ref)
		if err != nil || !fold.Equal(id.ResourceType, typeUserAssignedIdentity) {
			return nil, errBadRequest("InvalidIdentityValues", "Invalid value for userAssignedIdentities: '%s' is not the resource id of a user-assigned identity.", ref)
		}
		r, err := getResource(c.ctx, s.st, c.p.TenantID, id.String())
		if store.IsNotFound(err) {
			return nil, errBadRequest("InvalidIdentityValues", "The user-assigned identity '%s' was not found.", ref)
		}
		if err != nil {
			return nil, err
		}
		if err := s.authorize(c, assignIdentity, r.ID, nil); err != nil {
			return nil, err
		}
		out[r.ID] = &userAssigned{PrincipalID: r.Prop("principalId"), ClientID: r.Prop("clientId")}
	}
	return out, nil
}

// deleteIdentities removes the principals that a resource and those below
// it own — and nothing else: a principal is deleted only if it is a
// managed identity made for that very resource.
func (s *Service) deleteIdentities(c *call, r *Resource) error {
	rs := []*Resource{r}
	below, err := s.st.List(c.ctx, store.Query{Kind: KindResource, IDPrefix: c.key(r.ID) + "/"})
	if err != nil {
		return err
	}
	for _, rec := range below {
		sr, err := store.Decode[storedResource](rec)
		if err != nil {
			return err
		}
		sr.Resource.TenantID, sr.Resource.Owned = sr.Tenant, sr.Owned
		rs = append(rs, &sr.Resource)
	}
	return s.dir.Update(c.ctx, func(tx *directory.Tx) error {
		for _, x := range rs {
			if err := deleteOwnedPrincipal(c, tx, x); err != nil {
				return err
			}
		}
		return nil
	})
}

func deleteOwnedPrincipal(c *call, tx *directory.Tx, r *Resource) error {
	if r.Owned == "" {
		return nil
	}
	sp, err := tx.ServicePrincipal(c.ctx, r.Owned)
	if store.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if sp.ServicePrincipalType != directory.SPManagedIdentity || !fold.Equal(sp.TenantID, r.TenantID) ||
		!slices.ContainsFunc(sp.ServicePrincipalNames, func(n string) bool { return fold.Equal(n, r.ID) }) {
		return nil // not this resource's own identity: never touched
	}
	err = tx.DeleteServicePrincipal(c.ctx, sp.ID)
	if store.IsNotFound(err) {
		return nil
	}
	return err
}
