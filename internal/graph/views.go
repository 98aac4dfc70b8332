package graph

import (
	"encoding/base64"
	"time"

	"github.com/gatehouse/gatehouse/internal/directory"
)

const timeFmt = "2006-01-02T15:04:05Z"

func ts(t time.Time) string { return t.UTC().Format(timeFmt) }

type passwordView struct {
	CustomKeyIdentifier *string `json:"customKeyIdentifier"`
	DisplayName         string  `json:"displayName"`
	EndDateTime         string  `json:"endDateTime"`
	Hint                string  `json:"hint"`
	KeyID               string  `json:"keyId"`
	SecretText          *string `json:"secretText"`
	StartDateTime       string  `json:"startDateTime"`
}

type keyView struct {
	CustomKeyIdentifier string  `json:"customKeyIdentifier"`
	DisplayName         string  `json:"displayName"`
	EndDateTime         string  `json:"endDateTime"`
	Key                 *string `json:"key"`
	KeyID               string  `json:"keyId"`
	StartDateTime       string  `json:"startDateTime"`
	Type                string  `json:"type"`
	Usage               string  `json:"usage"`
}

type apiView struct {
	RequestedAccessTokenVersion *int  `json:"requestedAccessTokenVersion"`
	Oauth2PermissionScopes      []any `json:"oauth2PermissionScopes"`
}

type appView struct {
	ODataType           string              `json:"@odata.type,omitempty"`
	ID                  string              `json:"id"`
	AppID               string              `json:"appId"`
	DisplayName         string              `json:"displayName"`
	SignInAudience      string              `json:"signInAudience"`
	IdentifierURIs      []string            `json:"identifierUris"`
	API                 apiView             `json:"api"`
	AppRoles            []directory.AppRole `json:"appRoles"`
	PasswordCredentials []passwordView      `json:"passwordCredentials"`
	KeyCredentials      []keyView           `json:"keyCredentials"`
	PublisherDomain     string              `json:"publisherDomain"`
	CreatedDateTime     string              `json:"createdDateTime"`
	RequiredAccess      []any               `json:"requiredResourceAccess"`
}

func viewPassword(c directory.PasswordCredential, secret *string) passwordView {
	return passwordView{DisplayName: c.DisplayName, EndDateTime: ts(c.EndDateTime), Hint: c.Hint,
		KeyID: c.KeyID, SecretText: secret, StartDateTime: ts(c.StartDateTime)}
}

func viewApp(a *directory.Application, domain string) appView {
	v := appView{ID: a.ID, AppID: a.AppID, DisplayName: a.DisplayName, SignInAudience: a.SignInAudience,
		IdentifierURIs: a.IdentifierURIs, AppRoles: a.AppRoles, PublisherDomain: domain,
		API:             apiView{RequestedAccessTokenVersion: a.API.RequestedAccessTokenVersion, Oauth2PermissionScopes: []any{}},
		CreatedDateTime: ts(a.CreatedAt), RequiredAccess: []any{},
		PasswordCredentials: []passwordView{}, KeyCredentials: []keyView{}}
	for _, c := range a.PasswordCredentials {
		v.PasswordCredentials = append(v.PasswordCredentials, viewPassword(c, nil))
	}
	for _, k := range a.KeyCredentials {
		v.KeyCredentials = append(v.KeyCredentials, keyView{CustomKeyIdentifier: base64.StdEncoding.EncodeToString(k.SHA1),
			DisplayName: k.DisplayName, EndDateTime: ts(k.EndDateTime), KeyID: k.KeyID,
			StartDateTime: ts(k.StartDateTime), Type: k.Type, Usage: k.Usage})
	}
	return v
}

type spView struct {
	ODataType              string              `json:"@odata.type,omitempty"`
	ID                     string              `json:"id"`
	AppID                  string              `json:"appId"`
	AppDisplayName         string              `json:"appDisplayName"`
	DisplayName            string              `json:"displayName"`
	AccountEnabled         bool                `json:"accountEnabled"`
	AppOwnerOrganizationID string              `json:"appOwnerOrganizationId"`
	ServicePrincipalType   string              `json:"servicePrincipalType"`
	ServicePrincipalNames  []string            `json:"servicePrincipalNames"`
	AppRoles               []directory.AppRole `json:"appRoles"`
	CreatedDateTime        string              `json:"createdDateTime,omitempty"`
}

func viewSP(s *directory.ServicePrincipal) spView {
	return spView{ID: s.ID, AppID: s.AppID, AppDisplayName: s.DisplayName, DisplayName: s.DisplayName,
		AccountEnabled: s.AccountEnabled, AppOwnerOrganizationID: s.AppOwnerTenantID,
		ServicePrincipalType: s.ServicePrincipalType, ServicePrincipalNames: s.ServicePrincipalNames,
		AppRoles: s.AppRoles, CreatedDateTime: ts(s.CreatedAt)}
}

type userView struct {
	ODataType         string  `json:"@odata.type,omitempty"`
	ID                string  `json:"id"`
	UserPrincipalName string  `json:"userPrincipalName"`
	DisplayName       string  `json:"displayName"`
	Mail              *string `json:"mail"`
	AccountEnabled    bool    `json:"accountEnabled"`
	CreatedDateTime   string  `json:"createdDateTime"`
}

func viewUser(u *directory.User) userView {
	v := userView{ID: u.ID, UserPrincipalName: u.UserPrincipalName, DisplayName: u.DisplayName,
		AccountEnabled: u.AccountEnabled, CreatedDateTime: ts(u.CreatedAt)}
	if u.Mail != "" {
		v.Mail = &u.Mail
	}
	return v
}

type groupView struct {
	ODataType       string `json:"@odata.type,omitempty"`
	ID              string `json:"id"`
	DisplayName     string `json:"displayName"`
	MailNickname    string `json:"mailNickname"`
	Description     string `json:"description,omitempty"`
	SecurityEnabled bool   `json:"securityEnabled"`
	MailEnabled     bool   `json:"mailEnabled"`
	CreatedDateTime string `json:"createdDateTime"`
}

func viewGroup(g *directory.Group) groupView {
	return groupView{ID: g.ID, DisplayName: g.DisplayName, MailNickname: g.MailNickname,
		Description: g.Description, SecurityEnabled: g.SecurityEnabled, CreatedDateTime: ts(g.CreatedAt)}
}

type appRoleAssignmentView struct {
	ID                   string `json:"id"`
	AppRoleID            string `json:"appRoleId"`
	PrincipalID          string `json:"principalId"`
	PrincipalType        string `json:"principalType"`
	PrincipalDisplayName string `json:"principalDisplayName"`
	ResourceID           string `json:"resourceId"`
	ResourceDisplayName  string `json:"resourceDisplayName"`
	CreatedDateTime      string `json:"createdDateTime"`
}

func viewAppRoleAssignment(a *directory.AppRoleAssignment) appRoleAssignmentView {
	return appRoleAssignmentView{ID: a.ID, AppRoleID: a.AppRoleID, PrincipalID: a.PrincipalID,
		PrincipalType: a.PrincipalType, PrincipalDisplayName: a.PrincipalDisplayName, ResourceID: a.ResourceID,
		ResourceDisplayName: a.ResourceDisplayName, CreatedDateTime: ts(a.CreatedAt)}
}
