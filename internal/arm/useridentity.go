package arm

import (
	"github.com/gatehouse/gatehouse/internal/directory"
	"github.com/gatehouse/gatehouse/internal/store"
)

// User-assigned managed identities: ARM resources that own a managed
// identity service principal, assignable to other resources by those with
// …/userAssignedIdentities/*/assign/action on them.

const typeUserAssignedIdentity = "Microsoft.ManagedIdentity/userAssignedIdentities"

var versionsManagedIdentity = []string{"2015-08-31-preview", "2018-11-30", "2021-09-30-preview", "2022-01-31-preview",
	"2023-01-31", "2023-07-31-preview", "2024-11-30", "2025-01-31-preview"}

func (s *Service) registerManagedIdentity() {
	t, v := typeUserAssignedIdentity, versionsManagedIdentity
	s.handle(opItem, t, "GET", "", route{action: t + "/read", versions: v, fn: s.getTracked})
	s.handle(opItem, t, "PUT", "", route{action: t + "/write", versions: v, fn: s.putUserIdentity})
	s.handle(opItem, t, "PATCH", "", route{action: t + "/write", versions: v, fn: s.patchUserIdentity})
	s.handle(opItem, t, "DELETE", "", route{action: t + "/delete", versions: v, fn: s.deleteTracked})
	s.handle(opList, t, "GET", "", route{versions: v, fn: s.listUserIdentities})
}

func (s *Service) putUserIdentity(c *call) (int, any, error) {
	if _, err := s.requireParent(c); err != nil {
		return 0, nil, err
	}
	var in struct {
		Location string            `json:"location"`
		Tags     map[string]string `json:"tags"`
	}
	if err := c.decodeBody(&in); err != nil {
		return 0, nil, err
	}
	if in.Location == "" {
		return 0, nil, errBadRequest("LocationRequired", "The location property is required for this definition.")
	}
	return s.writeUserIdentity(c, normLocation(in.Location), in.Tags)
}

func (s *Service) patchUserIdentity(c *call) (int, any, error) {
	prev, err := getResource(c.ctx, s.st, c.p.TenantID, c.op.id.String())
	if store.IsNotFound(err) {
		return 0, nil, errNotFoundResource(c.op.typ, c.op.id.Name, c.op.id.ResourceGroupName)
	}
	if err != nil {
		return 0, nil, err
	}
	var in struct {
		Tags map[string]string `json:"tags"`
	}
	if err := c.decodeBody(&in); err != nil {
		return 0, nil, err
	}
	if in.Tags == nil {
		in.Tags = prev.Tags
	}
	return s.writeUserIdentity(c, prev.Location, in.Tags)
}

// writeUserIdentity creates or updates the identity; its principal is made
// once, with the resource, and kept.
func (s *Service) writeUserIdentity(c *call, location string, tags map[string]string) (int, any, error) {
	prev, err := getResource(c.ctx, s.st, c.p.TenantID, c.op.id.String())
	if err != nil && !store.IsNotFound(err) {
		return 0, nil, err
	}
	r := &Resource{ID: c.op.id.String(), Name: c.op.id.Name, Type: typeUserAssignedIdentity, Location: location,
		Tags: tags, TenantID: c.p.TenantID}
	if prev != nil {
		r.Owned, r.Properties = prev.Owned, prev.Properties
	} else {
		sp := newIdentityPrincipal(c.p.TenantID, r.ID)
		if err := s.dir.Update(c.ctx, func(tx *directory.Tx) error { return tx.PutServicePrincipal(c.ctx, sp) }); err != nil {
			return 0, nil, err
		}
		r.Owned = sp.ID
		r.Properties = map[string]any{"tenantId": c.p.TenantID, "principalId": sp.ID, "clientId": sp.AppID}
	}
	return s.upsert(c, r)
}

// listUserIdentities lists the readable identities of a resource group or
// a subscription.
func (s *Service) listUserIdentities(c *call) (int, any, error) {
	if c.op.id == nil || c.op.id.SubscriptionID == "" {
		return 0, nil, errBadRequest("InvalidResourceId", "User-assigned identities are listed in a subscription or a resource group.")
	}
	if _, err := s.requireSubscription(c, c.op.id); err != nil {
		return 0, nil, err
	}
	return s.listInSubscriptionOrGroup(c, typeUserAssignedIdentity)
}
