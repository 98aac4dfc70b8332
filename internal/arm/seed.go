package arm

import (
	"context"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/directory"
	"github.com/gatehouse/gatehouse/internal/fold"
	"github.com/gatehouse/gatehouse/internal/rbac"
	"github.com/gatehouse/gatehouse/internal/store"
)

// OwnerRoleID is the built-in Owner role.
const OwnerRoleID = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"

// CreateSubscription adds a subscription to a tenant (subscriptions are
// made by bootstrap and configuration, not through ARM, as in Azure).
func CreateSubscription(ctx context.Context, tx store.Tx, tid, subID, displayName string) error {
	subID = fold.String(subID)
	if !directory.IsGUID(subID) {
		return &directory.InvalidError{Msg: "subscription id " + subID + " is not a GUID"}
	}
	id := "/subscriptions/" + subID
	if owner, err := subscriptionTenant(ctx, tx, subID); err == nil && !fold.Equal(owner, tid) {
		return &directory.InvalidError{Msg: "subscription " + subID + " belongs to another tenant"}
	} else if err != nil && !store.IsNotFound(err) {
		return err
	}
	r := &Resource{ID: id, Name: subID, Type: typeSubscription, TenantID: tid,
		Properties: map[string]any{"displayName": displayName, "state": "Enabled"}}
	if err := putResource(ctx, tx, r); err != nil {
		return err
	}
	return placeAtRoot(ctx, tx, tid, id)
}

// placeAtRoot records that a subscription sits at its tenant's root, unless
// it already has a place: the record is what puts it in its tenant.
func placeAtRoot(ctx context.Context, tx store.Tx, tid, subID string) error {
	p := &authz.ScopeParent{Child: authz.ScopeKey("", subID), Parent: "/", TenantID: tid}
	if _, err := tx.Get(ctx, authz.KindScopeParent, p.StoreID()); err == nil || !store.IsNotFound(err) {
		return err
	}
	return store.PutDoc(ctx, tx, p)
}

// subscriptionTenant reads the tenant a subscription belongs to, whoever
// asks (subscription ids are global).
func subscriptionTenant(ctx context.Context, rd store.Reader, subID string) (string, error) {
	sr, err := store.GetDoc[storedResource](ctx, rd, KindResource, authz.ScopeKey("", "/subscriptions/"+subID))
	if err != nil {
		return "", err
	}
	return sr.Tenant, nil
}

// AssignAtRoot makes principal hold role at the root scope "/" (the
// bootstrap administrator is Owner there). It is idempotent.
func AssignAtRoot(ctx context.Context, tx store.Tx, tid, principalID, principalType, roleID string) error {
	return Assign(ctx, tx, tid, "/", principalID, principalType, roleID, "")
}

// Assign creates a role assignment without ARM's checks, for bootstrap and
// configuration; an existing identical assignment is kept.
func Assign(ctx context.Context, tx store.Tx, tid, scope, principalID, principalType, roleID, name string) error {
	return AssignWith(ctx, tx, tid, AssignmentSpec{Scope: scope, PrincipalID: principalID, PrincipalType: principalType, RoleID: roleID, Name: name})
}

// AssignmentSpec describes a role assignment made by configuration.
type AssignmentSpec struct {
	Scope, PrincipalID, PrincipalType, RoleID, Name string
	Condition, ConditionVersion, Description        string
}

// AssignWith is Assign with every field of an assignment.
func AssignWith(ctx context.Context, tx store.Tx, tid string, a AssignmentSpec) error {
	name := fold.String(a.Name)
	if name == "" {
		name = directory.NewID()
	} else if !directory.IsGUID(name) {
		return &directory.InvalidError{Msg: "role assignment name " + a.Name + " is not a GUID"}
	}
	cv := a.ConditionVersion
	if a.Condition != "" && cv == "" {
		cv = "2.0"
	}
	t := time.Now().UTC()
	scope := a.Scope
	doc := &authz.RoleAssignmentDoc{RoleAssignment: rbac.RoleAssignment{
		ID: strings.TrimRight(scope, "/") + "/providers/" + typeRoleAssignment + "/" + name, Name: name, Scope: scope,
		RoleDefinitionID: a.RoleID, PrincipalID: fold.String(a.PrincipalID), PrincipalType: a.PrincipalType,
		Condition: a.Condition, ConditionVersion: cv, Description: a.Description},
		TenantID: tid, Audit: authz.Audit{CreatedOn: t, UpdatedOn: t, CreatedBy: "gatehouse", UpdatedBy: "gatehouse"}}
	if _, err := tx.Lookup(ctx, authz.KindRoleAssignment, doc.StoreKeys()[0]); err == nil {
		return nil
	} else if !store.IsNotFound(err) {
		return err
	}
	return store.CreateDoc(ctx, tx, doc)
}

// CreateManagementGroup adds a management group (under parent, or under the
// root when parent is empty), for configuration.
func CreateManagementGroup(ctx context.Context, tx store.Tx, tid, name, displayName, parent string) error {
	id := mgPrefix + name
	details := map[string]any{}
	if parent != "" {
		details["parent"] = map[string]any{"id": mgPrefix + parent, "name": parent}
	}
	if displayName == "" {
		displayName = name
	}
	r := &Resource{ID: id, Name: name, Type: typeManagementGroup, TenantID: tid,
		Properties: map[string]any{"tenantId": tid, "displayName": displayName, "details": details}}
	if err := putResource(ctx, tx, r); err != nil {
		return err
	}
	if parent == "" {
		return nil
	}
	return store.PutDoc(ctx, tx, &authz.ScopeParent{Child: authz.ScopeKey("", id), Parent: authz.ScopeKey("", mgPrefix+parent), TenantID: tid})
}

// PlaceSubscription puts a subscription of tenant tid under one of its
// management groups.
func PlaceSubscription(ctx context.Context, tx store.Tx, tid, subID, mg string) error {
	if owner, err := subscriptionTenant(ctx, tx, subID); err != nil || !fold.Equal(owner, tid) {
		return &directory.InvalidError{Msg: "subscription " + subID + " is not a subscription of this tenant"}
	}
	if _, err := getResource(ctx, tx, tid, mgPrefix+mg); err != nil {
		return &directory.InvalidError{Msg: "management group " + mg + " does not exist in this tenant"}
	}
	return store.PutDoc(ctx, tx, &authz.ScopeParent{Child: authz.ScopeKey("", "/subscriptions/"+subID),
		Parent: authz.ScopeKey("", mgPrefix+mg), TenantID: tid})
}

// PutDenyAssignment writes a deny assignment (configuration only: Azure
// lets no user create one).
func PutDenyAssignment(ctx context.Context, tx store.Tx, tid string, d rbac.DenyAssignment, description string) error {
	d.Name = fold.String(d.Name)
	d.ID = strings.TrimRight(d.Scope, "/") + "/providers/" + typeDenyAssignment + "/" + d.Name
	if d.Condition != "" {
		if _, err := checkCondition(d.Condition, d.ConditionVersion); err != nil {
			return err
		}
	}
	return store.PutDoc(ctx, tx, &authz.DenyAssignmentDoc{DenyAssignment: d, TenantID: tid, Description: description, IsSystemProtected: true})
}

// DemoResources names what the demo creates.
type DemoResources struct {
	ResourceGroup, Account, Project, Deployment, Location string
}

// SeedDemo creates (once) a resource group, an AIServices account allowing
// projects, a project and a deployment served by the simulator in
// subscription sub. It returns the account id.
func SeedDemo(ctx context.Context, tx store.Tx, tid, sub string, d DemoResources) (string, error) {
	now := time.Now().UTC()
	sd := &SystemData{CreatedBy: "gatehouse", CreatedByType: "Application", CreatedAt: now,
		LastModifiedBy: "gatehouse", LastModifiedByType: "Application", LastModifiedAt: now}
	rg := "/subscriptions/" + sub + "/resourceGroups/" + d.ResourceGroup
	acct := rg + "/providers/" + typeAccount + "/" + d.Account
	one := 100 // 100,000 TPM: the demo should not hit its quota by accident
	resources := []*Resource{
		{ID: rg, Name: d.ResourceGroup, Type: typeResourceGroup, Location: d.Location, Properties: map[string]any{"provisioningState": "Succeeded"}},
		{ID: acct, Name: d.Account, Type: typeAccount, Kind: "AIServices", Location: d.Location, SKU: &SKU{Name: "S0"}, Etag: newEtag(),
			Properties: map[string]any{"customSubDomainName": d.Account, "allowProjectManagement": true, "disableLocalAuth": false,
				"publicNetworkAccess": "Enabled", "provisioningState": "Succeeded", "dateCreated": now.Format(time.RFC3339)}},
		{ID: acct + "/projects/" + d.Project, Name: d.Account + "/" + d.Project, Type: typeProject, Location: d.Location, Etag: newEtag(),
			Properties: map[string]any{"displayName": d.Project, "provisioningState": "Succeeded", "isDefault": true}},
		{ID: acct + "/deployments/" + d.Deployment, Name: d.Deployment, Type: typeDeployment, Etag: newEtag(), SKU: &SKU{Name: "GlobalStandard", Capacity: &one},
			Properties: map[string]any{"model": map[string]any{"format": "OpenAI", "name": d.Deployment, "version": "2024-07-18"},
				"upstream": map[string]any{"type": "simulator"}, "provisioningState": "Succeeded"}},
	}
	for _, r := range resources {
		if _, err := getResource(ctx, tx, tid, r.ID); err == nil {
			continue
		} else if !store.IsNotFound(err) {
			return "", err
		}
		r.TenantID, r.SystemData = tid, sd
		if err := putResource(ctx, tx, r); err != nil {
			return "", err
		}
	}
	if _, err := Keys(ctx, tx, acct); store.IsNotFound(err) {
		return acct, store.PutDoc(ctx, tx, newKeys(acct))
	} else if err != nil {
		return "", err
	}
	return acct, nil
}
