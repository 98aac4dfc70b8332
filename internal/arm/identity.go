package arm

import (
	"encoding/json"
	"strings"

	"github.com/gatehouse/gatehouse/internal/directory"
	"github.com/gatehouse/gatehouse/internal/store"
)

type identityView struct {
	Type                   string         `json:"type"`
	PrincipalID            string         `json:"principalId,omitempty"`
	TenantID               string         `json:"tenantId,omitempty"`
	UserAssignedIdentities map[string]any `json:"userAssignedIdentities,omitempty"`
}

// systemIdentity gives a resource that asks for a SystemAssigned identity a
// managed-identity service principal in the directory, so roles can be
// assigned to it like in Azure. The principal is kept across updates.
func (s *Service) systemIdentity(c *call, raw json.RawMessage, prev *Resource, resourceID string) (json.RawMessage, error) {
	var in identityView
	if len(raw) > 0 && string(raw) != "null" {
		if err := json.Unmarshal(raw, &in); err != nil {
			return nil, errInvalidRequestContent("identity: " + err.Error())
		}
	}
	if !strings.Contains(strings.ToLower(in.Type), "systemassigned") {
		if in.Type == "" || strings.EqualFold(in.Type, "None") {
			return nil, nil
		}
		return raw, nil
	}
	var old identityView
	if prev != nil && len(prev.Identity) > 0 {
		_ = json.Unmarshal(prev.Identity, &old)
	}
	in.PrincipalID, in.TenantID = old.PrincipalID, c.p.TenantID
	if in.PrincipalID == "" {
		sp := &directory.ServicePrincipal{ID: directory.NewID(), AppID: directory.NewID(), TenantID: c.p.TenantID,
			DisplayName: resourceID[strings.LastIndexByte(resourceID, '/')+1:], ServicePrincipalType: directory.SPManagedIdentity,
			ServicePrincipalNames: []string{resourceID}, AccountEnabled: true, AppOwnerTenantID: c.p.TenantID,
			AppRoles: []directory.AppRole{}, TokenVersion: 1}
		err := s.dir.Update(c.ctx, func(tx *directory.Tx) error { return tx.PutServicePrincipal(c.ctx, sp) })
		if err != nil {
			return nil, err
		}
		in.PrincipalID = sp.ID
	}
	return json.Marshal(in)
}

// deleteIdentities removes a resource's system-assigned principal and those
// of the resources below it.
func (s *Service) deleteIdentities(c *call, r *Resource) error {
	rs := []*Resource{r}
	if below, err := s.st.List(c.ctx, store.Query{Kind: KindResource, IDPrefix: c.key(r.ID) + "/"}); err == nil {
		for _, rec := range below {
			if sr, err := store.Decode[storedResource](rec); err == nil {
				rs = append(rs, &sr.Resource)
			}
		}
	}
	return s.dir.Update(c.ctx, func(tx *directory.Tx) error {
		for _, x := range rs {
			var id identityView
			if len(x.Identity) == 0 || json.Unmarshal(x.Identity, &id) != nil || id.PrincipalID == "" {
				continue
			}
			if err := tx.DeleteServicePrincipal(c.ctx, id.PrincipalID); err != nil && !store.IsNotFound(err) {
				return err
			}
		}
		return nil
	})
}
