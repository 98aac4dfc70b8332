package directory

import (
	"strings"

	"github.com/gatehouse/gatehouse/internal/store"
)

// Store kinds of the directory.
const (
	KindTenant            store.Kind = "tenant"
	KindUser              store.Kind = "user"
	KindGroup             store.Kind = "group"
	KindMembership        store.Kind = "membership"
	KindApplication       store.Kind = "application"
	KindServicePrincipal  store.Kind = "servicePrincipal"
	KindAppRoleAssignment store.Kind = "appRoleAssignment"
)

// NormalizeName folds a resource identifier (URI or appId) for lookups:
// Entra matches identifier URIs case-insensitively and with or without a
// trailing slash (ARM is known as both https://management.azure.com and
// https://management.azure.com/).
func NormalizeName(s string) string {
	return strings.TrimRight(strings.ToLower(strings.TrimSpace(s)), "/")
}

func tenantKey(tid, prefix, v string) string {
	return prefix + ":" + strings.ToLower(tid) + ":" + v
}

func (t *Tenant) StoreKind() store.Kind { return KindTenant }
func (t *Tenant) StoreID() string       { return t.ID }
func (t *Tenant) StoreTenant() string   { return t.ID }
func (t *Tenant) StoreRefs() []string   { return nil }
func (t *Tenant) StoreKeys() []string {
	keys := make([]string, 0, len(t.Domains))
	for _, d := range t.Domains {
		keys = append(keys, "domain:"+strings.ToLower(d))
	}
	return keys
}

func (u *User) StoreKind() store.Kind { return KindUser }
func (u *User) StoreID() string       { return u.ID }
func (u *User) StoreTenant() string   { return u.TenantID }
func (u *User) StoreRefs() []string   { return nil }
func (u *User) StoreKeys() []string {
	return []string{tenantKey(u.TenantID, "upn", strings.ToLower(u.UserPrincipalName))}
}

func (g *Group) StoreKind() store.Kind { return KindGroup }
func (g *Group) StoreID() string       { return g.ID }
func (g *Group) StoreTenant() string   { return g.TenantID }
func (g *Group) StoreKeys() []string   { return nil }
func (g *Group) StoreRefs() []string   { return nil }

func membershipID(groupID, memberID string) string { return groupID + ":" + memberID }

func (m *Membership) StoreKind() store.Kind { return KindMembership }
func (m *Membership) StoreID() string       { return membershipID(m.GroupID, m.MemberID) }
func (m *Membership) StoreTenant() string   { return m.TenantID }
func (m *Membership) StoreKeys() []string   { return nil }
func (m *Membership) StoreRefs() []string {
	return []string{"group:" + m.GroupID, "member:" + m.MemberID}
}

func (a *Application) StoreKind() store.Kind { return KindApplication }
func (a *Application) StoreID() string       { return a.ID }
func (a *Application) StoreTenant() string   { return a.TenantID }
func (a *Application) StoreRefs() []string   { return nil }
func (a *Application) StoreKeys() []string {
	keys := []string{"appid:" + a.AppID}
	for _, u := range a.IdentifierURIs {
		keys = append(keys, tenantKey(a.TenantID, "uri", NormalizeName(u)))
	}
	return keys
}

func (s *ServicePrincipal) StoreKind() store.Kind { return KindServicePrincipal }
func (s *ServicePrincipal) StoreID() string       { return s.ID }
func (s *ServicePrincipal) StoreTenant() string   { return s.TenantID }
func (s *ServicePrincipal) StoreRefs() []string   { return []string{"app:" + s.AppID} }
func (s *ServicePrincipal) StoreKeys() []string {
	keys := []string{tenantKey(s.TenantID, "appid", s.AppID)}
	seen := map[string]bool{}
	for _, n := range s.ServicePrincipalNames {
		k := tenantKey(s.TenantID, "spn", NormalizeName(n))
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	return keys
}

func (r *AppRoleAssignment) StoreKind() store.Kind { return KindAppRoleAssignment }
func (r *AppRoleAssignment) StoreID() string       { return r.ID }
func (r *AppRoleAssignment) StoreTenant() string   { return r.TenantID }
func (r *AppRoleAssignment) StoreKeys() []string {
	return []string{"grant:" + r.PrincipalID + ":" + r.ResourceID + ":" + r.AppRoleID}
}
func (r *AppRoleAssignment) StoreRefs() []string {
	return []string{"principal:" + r.PrincipalID, "resource:" + r.ResourceID}
}

// ParseMembershipID splits a membership's store id into its group and
// member, for consumers that learn of a deleted one by id alone.
func ParseMembershipID(id string) (group, member string, ok bool) {
	return strings.Cut(id, ":")
}
