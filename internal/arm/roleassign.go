package arm

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/armid"
	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/directory"
	"github.com/gatehouse/gatehouse/internal/fold"
	"github.com/gatehouse/gatehouse/internal/rbac"
	"github.com/gatehouse/gatehouse/internal/store"
)

const (
	typeRoleAssignment = "Microsoft.Authorization/roleAssignments"
	typeRoleDefinition = "Microsoft.Authorization/roleDefinitions"
	typeDenyAssignment = "Microsoft.Authorization/denyAssignments"
	typePermissions    = "Microsoft.Authorization/permissions"
	attrRoleDef        = "Microsoft.Authorization/roleAssignments:RoleDefinitionId"
	attrPrincipalID    = "Microsoft.Authorization/roleAssignments:PrincipalId"
	attrPrincipalType  = "Microsoft.Authorization/roleAssignments:PrincipalType"
)

func (s *Service) registerAuthorization() {
	v := versionsAuthorization
	ra := "Microsoft.Authorization/roleAssignments/"
	s.handle(opItem, typeRoleAssignment, "GET", "", route{action: ra + "read", versions: v, fn: s.getRoleAssignment})
	s.handle(opItem, typeRoleAssignment, "PUT", "", route{versions: v, fn: s.putRoleAssignment})
	s.handle(opItem, typeRoleAssignment, "DELETE", "", route{versions: v, fn: s.deleteRoleAssignment})
	s.handle(opList, typeRoleAssignment, "GET", "", route{action: ra + "read", versions: v, fn: s.listRoleAssignments})
	// Reading role definitions needs no role assignment, as in Azure: any
	// principal of the tenant reads the built-ins and its tenant's custom
	// roles at any scope of the tenant (GetByID, Terraform and "az role
	// definition list" read them at "/"). The handlers see only the
	// caller's tenant's roles (snap.Role/snap.Roles), and the pipeline has
	// refused a subscription of another tenant.
	s.handle(opItem, typeRoleDefinition, "GET", "", route{versions: v, fn: s.getRoleDefinition})
	s.handle(opItem, typeRoleDefinition, "PUT", "", route{versions: v, fn: s.putRoleDefinition})
	s.handle(opItem, typeRoleDefinition, "DELETE", "", route{versions: v, fn: s.deleteRoleDefinition})
	s.handle(opList, typeRoleDefinition, "GET", "", route{versions: v, fn: s.listRoleDefinitions})
	da := "Microsoft.Authorization/denyAssignments/read"
	s.handle(opItem, typeDenyAssignment, "GET", "", route{action: da, versions: v, fn: s.getDenyAssignment})
	s.handle(opList, typeDenyAssignment, "GET", "", route{action: da, versions: v, fn: s.listDenyAssignments})
	s.handle(opList, typePermissions, "GET", "", route{versions: v, fn: s.permissions})
}

// assignmentView is a role assignment's wire shape.
type assignmentView struct {
	ID         string         `json:"id"`
	Type       string         `json:"type"`
	Name       string         `json:"name"`
	Properties assignmentProp `json:"properties"`
}

type assignmentProp struct {
	RoleDefinitionID                   string  `json:"roleDefinitionId"`
	PrincipalID                        string  `json:"principalId"`
	PrincipalType                      string  `json:"principalType"`
	Scope                              string  `json:"scope"`
	Condition                          *string `json:"condition"`
	ConditionVersion                   *string `json:"conditionVersion"`
	CreatedOn                          string  `json:"createdOn"`
	UpdatedOn                          string  `json:"updatedOn"`
	CreatedBy                          string  `json:"createdBy"`
	UpdatedBy                          string  `json:"updatedBy"`
	DelegatedManagedIdentityResourceID *string `json:"delegatedManagedIdentityResourceId"`
	Description                        *string `json:"description"`
}

// roleDefinitionID is the full id ARM gives a role definition seen from
// scope: subscription-qualified inside a subscription.
func roleDefinitionID(scope, guid string) string {
	if id, err := armid.Parse(scope); err == nil && id.SubscriptionID != "" {
		return "/subscriptions/" + id.SubscriptionID + "/providers/" + typeRoleDefinition + "/" + guid
	}
	return "/providers/" + typeRoleDefinition + "/" + guid
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func viewAssignment(d *authz.RoleAssignmentDoc) assignmentView {
	ts := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.0000000Z") }
	return assignmentView{ID: d.ID, Type: typeRoleAssignment, Name: d.Name, Properties: assignmentProp{
		RoleDefinitionID: roleDefinitionID(d.Scope, authz.RoleGUID(d.RoleDefinitionID)), PrincipalID: d.PrincipalID,
		PrincipalType: d.PrincipalType, Scope: d.Scope, Condition: optional(d.Condition),
		ConditionVersion: optional(d.ConditionVersion), CreatedOn: ts(d.CreatedOn), UpdatedOn: ts(d.UpdatedOn),
		CreatedBy: d.CreatedBy, UpdatedBy: d.UpdatedBy, Description: optional(d.Description)}}
}

func errAssignmentNotFound(name string) *Error {
	return armErr(404, "RoleAssignmentNotFound", "The role assignment '%s' is not found.", name)
}

// findAssignment reads the assignment the op names; it must be at the op's
// scope (names are global, ids are not).
func (s *Service) findAssignment(c *call) (*authz.RoleAssignmentDoc, error) {
	d, err := store.GetDoc[authz.RoleAssignmentDoc](c.ctx, s.st, authz.KindRoleAssignment, authz.DocID(c.p.TenantID, c.op.id.Name))
	if store.IsNotFound(err) || (err == nil && c.key(d.Scope) != c.key(scopeString(c.op.id.Scope()))) {
		return nil, errAssignmentNotFound(c.op.id.Name)
	}
	return d, err
}

func (s *Service) getRoleAssignment(c *call) (int, any, error) {
	d, err := s.findAssignment(c)
	if err != nil {
		return 0, nil, err
	}
	return 200, viewAssignment(d), nil
}

type assignmentInput struct {
	Properties struct {
		RoleDefinitionID string `json:"roleDefinitionId"`
		PrincipalID      string `json:"principalId"`
		PrincipalType    string `json:"principalType"`
		Description      string `json:"description"`
		Condition        string `json:"condition"`
		ConditionVersion string `json:"conditionVersion"`
	} `json:"properties"`
}

// putRoleAssignment creates a role assignment after validating it as ARM
// does and authorizing the write with the condition attributes that
// constrained delegation tests.
func (s *Service) putRoleAssignment(c *call) (int, any, error) {
	a, err := s.validateAssignment(c)
	if err != nil {
		return 0, nil, err
	}
	attrs := map[string][]string{attrRoleDef: {authz.RoleGUID(a.RoleDefinitionID)},
		attrPrincipalID: {a.PrincipalID}, attrPrincipalType: {a.PrincipalType}}
	if err := s.authorize(c, "Microsoft.Authorization/roleAssignments/write", a.Scope, &rbac.Request{RequestAttrs: attrs}); err != nil {
		return 0, nil, err
	}
	status := http.StatusCreated
	err = s.st.Update(c.ctx, func(tx store.Tx) error {
		status = http.StatusCreated
		prev, err := store.GetDoc[authz.RoleAssignmentDoc](c.ctx, tx, authz.KindRoleAssignment, a.StoreID())
		if err == nil {
			if !sameAssignment(prev, a) {
				return errBadRequest("RoleAssignmentUpdateNotPermitted", "Tenant ID, application ID, principal ID, and scope are not allowed to be updated.")
			}
			status = http.StatusOK
			a.CreatedOn, a.CreatedBy = prev.CreatedOn, prev.CreatedBy
		} else if !store.IsNotFound(err) {
			return err
		}
		return store.PutDoc(c.ctx, tx, a)
	})
	if errors.Is(err, store.ErrConflict) {
		return 0, nil, armErr(409, "RoleAssignmentExists", "The role assignment already exists.")
	}
	if err != nil {
		return 0, nil, err
	}
	return status, viewAssignment(a), nil
}

func sameAssignment(a, b *authz.RoleAssignmentDoc) bool {
	return authz.ScopeKey(a.TenantID, a.Scope) == authz.ScopeKey(b.TenantID, b.Scope) && fold.Equal(a.PrincipalID, b.PrincipalID) &&
		authz.RoleGUID(a.RoleDefinitionID) == authz.RoleGUID(b.RoleDefinitionID)
}

// validateAssignment checks the request and builds the document.
func (s *Service) validateAssignment(c *call) (*authz.RoleAssignmentDoc, error) {
	name := c.op.id.Name
	if !directory.IsGUID(name) {
		return nil, errBadRequest("InvalidRoleAssignmentId", "The role assignment ID '%s' is not valid. The role assignment ID must be a GUID.", name)
	}
	var in assignmentInput
	if err := c.decodeBody(&in); err != nil {
		return nil, err
	}
	p := in.Properties
	if p.RoleDefinitionID == "" || p.PrincipalID == "" {
		return nil, errBadRequest("InvalidRequestContent", "The properties roleDefinitionId and principalId are required.")
	}
	if !directory.IsGUID(p.PrincipalID) {
		return nil, errBadRequest("InvalidPrincipalId", "The Principal ID '%s' is not valid. Principal ID must be a GUID.", p.PrincipalID)
	}
	scope := scopeString(c.op.id.Scope())
	if err := s.requireScope(c, c.op.id.Scope()); err != nil {
		return nil, err
	}
	ptype, err := s.principalType(c, p.PrincipalID, p.PrincipalType)
	if err != nil {
		return nil, err
	}
	role, err := s.assignableRole(c, p.RoleDefinitionID, scope)
	if err != nil {
		return nil, err
	}
	cv, err := checkCondition(p.Condition, p.ConditionVersion)
	if err != nil {
		return nil, err
	}
	t := time.Now().UTC()
	return &authz.RoleAssignmentDoc{RoleAssignment: rbac.RoleAssignment{
		ID: strings.TrimRight(scope, "/") + "/providers/" + typeRoleAssignment + "/" + fold.String(name), Name: fold.String(name),
		Scope: scope, RoleDefinitionID: role.ID, PrincipalID: fold.String(p.PrincipalID), PrincipalType: ptype,
		Condition: p.Condition, ConditionVersion: cv, Description: p.Description},
		TenantID: c.p.TenantID, Audit: authz.Audit{CreatedOn: t, UpdatedOn: t, CreatedBy: c.p.ObjectID, UpdatedBy: c.p.ObjectID}}, nil
}

// checkCondition refuses a condition that does not parse, when written.
func checkCondition(cond, version string) (string, error) {
	if cond == "" {
		if version != "" && version != "2.0" {
			return "", errBadRequest("InvalidConditionVersion", "The condition version '%s' is not supported; the only supported version is '2.0'.", version)
		}
		return "", nil
	}
	if version == "" {
		version = "2.0"
	}
	if version != "2.0" {
		return "", errBadRequest("InvalidConditionVersion", "The condition version '%s' is not supported; the only supported version is '2.0'.", version)
	}
	if len(cond) > 8192 {
		return "", errBadRequest("InvalidCondition", "The condition is longer than the limit of 8 KB.")
	}
	if _, err := rbac.ParseCondition(cond); err != nil {
		return "", errBadRequest("InvalidCondition", "The condition is invalid: %v", err)
	}
	return version, nil
}

// principalType finds the principal in the caller's tenant and checks the
// type the client gave, as ARM does.
func (s *Service) principalType(c *call, id, given string) (string, error) {
	actual, err := s.dir.ObjectType(c.ctx, c.p.TenantID, id)
	if store.IsNotFound(err) {
		return "", errBadRequest("PrincipalNotFound", "Principal %s does not exist in the directory %s. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay. In this case, set the role assignment principalType property to a value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype",
			strings.ReplaceAll(fold.String(id), "-", ""), c.p.TenantID)
	}
	if err != nil {
		return "", err
	}
	want := map[string]string{directory.TypeUser: "User", directory.TypeGroup: "Group", directory.TypeServicePrincipal: "ServicePrincipal"}[actual]
	if given != "" && !fold.Equal(given, want) {
		return "", errBadRequest("UnmatchedPrincipalType", "The PrincipalId '%s' has type '%s' , which is different from specified PrincipalType '%s'.",
			strings.ReplaceAll(fold.String(id), "-", ""), want, given)
	}
	return want, nil
}

// requireScope checks the scope of an assignment exists (the root always).
func (s *Service) requireScope(c *call, id *armid.ID) error {
	if id == nil || id.Parent == nil && scopeString(id) == "/" { // the root always exists
		return nil
	}
	if _, err := getResource(c.ctx, s.st, c.p.TenantID, id.String()); err != nil {
		if store.IsNotFound(err) {
			return armErr(404, "InvalidScope", "The scope '%s' does not exist or is not valid.", id.String())
		}
		return err
	}
	return nil
}

func (s *Service) deleteRoleAssignment(c *call) (int, any, error) {
	d, err := s.findAssignment(c)
	var ae *Error
	if errors.As(err, &ae) && ae.Status == 404 {
		return http.StatusNoContent, nil, nil
	}
	if err != nil {
		return 0, nil, err
	}
	attrs := map[string][]string{attrRoleDef: {authz.RoleGUID(d.RoleDefinitionID)},
		attrPrincipalID: {d.PrincipalID}, attrPrincipalType: {d.PrincipalType}}
	if err := s.authorize(c, "Microsoft.Authorization/roleAssignments/delete", d.Scope, &rbac.Request{ResourceAttrs: attrs}); err != nil {
		return 0, nil, err
	}
	err = s.st.Update(c.ctx, func(tx store.Tx) error { return tx.Delete(c.ctx, authz.KindRoleAssignment, d.StoreID()) })
	if store.IsNotFound(err) {
		return http.StatusNoContent, nil, nil
	}
	if err != nil {
		return 0, nil, err
	}
	return 200, viewAssignment(d), nil
}
