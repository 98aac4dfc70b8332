package arm

import (
	"context"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/directory"
	"github.com/gatehouse/gatehouse/internal/rbac"
	"github.com/gatehouse/gatehouse/internal/store"
)

// OwnerRoleID is the built-in Owner role.
const OwnerRoleID = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"

// CreateSubscription adds a subscription to a tenant (subscriptions are
// made by bootstrap and configuration, not through ARM, as in Azure).
func CreateSubscription(ctx context.Context, tx store.Tx, tid, subID, displayName string) error {
	subID = strings.ToLower(subID)
	if !directory.IsGUID(subID) {
		return &directory.InvalidError{Msg: "subscription id " + subID + " is not a GUID"}
	}
	r := &Resource{ID: "/subscriptions/" + subID, Name: subID, Type: typeSubscription, TenantID: tid,
		Properties: map[string]any{"displayName": displayName, "state": "Enabled"}}
	return putResource(ctx, tx, r)
}

// AssignAtRoot makes principal hold role at the root scope "/" (the
// bootstrap administrator is Owner there). It is idempotent.
func AssignAtRoot(ctx context.Context, tx store.Tx, tid, principalID, principalType, roleID string) error {
	return Assign(ctx, tx, tid, "/", principalID, principalType, roleID, "")
}

// Assign creates a role assignment without ARM's checks, for bootstrap and
// configuration; an existing identical assignment is kept.
func Assign(ctx context.Context, tx store.Tx, tid, scope, principalID, principalType, roleID, name string) error {
	if name == "" {
		name = directory.NewID()
	}
	t := time.Now().UTC()
	doc := &authz.RoleAssignmentDoc{RoleAssignment: rbac.RoleAssignment{
		ID: strings.TrimRight(scope, "/") + "/providers/" + typeRoleAssignment + "/" + name, Name: name, Scope: scope,
		RoleDefinitionID: roleID, PrincipalID: strings.ToLower(principalID), PrincipalType: principalType},
		TenantID: tid, Audit: authz.Audit{CreatedOn: t, UpdatedOn: t, CreatedBy: "gatehouse", UpdatedBy: "gatehouse"}}
	if _, err := tx.Lookup(ctx, authz.KindRoleAssignment, doc.StoreKeys()[0]); err == nil {
		return nil
	} else if !store.IsNotFound(err) {
		return err
	}
	return store.CreateDoc(ctx, tx, doc)
}
