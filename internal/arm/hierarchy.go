package arm

import (
	"net/http"
	"regexp"
	"strings"

	"github.com/gatehouse/gatehouse/internal/armid"
	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/fold"
	"github.com/gatehouse/gatehouse/internal/store"
)

const (
	typeSubscription    = armid.SubscriptionType
	typeResourceGroup   = armid.ResourceGroupType
	typeManagementGroup = armid.ManagementGroupType
	typeMGSubscription  = "Microsoft.Management/managementGroups/subscriptions"
)

func (s *Service) registerHierarchy() {
	v := versionsResources
	s.handle(opList, "Microsoft.Resources/subscriptions", "GET", "", route{versions: v, fn: s.listSubscriptions})
	s.handle(opItem, typeSubscription, "GET", "", route{action: "Microsoft.Resources/subscriptions/read", versions: v, fn: s.getSubscription})
	s.handle(opList, "Microsoft.Resources/tenants", "GET", "", route{versions: v, fn: s.listTenants})
	s.handle(opList, typeResourceGroup, "GET", "", route{versions: v, fn: s.listResourceGroups})
	rgAction := "Microsoft.Resources/subscriptions/resourceGroups/"
	s.handle(opItem, typeResourceGroup, "GET", "", route{action: rgAction + "read", versions: v, fn: s.getResourceGroup})
	s.handle(opItem, typeResourceGroup, "PUT", "", route{action: rgAction + "write", versions: v, fn: s.putResourceGroup})
	s.handle(opItem, typeResourceGroup, "PATCH", "", route{action: rgAction + "write", versions: v, fn: s.patchResourceGroup})
	s.handle(opItem, typeResourceGroup, "DELETE", "", route{action: rgAction + "delete", versions: v, fn: s.deleteResource})

	m := versionsManagement
	mgAction := "Microsoft.Management/managementGroups/"
	s.handle(opList, typeManagementGroup, "GET", "", route{versions: m, fn: s.listManagementGroups})
	s.handle(opItem, typeManagementGroup, "GET", "", route{action: mgAction + "read", versions: m, fn: s.getPlain})
	s.handle(opItem, typeManagementGroup, "PUT", "", route{action: mgAction + "write", versions: m, fn: s.putManagementGroup})
	s.handle(opItem, typeManagementGroup, "DELETE", "", route{action: mgAction + "delete", versions: m, fn: s.deleteManagementGroup})
	s.handle(opItem, typeMGSubscription, "PUT", "", route{action: mgAction + "subscriptions/write", versions: m, fn: s.moveSubscription})
}

// subscriptionView is the subscription's wire shape.
type subscriptionView struct {
	ID                   string            `json:"id"`
	AuthorizationSource  string            `json:"authorizationSource"`
	ManagedByTenants     []any             `json:"managedByTenants"`
	SubscriptionID       string            `json:"subscriptionId"`
	TenantID             string            `json:"tenantId"`
	DisplayName          string            `json:"displayName"`
	State                string            `json:"state"`
	SubscriptionPolicies map[string]any    `json:"subscriptionPolicies"`
	Tags                 map[string]string `json:"tags,omitempty"`
}

func viewSubscription(r *Resource) subscriptionView {
	name, _ := r.Properties["displayName"].(string)
	return subscriptionView{ID: r.ID, AuthorizationSource: "RoleBased", ManagedByTenants: []any{},
		SubscriptionID: r.Name, TenantID: r.TenantID, DisplayName: name, State: "Enabled", Tags: r.Tags,
		SubscriptionPolicies: map[string]any{"locationPlacementId": "Public_2014-09-01", "quotaId": "PayAsYouGo_2014-09-01", "spendingLimit": "Off"}}
}

// listSubscriptions lists the subscriptions of the caller's tenant it has
// access to: read at the subscription (directly, through a group or from
// above) or any role assignment of its own inside it.
func (s *Service) listSubscriptions(c *call) (int, any, error) {
	subs, err := children(c.ctx, s.st, c.p.TenantID, nil, typeSubscription)
	if err != nil {
		return 0, nil, err
	}
	own, err := store.ListDocs[authz.RoleAssignmentDoc](c.ctx, s.st, store.Query{Kind: authz.KindRoleAssignment, Ref: "principal:" + c.p.ObjectID})
	if err != nil {
		return 0, nil, err
	}
	out := []subscriptionView{}
	for _, sub := range subs {
		if sub.TenantID != c.p.TenantID {
			continue
		}
		ok, err := s.allowed(c, "Microsoft.Resources/subscriptions/read", sub.ID)
		if err != nil {
			return 0, nil, err
		}
		if ok || hasAssignmentUnder(c, own, sub.ID) {
			out = append(out, viewSubscription(sub))
		}
	}
	return 200, list{Value: out}, nil
}

func hasAssignmentUnder(c *call, ras []*authz.RoleAssignmentDoc, scope string) bool {
	k := c.key(scope)
	for _, ra := range ras {
		if sk := c.key(ra.Scope); sk == k || strings.HasPrefix(sk, k+"/") {
			return true
		}
	}
	return false
}

func (s *Service) getSubscription(c *call) (int, any, error) {
	sub, err := getResource(c.ctx, s.st, c.p.TenantID, c.op.id.String())
	if store.IsNotFound(err) {
		return 0, nil, errSubscriptionNotFound(c.op.id.SubscriptionID)
	}
	if err != nil {
		return 0, nil, err
	}
	return 200, viewSubscription(sub), nil
}

func (s *Service) listTenants(c *call) (int, any, error) {
	t, err := s.dir.Tenant(c.ctx, c.p.TenantID)
	if err != nil {
		return 0, nil, err
	}
	v := map[string]any{"id": "/tenants/" + t.ID, "tenantId": t.ID, "countryCode": "US", "displayName": t.DisplayName,
		"domains": t.Domains, "defaultDomain": t.DefaultDomain(), "tenantCategory": "Home", "tenantType": "AAD"}
	return 200, list{Value: []any{v}}, nil
}

// requireSubscription checks the subscription of id exists.
func (s *Service) requireSubscription(c *call, id *armid.ID) (*Resource, error) {
	sub, err := getResource(c.ctx, s.st, c.p.TenantID, "/subscriptions/"+id.SubscriptionID)
	if store.IsNotFound(err) {
		return nil, errSubscriptionNotFound(id.SubscriptionID)
	}
	return sub, err
}

var rgName = regexp.MustCompile(`^[-\w._()]{1,90}$`)

func (s *Service) putResourceGroup(c *call) (int, any, error) {
	sub, err := s.requireSubscription(c, c.op.id)
	if err != nil {
		return 0, nil, err
	}
	name := c.op.id.Name
	if !rgName.MatchString(name) || strings.HasSuffix(name, ".") {
		return 0, nil, errBadRequest("InvalidResourceGroupName", "Resource group name '%s' is invalid. It can have up to 90 characters: letters, digits, underscores, hyphens, periods (not at the end) and parentheses.", name)
	}
	var in struct {
		Location  string            `json:"location"`
		Tags      map[string]string `json:"tags"`
		ManagedBy string            `json:"managedBy"`
	}
	if err := c.decodeBody(&in); err != nil {
		return 0, nil, err
	}
	if in.Location == "" {
		return 0, nil, errBadRequest("LocationRequired", "The location property is required for this definition.")
	}
	rg := &Resource{ID: c.op.id.String(), Name: name, Type: typeResourceGroup, Location: normLocation(in.Location),
		Tags: in.Tags, Properties: map[string]any{"provisioningState": "Succeeded"}, TenantID: sub.TenantID}
	return s.upsert(c, rg)
}

// upsert writes r, keeping the stored creation data: 201 when new, 200 when
// it replaced an existing resource.
func (s *Service) upsert(c *call, r *Resource) (int, any, error) {
	status := http.StatusCreated
	err := s.st.Update(c.ctx, func(tx store.Tx) error {
		status = http.StatusCreated
		prev, err := getResource(c.ctx, tx, c.p.TenantID, r.ID)
		switch {
		case err == nil:
			status = http.StatusOK
			r.ID, r.Name = prev.ID, prev.Name // keep the original casing
			r.SystemData = c.systemData(prev.SystemData)
		case store.IsNotFound(err):
			r.SystemData = c.systemData(nil)
		default:
			return err
		}
		return putResource(c.ctx, tx, r)
	})
	if err != nil {
		return 0, nil, err
	}
	return status, r, nil
}

func (s *Service) getResourceGroup(c *call) (int, any, error) {
	rg, err := getResource(c.ctx, s.st, c.p.TenantID, c.op.id.String())
	if store.IsNotFound(err) {
		return 0, nil, errResourceGroupNotFound(c.op.id.Name)
	}
	if err != nil {
		return 0, nil, err
	}
	if c.r.Method == http.MethodHead {
		return http.StatusNoContent, nil, nil
	}
	return 200, rg, nil
}

func (s *Service) patchResourceGroup(c *call) (int, any, error) {
	var in struct {
		Tags map[string]string `json:"tags"`
	}
	if err := c.decodeBody(&in); err != nil {
		return 0, nil, err
	}
	var rg *Resource
	err := s.st.Update(c.ctx, func(tx store.Tx) error {
		var err error
		if rg, err = getResource(c.ctx, tx, c.p.TenantID, c.op.id.String()); err != nil {
			return err
		}
		if in.Tags != nil {
			rg.Tags = in.Tags
		}
		rg.SystemData = c.systemData(rg.SystemData)
		return putResource(c.ctx, tx, rg)
	})
	if store.IsNotFound(err) {
		return 0, nil, errResourceGroupNotFound(c.op.id.Name)
	}
	return 200, rg, err
}

// deleteResource deletes the op's resource with everything below it; a
// missing resource is 204, as ARM answers.
func (s *Service) deleteResource(c *call) (int, any, error) {
	r, err := getResource(c.ctx, s.st, c.p.TenantID, c.op.id.String())
	if store.IsNotFound(err) {
		return http.StatusNoContent, nil, nil
	}
	if err != nil {
		return 0, nil, err
	}
	if err := s.deleteIdentities(c, r); err != nil {
		return 0, nil, err
	}
	err = s.st.Update(c.ctx, func(tx store.Tx) error { return deleteTree(c.ctx, tx, c.p.TenantID, c.op.id.String()) })
	if store.IsNotFound(err) {
		return http.StatusNoContent, nil, nil
	}
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, nil, nil
}

// readable keeps the resources the caller may read.
func (s *Service) readable(c *call, rs []*Resource, action func(*Resource) string) ([]*Resource, error) {
	out := make([]*Resource, 0, len(rs))
	for _, r := range rs {
		ok, err := s.allowed(c, action(r), r.ID)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, r)
		}
	}
	return out, nil
}

func readAction(r *Resource) string {
	switch {
	case fold.Equal(r.Type, typeResourceGroup):
		return "Microsoft.Resources/subscriptions/resourceGroups/read"
	case fold.Equal(r.Type, typeSubscription):
		return "Microsoft.Resources/subscriptions/read"
	}
	return r.Type + "/read"
}

func (s *Service) listResourceGroups(c *call) (int, any, error) {
	if _, err := s.requireSubscription(c, c.op.id); err != nil {
		return 0, nil, err
	}
	return s.listChildren(c, c.op.id, typeResourceGroup)
}

// listChildren lists readable children of type typ under parent.
func (s *Service) listChildren(c *call, parent *armid.ID, typ string) (int, any, error) {
	rs, err := children(c.ctx, s.st, c.p.TenantID, parent, typ)
	if err != nil {
		return 0, nil, err
	}
	if rs, err = s.readable(c, rs, readAction); err != nil {
		return 0, nil, err
	}
	return 200, list{Value: s.presentAll(c, rs)}, nil
}

func normLocation(l string) string {
	return fold.String(strings.ReplaceAll(l, " ", ""))
}

// getPlain serves GET of a stored resource as stored.
func (s *Service) getPlain(c *call) (int, any, error) {
	r, err := getResource(c.ctx, s.st, c.p.TenantID, c.op.id.String())
	if store.IsNotFound(err) {
		return 0, nil, errNotFoundResource(c.op.typ, c.op.id.Name, c.op.id.ResourceGroupName)
	}
	if err != nil {
		return 0, nil, err
	}
	return 200, s.present(c, r), nil
}
