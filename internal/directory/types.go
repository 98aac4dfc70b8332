// Package directory is gatehouse's Entra ID directory: tenants, users,
// groups, applications, service principals and app role assignments, kept as
// JSON documents in the store.
package directory

import "time"

// Tenant is an Entra tenant: a GUID plus its verified domain names.
type Tenant struct {
	ID          string    `json:"id"`
	DisplayName string    `json:"displayName"`
	Domains     []string  `json:"domains"` // first is the default domain
	CreatedAt   time.Time `json:"createdDateTime"`
}

// DefaultDomain is the tenant's primary domain name.
func (t *Tenant) DefaultDomain() string {
	if len(t.Domains) == 0 {
		return ""
	}
	return t.Domains[0]
}

// User is a member of a tenant who signs in with a password.
type User struct {
	ID                string    `json:"id"`
	TenantID          string    `json:"tenantId"`
	UserPrincipalName string    `json:"userPrincipalName"`
	DisplayName       string    `json:"displayName"`
	Mail              string    `json:"mail,omitempty"`
	AccountEnabled    bool      `json:"accountEnabled"`
	PasswordHash      string    `json:"passwordHash,omitempty"`
	CreatedAt         time.Time `json:"createdDateTime"`
}

// Group is a security group. Members are users, service principals and groups.
type Group struct {
	ID              string    `json:"id"`
	TenantID        string    `json:"tenantId"`
	DisplayName     string    `json:"displayName"`
	MailNickname    string    `json:"mailNickname,omitempty"`
	Description     string    `json:"description,omitempty"`
	SecurityEnabled bool      `json:"securityEnabled"`
	CreatedAt       time.Time `json:"createdDateTime"`
}

// Member object types, as Graph names them in @odata.type.
const (
	TypeUser             = "user"
	TypeGroup            = "group"
	TypeServicePrincipal = "servicePrincipal"
)

// Membership is one direct edge group → member.
type Membership struct {
	TenantID   string `json:"tenantId"`
	GroupID    string `json:"groupId"`
	MemberID   string `json:"memberId"`
	MemberType string `json:"memberType"`
}

// AppRole is a role an application defines for callers (the `roles` claim).
type AppRole struct {
	ID                 string   `json:"id"`
	Value              string   `json:"value"`
	DisplayName        string   `json:"displayName"`
	Description        string   `json:"description,omitempty"`
	AllowedMemberTypes []string `json:"allowedMemberTypes"`
	IsEnabled          bool     `json:"isEnabled"`
}

// PasswordCredential is a client secret. Only a keyed digest is kept.
type PasswordCredential struct {
	KeyID         string    `json:"keyId"`
	DisplayName   string    `json:"displayName,omitempty"`
	Hint          string    `json:"hint"`
	StartDateTime time.Time `json:"startDateTime"`
	EndDateTime   time.Time `json:"endDateTime"`
	Digest        []byte    `json:"digest"`
}

// KeyCredential is a certificate the application proves possession of.
type KeyCredential struct {
	KeyID         string    `json:"keyId"`
	DisplayName   string    `json:"displayName,omitempty"`
	Type          string    `json:"type"`  // AsymmetricX509Cert
	Usage         string    `json:"usage"` // Verify
	Key           []byte    `json:"key"`   // DER certificate
	StartDateTime time.Time `json:"startDateTime"`
	EndDateTime   time.Time `json:"endDateTime"`
	// SHA1 and SHA256 are the certificate thumbprints, raw bytes.
	SHA1   []byte `json:"sha1"`
	SHA256 []byte `json:"sha256"`
}

// APIApplication is the `api` facet of an application.
type APIApplication struct {
	// RequestedAccessTokenVersion picks the token format for this resource:
	// nil or 1 → v1, 2 → v2 (Entra's rule).
	RequestedAccessTokenVersion *int `json:"requestedAccessTokenVersion"`
}

// Application is an app registration, living in its home tenant.
type Application struct {
	ID                  string               `json:"id"`
	AppID               string               `json:"appId"`
	TenantID            string               `json:"tenantId"`
	DisplayName         string               `json:"displayName"`
	SignInAudience      string               `json:"signInAudience"`
	IdentifierURIs      []string             `json:"identifierUris"`
	API                 APIApplication       `json:"api"`
	AppRoles            []AppRole            `json:"appRoles"`
	PasswordCredentials []PasswordCredential `json:"passwordCredentials"`
	KeyCredentials      []KeyCredential      `json:"keyCredentials"`
	CreatedAt           time.Time            `json:"createdDateTime"`
}

// TokenVersion is the access-token version issued for this app as a resource.
func (a *Application) TokenVersion() int {
	if v := a.API.RequestedAccessTokenVersion; v != nil && *v == 2 {
		return 2
	}
	return 1
}

// Service principal types.
const (
	SPApplication     = "Application"
	SPManagedIdentity = "ManagedIdentity"
)

// ServicePrincipal is an application's identity in one tenant. Its ID (the
// object id, the `oid` of app tokens) is never the appId.
type ServicePrincipal struct {
	ID                    string    `json:"id"`
	AppID                 string    `json:"appId"`
	TenantID              string    `json:"tenantId"`
	DisplayName           string    `json:"displayName"`
	ServicePrincipalType  string    `json:"servicePrincipalType"`
	ServicePrincipalNames []string  `json:"servicePrincipalNames"`
	AccountEnabled        bool      `json:"accountEnabled"`
	AppOwnerTenantID      string    `json:"appOwnerOrganizationId"`
	AppRoles              []AppRole `json:"appRoles"`
	// TokenVersion is the resource's access-token version (1 or 2); copied
	// from the application, or fixed for Microsoft's well-known resources.
	TokenVersion int       `json:"tokenVersion"`
	CreatedAt    time.Time `json:"createdDateTime"`
}

// AppRoleAssignment grants an app role of a resource to a principal.
type AppRoleAssignment struct {
	ID                   string    `json:"id"`
	TenantID             string    `json:"tenantId"`
	AppRoleID            string    `json:"appRoleId"`
	PrincipalID          string    `json:"principalId"`
	PrincipalType        string    `json:"principalType"` // User, Group, ServicePrincipal
	PrincipalDisplayName string    `json:"principalDisplayName"`
	ResourceID           string    `json:"resourceId"`
	ResourceDisplayName  string    `json:"resourceDisplayName"`
	CreatedAt            time.Time `json:"createdDateTime"`
}
