package arm

import (
	"net/http"
	"strings"

	"github.com/gatehouse/gatehouse/internal/armid"
	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/fold"
	"github.com/gatehouse/gatehouse/internal/store"
)

const mgPrefix = "/providers/Microsoft.Management/managementGroups/"

func (s *Service) listManagementGroups(c *call) (int, any, error) {
	return s.listChildren(c, nil, typeManagementGroup)
}

// putManagementGroup creates or updates a management group and records its
// parent, which the engine needs for inheritance.
func (s *Service) putManagementGroup(c *call) (int, any, error) {
	var in struct {
		Properties struct {
			DisplayName string `json:"displayName"`
			Details     struct {
				Parent struct {
					ID string `json:"id"`
				} `json:"parent"`
			} `json:"details"`
		} `json:"properties"`
	}
	if len(c.body) > 0 {
		if err := c.decodeBody(&in); err != nil {
			return 0, nil, err
		}
	}
	id := c.op.id.String()
	parent := in.Properties.Details.Parent.ID
	if parent != "" {
		pid, err := armid.Parse(parent)
		if err != nil || !fold.Equal(pid.ResourceType, typeManagementGroup) {
			return 0, nil, errBadRequest("InvalidRequestContent", "properties.details.parent.id '%s' is not a management group id.", parent)
		}
		parent = pid.String()
		if err := s.checkParent(c, id, parent); err != nil {
			return 0, nil, err
		}
	}
	if err := s.checkLeaving(c, id, parent, "Microsoft.Management/managementGroups/write"); err != nil {
		return 0, nil, err
	}
	name := in.Properties.DisplayName
	if name == "" {
		name = c.op.id.Name
	}
	details := map[string]any{}
	if parent != "" {
		details["parent"] = map[string]any{"id": parent, "name": parent[strings.LastIndexByte(parent, '/')+1:]}
	}
	mg := &Resource{ID: id, Name: c.op.id.Name, Type: typeManagementGroup, TenantID: c.p.TenantID,
		Properties: map[string]any{"tenantId": c.p.TenantID, "displayName": name, "details": details}}
	status, body, err := s.upsert(c, mg)
	if err != nil {
		return 0, nil, err
	}
	return status, body, s.setParent(c, id, parent)
}

// setParent records (or clears) child's parent management group.
func (s *Service) setParent(c *call, child, parent string) error {
	return s.st.Update(c.ctx, func(tx store.Tx) error {
		if parent == "" && isManagementGroup(child) {
			err := tx.Delete(c.ctx, authz.KindScopeParent, c.key(child))
			if store.IsNotFound(err) {
				return nil
			}
			return err
		}
		if parent == "" {
			parent = "/" // a subscription keeps its place in the tenant
		}
		return store.PutDoc(c.ctx, tx, &authz.ScopeParent{Child: authz.ScopeKey("", child), Parent: authz.ScopeKey("", parent), TenantID: c.p.TenantID})
	})
}

func (s *Service) deleteManagementGroup(c *call) (int, any, error) {
	kids, err := s.st.List(c.ctx, store.Query{Kind: authz.KindScopeParent, Ref: "parent:" + c.key(c.op.id.String())})
	if err != nil {
		return 0, nil, err
	}
	if len(kids) > 0 {
		return 0, nil, errBadRequest("Conflict", "The management group '%s' has children; move or delete them first.", c.op.id.Name)
	}
	if err := s.setParent(c, c.op.id.String(), ""); err != nil {
		return 0, nil, err
	}
	return s.deleteResource(c)
}

// moveSubscription serves PUT /providers/Microsoft.Management/
// managementGroups/{mg}/subscriptions/{sub}: the subscription now sits
// under the management group for inheritance.
func (s *Service) moveSubscription(c *call) (int, any, error) {
	mg := c.op.id.Parent
	if _, err := getResource(c.ctx, s.st, c.p.TenantID, mg.String()); store.IsNotFound(err) {
		return 0, nil, errNotFoundResource(typeManagementGroup, mg.Name, "")
	} else if err != nil {
		return 0, nil, err
	}
	subID := "/subscriptions/" + c.op.id.Name
	sub, err := getResource(c.ctx, s.st, c.p.TenantID, subID)
	if store.IsNotFound(err) {
		return 0, nil, errSubscriptionNotFound(c.op.id.Name)
	}
	if err != nil {
		return 0, nil, err
	}
	// A move changes what the subscription inherits and what both parents
	// hold: the caller needs the subscription (as its Owner would) and the
	// old parent as well as the new one (authorized by the route).
	if err := s.authorize(c, "Microsoft.Authorization/roleAssignments/write", subID, nil); err != nil {
		return 0, nil, err
	}
	if err := s.checkLeaving(c, subID, mg.String(), "Microsoft.Management/managementGroups/subscriptions/write"); err != nil {
		return 0, nil, err
	}
	if err := s.setParent(c, subID, mg.String()); err != nil {
		return 0, nil, err
	}
	v := map[string]any{"id": c.op.id.String(), "type": typeMGSubscription, "name": c.op.id.Name,
		"properties": map[string]any{"displayName": sub.Properties["displayName"], "tenant": sub.TenantID,
			"parent": map[string]any{"id": mg.String()}, "state": "Active"}}
	return http.StatusOK, v, nil
}

// checkLeaving authorizes action at the parent child leaves when it moves
// to newParent ("" for the root): the old parent loses what it held, so a
// move needs the right there too. The root "/" is the parent of what has
// no management group.
func (s *Service) checkLeaving(c *call, child, newParent, action string) error {
	old := "/"
	sp, err := store.GetDoc[authz.ScopeParent](c.ctx, s.st, authz.KindScopeParent, c.key(child))
	switch {
	case err == nil:
		old = sp.Parent
	case !store.IsNotFound(err):
		return err
	}
	if newParent == "" {
		newParent = "/"
		if err := s.authorize(c, action, newParent, nil); err != nil && old != "/" {
			return err
		}
	}
	if c.key(old) == c.key(newParent) {
		return nil
	}
	return s.authorize(c, action, old, nil)
}

// checkParent refuses a parent that does not exist or would make a cycle,
// and requires the right to place groups under it.
func (s *Service) checkParent(c *call, child, parent string) error {
	if _, err := getResource(c.ctx, s.st, c.p.TenantID, parent); store.IsNotFound(err) {
		return armErr(404, "ParentNotFound", "The parent management group '%s' was not found.", parent)
	} else if err != nil {
		return err
	}
	for p, hops := c.key(parent), 0; p != "" && hops < 16; hops++ {
		if p == c.key(child) {
			return errBadRequest("InvalidParent", "Management group '%s' cannot be placed under '%s': that would make a cycle.", child, parent)
		}
		sp, err := store.GetDoc[authz.ScopeParent](c.ctx, s.st, authz.KindScopeParent, p)
		if store.IsNotFound(err) {
			break
		}
		if err != nil {
			return err
		}
		p = c.key(sp.Parent)
	}
	return s.authorize(c, "Microsoft.Management/managementGroups/write", parent, nil)
}
