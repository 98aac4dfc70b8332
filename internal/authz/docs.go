// Package authz keeps gatehouse's authorization state — custom roles, role
// and deny assignments, group memberships and the scope hierarchy — in the
// store, and serves decisions from an rbac.Snapshot compiled from it. The
// snapshot follows the store's revision, so a change is decided on by the
// very next request.
package authz

import (
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/fold"
	"github.com/gatehouse/gatehouse/internal/rbac"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Store kinds of the authorization state.
const (
	KindRoleDefinition store.Kind = "roleDefinition"
	KindRoleAssignment store.Kind = "roleAssignment"
	KindDenyAssignment store.Kind = "denyAssignment"
	// KindScopeParent records a subscription's or management group's parent
	// management group (what an ARM ID cannot tell).
	KindScopeParent store.Kind = "scopeParent"
)

// Audit is ARM's read-only bookkeeping on authorization objects.
type Audit struct {
	CreatedOn time.Time `json:"createdOn"`
	UpdatedOn time.Time `json:"updatedOn"`
	CreatedBy string    `json:"createdBy"`
	UpdatedBy string    `json:"updatedBy"`
}

// RoleDefinitionDoc is a stored custom role.
type RoleDefinitionDoc struct {
	rbac.RoleDefinition
	TenantID string `json:"tenantId"`
	// Scope is where it was created (its ARM id prefix).
	Scope string `json:"scope"`
	Audit
}

func (d *RoleDefinitionDoc) StoreKind() store.Kind { return KindRoleDefinition }
func (d *RoleDefinitionDoc) StoreID() string       { return DocID(d.TenantID, d.ID) }
func (d *RoleDefinitionDoc) StoreTenant() string   { return d.TenantID }
func (d *RoleDefinitionDoc) StoreRefs() []string   { return nil }
func (d *RoleDefinitionDoc) StoreKeys() []string {
	// Role names are unique per tenant, as in Azure.
	return []string{"name:" + fold.String(d.TenantID) + ":" + fold.String(d.RoleName)}
}

// RoleAssignmentDoc is a stored role assignment. Scope is normalised with
// rbac.NormalizeScope-compatible case folding only in keys and refs; the
// document keeps the scope as the client wrote it.
type RoleAssignmentDoc struct {
	rbac.RoleAssignment
	TenantID string `json:"tenantId"`
	Audit
}

func (d *RoleAssignmentDoc) StoreKind() store.Kind { return KindRoleAssignment }
func (d *RoleAssignmentDoc) StoreID() string       { return DocID(d.TenantID, d.Name) }
func (d *RoleAssignmentDoc) StoreTenant() string   { return d.TenantID }
func (d *RoleAssignmentDoc) StoreKeys() []string {
	// One assignment per (scope, role, principal): a second one under
	// another name is RoleAssignmentExists.
	return []string{"triple:" + ScopeKey(d.TenantID, d.Scope) + "|" + RoleGUID(d.RoleDefinitionID) + "|" + fold.String(d.PrincipalID)}
}
func (d *RoleAssignmentDoc) StoreRefs() []string {
	scope := ScopeKey(d.TenantID, d.Scope)
	refs := []string{"scope:" + scope, "principal:" + fold.String(d.PrincipalID), RoleRef(d.TenantID, RoleGUID(d.RoleDefinitionID))}
	for _, a := range rbac.PathAncestors(scope) {
		refs = append(refs, UnderRef(a))
	}
	return refs
}

// UnderRef finds the assignments below a scope its ID names (a resource
// group's, a subscription's): deleting a resource or listing below it reads
// those, not the tenant.
func UnderRef(scopeKey string) string { return "under:" + scopeKey }

// DenyAssignmentDoc is a stored deny assignment (created from
// configuration only, as Azure lets no user create one).
type DenyAssignmentDoc struct {
	rbac.DenyAssignment
	TenantID          string `json:"tenantId"`
	Description       string `json:"description,omitempty"`
	IsSystemProtected bool   `json:"isSystemProtected"`
}

func (d *DenyAssignmentDoc) StoreKind() store.Kind { return KindDenyAssignment }
func (d *DenyAssignmentDoc) StoreID() string       { return DocID(d.TenantID, d.Name) }
func (d *DenyAssignmentDoc) StoreTenant() string   { return d.TenantID }
func (d *DenyAssignmentDoc) StoreKeys() []string   { return nil }
func (d *DenyAssignmentDoc) StoreRefs() []string {
	return []string{"scope:" + ScopeKey(d.TenantID, d.Scope)}
}

// ScopeParent says that Child's parent scope is Parent: a management group,
// or "/" (the tenant's root) for a subscription placed at the root. Every
// subscription has one: it is what puts the subscription in its tenant.
type ScopeParent struct {
	Child    string `json:"child"`
	Parent   string `json:"parent"`
	TenantID string `json:"tenantId"`
}

func (p *ScopeParent) StoreKind() store.Kind { return KindScopeParent }
func (p *ScopeParent) StoreID() string       { return ScopeKey(p.TenantID, p.Child) }
func (p *ScopeParent) StoreTenant() string   { return p.TenantID }
func (p *ScopeParent) StoreKeys() []string   { return nil }
func (p *ScopeParent) StoreRefs() []string {
	return []string{"parent:" + ScopeKey(p.TenantID, p.Parent)}
}

// ScopeKey is a scope as tenant sees it, folded: the store's key for it
// and the engine's scope (rbac.TenantScope), one function for both. "/"
// and management groups are the tenant's own; subscriptions are global.
func ScopeKey(tenant, scope string) string { return rbac.TenantScope(tenant, scope) }

// RoleRef is the ref by which a role's assignments are found.
func RoleRef(tenant, guid string) string { return "role:" + DocID(tenant, guid) }

// DocID is the store id of an object Azure keeps per tenant by name: two
// tenants may use the same GUID for two different objects.
func DocID(tenant, name string) string { return rbac.TenantKey(tenant, name) }

// RoleGUID is the last segment of a role definition id (or the id itself).
func RoleGUID(id string) string {
	id = strings.TrimRight(id, "/")
	return fold.String(id[strings.LastIndexByte(id, '/')+1:])
}
