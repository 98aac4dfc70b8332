package arm

import (
	"errors"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/armid"
	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/directory"
	"github.com/gatehouse/gatehouse/internal/fold"
	"github.com/gatehouse/gatehouse/internal/rbac"
	"github.com/gatehouse/gatehouse/internal/store"
)

type roleDefinitionView struct {
	ID         string              `json:"id"`
	Type       string              `json:"type"`
	Name       string              `json:"name"`
	Properties roleDefinitionProps `json:"properties"`
}

type roleDefinitionProps struct {
	RoleName         string            `json:"roleName"`
	Type             string            `json:"type"`
	Description      string            `json:"description"`
	AssignableScopes []string          `json:"assignableScopes"`
	Permissions      []rbac.Permission `json:"permissions"`
	CreatedOn        string            `json:"createdOn,omitempty"`
	UpdatedOn        string            `json:"updatedOn,omitempty"`
	CreatedBy        *string           `json:"createdBy"`
	UpdatedBy        *string           `json:"updatedBy"`
}

func viewRoleDefinition(scope string, r rbac.RoleDefinition, audit *authz.Audit) roleDefinitionView {
	v := roleDefinitionView{ID: roleDefinitionID(scope, r.ID), Type: typeRoleDefinition, Name: r.ID,
		Properties: roleDefinitionProps{RoleName: r.RoleName, Type: r.Type, Description: r.Description,
			AssignableScopes: r.AssignableScopes, Permissions: wirePermissions(r.Permissions)}}
	if audit != nil {
		ts := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.0000000Z") }
		v.Properties.CreatedOn, v.Properties.UpdatedOn = ts(audit.CreatedOn), ts(audit.UpdatedOn)
		v.Properties.CreatedBy, v.Properties.UpdatedBy = optional(audit.CreatedBy), optional(audit.UpdatedBy)
	}
	return v
}

func errRoleDefinitionNotFound(id string) *Error {
	return armErr(404, "RoleDefinitionDoesNotExist", "The specified role definition with ID '%s' does not exist.", id)
}

// roleByKey finds a built-in or custom role by GUID or name (either of a
// renamed role's names).
func (s *Service) roleByKey(c *call, key string) (*rbac.RoleDefinition, *authz.RoleDefinitionDoc, error) {
	snap, err := s.az.Snapshot(c.ctx)
	if err != nil {
		return nil, nil, err
	}
	guid := authz.RoleGUID(key)
	r, ok := snap.Role(c.p.TenantID, guid)
	if !ok {
		r, ok = snap.Role(c.p.TenantID, key)
	}
	if !ok {
		return nil, nil, errRoleDefinitionNotFound(guid)
	}
	if r.Type == rbac.BuiltInRole {
		return &r, nil, nil
	}
	doc, err := store.GetDoc[authz.RoleDefinitionDoc](c.ctx, s.st, authz.KindRoleDefinition, authz.DocID(c.p.TenantID, r.ID))
	if store.IsNotFound(err) {
		return &r, nil, nil
	}
	return &r, doc, err
}

// assignableRole finds the role of a new assignment and checks it may be
// assigned at scope.
func (s *Service) assignableRole(c *call, roleID, scope string) (*rbac.RoleDefinition, error) {
	r, _, err := s.roleByKey(c, roleID)
	if err != nil {
		return nil, err
	}
	ok, err := s.assignableAt(c, r, scope)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errBadRequest("RoleDefinitionNotAssignableAtScope", "The role definition '%s' (%s) is not assignable at scope '%s': its assignable scopes are %v.", r.RoleName, r.ID, scope, r.AssignableScopes)
	}
	if isManagementGroup(scope) && r.Type == rbac.CustomRole && hasDataActions(r) {
		return nil, errBadRequest("RoleDefinitionNotAssignableAtScope", "Custom roles with data actions cannot be assigned at management group scope.")
	}
	return r, nil
}

// assignableAt reports whether r may be assigned at scope: one of its
// assignable scopes is the scope or above it (management groups included),
// as the engine checks when it decides.
func (s *Service) assignableAt(c *call, r *rbac.RoleDefinition, scope string) (bool, error) {
	above, err := s.ancestorKeys(c, scope)
	if err != nil {
		return false, err
	}
	for _, a := range r.AssignableScopes {
		if authz.ScopeKey("", a) == "/" || above[c.key(a)] {
			return true, nil
		}
	}
	return false, nil
}

func isManagementGroup(scope string) bool {
	id, err := armid.Parse(scope)
	return err == nil && id != nil && fold.Equal(id.ResourceType, armid.ManagementGroupType)
}

func hasDataActions(r *rbac.RoleDefinition) bool {
	for _, p := range r.Permissions {
		if len(p.DataActions) > 0 {
			return true
		}
	}
	return false
}

func (s *Service) getRoleDefinition(c *call) (int, any, error) {
	r, doc, err := s.roleByKey(c, c.op.id.Name)
	if err != nil {
		return 0, nil, err
	}
	var audit *authz.Audit
	if doc != nil {
		audit = &doc.Audit
	}
	return 200, viewRoleDefinition(scopeString(c.op.id.Scope()), *r, audit), nil
}

var (
	filterRoleName = regexp.MustCompile(`(?i)^roleName\s+eq\s+'((?:[^']|'')*)'$`)
	filterRoleType = regexp.MustCompile(`(?i)^type\s+eq\s+'([^']*)'$`)
)

// listRoleDefinitions lists the roles usable at the scope: built-ins and
// custom roles assignable at the scope or above (or below with
// atScopeAndBelow()), filtered by roleName or type.
func (s *Service) listRoleDefinitions(c *call) (int, any, error) {
	scope := scopeString(c.op.id)
	name, typ, below := "", "", false
	if f := strings.TrimSpace(c.r.URL.Query().Get("$filter")); f != "" {
		for _, part := range regexp.MustCompile(`(?i)\s+and\s+`).Split(f, -1) {
			switch {
			case filterRoleName.MatchString(part):
				name = strings.ReplaceAll(filterRoleName.FindStringSubmatch(part)[1], "''", "'")
			case filterRoleType.MatchString(part):
				typ = filterRoleType.FindStringSubmatch(part)[1]
			case fold.Equal(part, "atScopeAndBelow()"):
				below = true
			default:
				return 0, nil, errBadRequest("UnsupportedQuery", "The filter '%s' is not supported. Supported filters are roleName eq '{name}', type eq '{type}' and atScopeAndBelow().", f)
			}
		}
	}
	snap, err := s.az.Snapshot(c.ctx)
	if err != nil {
		return 0, nil, err
	}
	out := []roleDefinitionView{}
	above, err := s.ancestorKeys(c, scope)
	if err != nil {
		return 0, nil, err
	}
	for _, r := range snap.Roles(c.p.TenantID) {
		if (name != "" && !roleNamed(&r, name)) || (typ != "" && !fold.Equal(r.Type, typ)) {
			continue
		}
		if r.Type == rbac.CustomRole && !anyIn(c, r.AssignableScopes, above) && !(below && assignableBelow(c, &r, scope)) {
			continue
		}
		out = append(out, viewRoleDefinition(scope, r, nil))
	}
	return 200, list{Value: out}, nil
}

func roleNamed(r *rbac.RoleDefinition, name string) bool {
	if fold.Equal(r.RoleName, name) {
		return true
	}
	for _, a := range r.Aliases {
		if fold.Equal(a, name) {
			return true
		}
	}
	return false
}

func anyIn(c *call, scopes []string, set map[string]bool) bool {
	for _, sc := range scopes {
		if set[c.key(sc)] {
			return true
		}
	}
	return false
}

func assignableBelow(c *call, r *rbac.RoleDefinition, scope string) bool {
	k := c.key(scope)
	for _, a := range r.AssignableScopes {
		if strings.HasPrefix(c.key(a), k+"/") || k == c.key("/") {
			return true
		}
	}
	return false
}

type roleDefinitionInput struct {
	Properties struct {
		RoleName         string            `json:"roleName"`
		Description      string            `json:"description"`
		Type             string            `json:"type"`
		Permissions      []rbac.Permission `json:"permissions"`
		AssignableScopes []string          `json:"assignableScopes"`
	} `json:"properties"`
}

// putRoleDefinition creates or updates a custom role. A write is checked
// against what it replaces and what it creates: updating a role widens
// every assignment of it, so the caller needs roleDefinitions/write at
// every assignable scope the role had and every one it will have.
func (s *Service) putRoleDefinition(c *call) (int, any, error) {
	doc, err := s.validateRoleDefinition(c)
	if err != nil {
		return 0, nil, err
	}
	prevRec, err := s.st.Get(c.ctx, authz.KindRoleDefinition, doc.StoreID())
	var prev *authz.RoleDefinitionDoc
	switch {
	case err == nil:
		if prev, err = store.Decode[authz.RoleDefinitionDoc](prevRec); err != nil {
			return 0, nil, err
		}
	case !store.IsNotFound(err):
		return 0, nil, err
	}
	scopes := doc.AssignableScopes
	if prev != nil {
		scopes = append(slices.Clone(prev.AssignableScopes), scopes...)
	}
	for _, sc := range scopes {
		if err := s.authorize(c, "Microsoft.Authorization/roleDefinitions/write", sc, nil); err != nil {
			return 0, nil, err
		}
	}
	rec, err := store.ToRecord(doc)
	if err != nil {
		return 0, nil, err
	}
	err = s.st.Update(c.ctx, func(tx store.Tx) error {
		if prev == nil {
			_, err := tx.Create(c.ctx, rec)
			return err
		}
		// Still 201: the REST spec (and so the SDKs) allow nothing else.
		doc.CreatedOn, doc.CreatedBy = prev.CreatedOn, prev.CreatedBy
		if rec, err = store.ToRecord(doc); err != nil {
			return err
		}
		rec.Version = prevRec.Version // what was authorized is what is replaced
		_, err := tx.Put(c.ctx, rec)
		return err
	})
	switch {
	case errors.Is(err, store.ErrStale) || prev == nil && errors.Is(err, store.ErrConflict) && s.roleExists(c, doc):
		return 0, nil, armErr(409, "Conflict", "The role definition '%s' was changed by another request; try again.", doc.ID)
	case errors.Is(err, store.ErrConflict):
		return 0, nil, armErr(409, "RoleDefinitionWithSameNameExists", "A custom role with the same name '%s' already exists in this directory. Use a different name.", doc.RoleName)
	case err != nil:
		return 0, nil, err
	}
	return http.StatusCreated, viewRoleDefinition(doc.Scope, doc.RoleDefinition, &doc.Audit), nil
}

func (s *Service) roleExists(c *call, doc *authz.RoleDefinitionDoc) bool {
	_, err := s.st.Get(c.ctx, authz.KindRoleDefinition, doc.StoreID())
	return err == nil
}

func (s *Service) validateRoleDefinition(c *call) (*authz.RoleDefinitionDoc, error) {
	guid := fold.String(c.op.id.Name)
	if !directory.IsGUID(guid) {
		return nil, errBadRequest("InvalidRoleDefinitionId", "The role definition ID '%s' is not valid. The role definition ID must be a GUID.", c.op.id.Name)
	}
	for _, b := range rbac.BuiltinRoles() {
		if b.ID == guid {
			return nil, errBadRequest("RoleDefinitionUpdateNotPermitted", "Built-in role '%s' cannot be changed.", b.RoleName)
		}
	}
	var in roleDefinitionInput
	if err := c.decodeBody(&in); err != nil {
		return nil, err
	}
	p := in.Properties
	if strings.TrimSpace(p.RoleName) == "" || len(p.RoleName) > 512 {
		return nil, errBadRequest("InvalidRoleDefinition", "The role name is required and must be at most 512 characters.")
	}
	if p.Type != "" && !fold.Equal(p.Type, rbac.CustomRole) {
		return nil, errBadRequest("InvalidRoleDefinition", "Only custom roles (type 'CustomRole') can be created.")
	}
	if err := validateAssignableScopes(p.AssignableScopes, p.Permissions); err != nil {
		return nil, err
	}
	if err := s.requireAssignableScopes(c, p.AssignableScopes); err != nil {
		return nil, err
	}
	if err := validatePermissions(p.Permissions); err != nil {
		return nil, err
	}
	t := time.Now().UTC()
	def := rbac.RoleDefinition{ID: guid, RoleName: p.RoleName, Description: p.Description, Type: rbac.CustomRole,
		Permissions: p.Permissions, AssignableScopes: p.AssignableScopes}
	if _, err := rbac.Compile(rbac.Input{Roles: []rbac.RoleDefinition{def}}); err != nil { // reports what would be skipped
		return nil, errBadRequest("InvalidRoleDefinition", "The role definition is invalid: %v", err)
	}
	return &authz.RoleDefinitionDoc{RoleDefinition: def, TenantID: c.p.TenantID, Scope: scopeString(c.op.id.Scope()),
		Audit: authz.Audit{CreatedOn: t, UpdatedOn: t, CreatedBy: c.p.ObjectID, UpdatedBy: c.p.ObjectID}}, nil
}

// requireAssignableScopes refuses an assignable scope that is not an
// existing scope of the caller's tenant: a role could otherwise be aimed
// at another tenant's subscription.
func (s *Service) requireAssignableScopes(c *call, scopes []string) error {
	for _, sc := range scopes {
		id, err := armid.Parse(sc)
		if err != nil {
			continue // validateAssignableScopes reports it
		}
		if id.SubscriptionID != "" {
			if owner, err := subscriptionTenant(c.ctx, s.st, id.SubscriptionID); err != nil || !fold.Equal(owner, c.p.TenantID) {
				return errBadRequest("InvalidAssignableScope", "The assignable scope '%s' is not a scope of this tenant.", sc)
			}
		}
		if _, err := getResource(c.ctx, s.st, c.p.TenantID, id.String()); store.IsNotFound(err) {
			return errBadRequest("InvalidAssignableScope", "The assignable scope '%s' does not exist in this tenant.", sc)
		} else if err != nil {
			return err
		}
	}
	return nil
}

func validateAssignableScopes(scopes []string, perms []rbac.Permission) error {
	if len(scopes) == 0 {
		return errBadRequest("InvalidRoleDefinition", "At least one assignable scope is required.")
	}
	mgs := 0
	for _, sc := range scopes {
		id, err := armid.Parse(sc)
		if err != nil || id == nil || authz.ScopeKey("", sc) == "/" {
			return errBadRequest("InvalidAssignableScope", "The assignable scope '%s' is not valid: custom roles are assignable at management groups, subscriptions, resource groups or resources.", sc)
		}
		if fold.Equal(id.ResourceType, armid.ManagementGroupType) {
			mgs++
		}
	}
	if mgs > 1 {
		return errBadRequest("InvalidAssignableScope", "A custom role can have at most one management group among its assignable scopes.")
	}
	if mgs > 0 {
		for _, p := range perms {
			if len(p.DataActions) > 0 {
				return errBadRequest("InvalidAssignableScope", "Custom roles with data actions cannot be assignable at management group scope.")
			}
		}
	}
	return nil
}

// actionPattern is the character set of an action pattern.
var actionPattern = regexp.MustCompile(`^[A-Za-z0-9.*/_-]{1,512}$`)

func validatePermissions(perms []rbac.Permission) error {
	if len(perms) == 0 {
		return errBadRequest("InvalidRoleDefinition", "At least one permission block is required.")
	}
	for _, p := range perms {
		for _, list := range [][]string{p.Actions, p.NotActions, p.DataActions, p.NotDataActions} {
			for _, a := range list {
				if !actionPattern.MatchString(a) {
					return errBadRequest("InvalidActionOrNotAction", "'%s' is not a valid action pattern.", a)
				}
			}
		}
		if p.Condition != "" {
			if _, err := checkCondition(p.Condition, p.ConditionVersion); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Service) deleteRoleDefinition(c *call) (int, any, error) {
	doc, err := store.GetDoc[authz.RoleDefinitionDoc](c.ctx, s.st, authz.KindRoleDefinition, authz.DocID(c.p.TenantID, c.op.id.Name))
	if store.IsNotFound(err) {
		return http.StatusNoContent, nil, nil
	}
	if err != nil {
		return 0, nil, err
	}
	for _, sc := range doc.AssignableScopes {
		if err := s.authorize(c, "Microsoft.Authorization/roleDefinitions/delete", sc, nil); err != nil {
			return 0, nil, err
		}
	}
	err = s.st.Update(c.ctx, func(tx store.Tx) error {
		ras, err := tx.List(c.ctx, store.Query{Kind: authz.KindRoleAssignment, Ref: authz.RoleRef(doc.TenantID, doc.ID), Limit: 1})
		if err != nil {
			return err
		}
		if len(ras) > 0 {
			return armErr(409, "RoleDefinitionHasAssignments", "There are existing role assignments referencing role (code: RoleDefinitionHasAssignments).")
		}
		return tx.Delete(c.ctx, authz.KindRoleDefinition, doc.StoreID())
	})
	if err != nil {
		return 0, nil, err
	}
	return 200, viewRoleDefinition(doc.Scope, doc.RoleDefinition, &doc.Audit), nil
}

// wirePermissions renders absent lists as [], as ARM does.
func wirePermissions(ps []rbac.Permission) []rbac.Permission {
	out := make([]rbac.Permission, len(ps))
	for i, p := range ps {
		for _, l := range []*[]string{&p.Actions, &p.NotActions, &p.DataActions, &p.NotDataActions} {
			if *l == nil {
				*l = []string{}
			}
		}
		out[i] = p
	}
	return out
}
