// Package config reads the declarative start-up file of `gatehouse serve
// --config`: tenants with their users, groups and applications.
package config

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/gatehouse/gatehouse/internal/directory"
)

// File is the whole configuration.
type File struct {
	Tenants []Tenant `json:"tenants"`
}

// Tenant declares a tenant and what it holds.
type Tenant struct {
	ID           string        `json:"id,omitempty"`
	Domain       string        `json:"domain"`
	DisplayName  string        `json:"displayName,omitempty"`
	Users        []User        `json:"users,omitempty"`
	Groups       []Group       `json:"groups,omitempty"`
	Applications []Application `json:"applications,omitempty"`

	ManagementGroups []ManagementGroup `json:"managementGroups,omitempty"`
	Subscriptions    []Subscription    `json:"subscriptions,omitempty"`
	RoleAssignments  []RoleAssignment  `json:"roleAssignments,omitempty"`
	DenyAssignments  []DenyAssignment  `json:"denyAssignments,omitempty"`
}

// User declares a user.
type User struct {
	ID                string `json:"id,omitempty"`
	UserPrincipalName string `json:"userPrincipalName"`
	DisplayName       string `json:"displayName"`
	Password          string `json:"password,omitempty"`
	AccountEnabled    *bool  `json:"accountEnabled,omitempty"`
}

// Group declares a group; members name users (UPN), applications (appId or
// display name, meaning their service principal) or other groups (display
// name or id).
type Group struct {
	ID          string   `json:"id,omitempty"`
	DisplayName string   `json:"displayName"`
	Description string   `json:"description,omitempty"`
	Members     []string `json:"members,omitempty"`
}

// Application declares an app registration and its service principal.
type Application struct {
	AppID                       string              `json:"appId,omitempty"`
	DisplayName                 string              `json:"displayName"`
	IdentifierURIs              []string            `json:"identifierUris,omitempty"`
	RequestedAccessTokenVersion *int                `json:"requestedAccessTokenVersion,omitempty"`
	AppRoles                    []directory.AppRole `json:"appRoles,omitempty"`
	Secrets                     []Secret            `json:"secrets,omitempty"`
	Certificates                []Certificate       `json:"certificates,omitempty"`
	// ServicePrincipal creates the app's service principal (default true).
	ServicePrincipal *bool `json:"servicePrincipal,omitempty"`
	// AppRoleAssignments grant app roles of other resources to this app:
	// "{resource identifier or appId}/{role value}".
	AppRoleAssignments []string `json:"appRoleAssignments,omitempty"`
}

// Secret declares a client secret: given (Value) or generated once.
type Secret struct {
	DisplayName string     `json:"displayName"`
	Value       string     `json:"value,omitempty"`
	EndDateTime *time.Time `json:"endDateTime,omitempty"`
}

// Certificate declares a certificate credential, inline PEM or a file.
type Certificate struct {
	DisplayName string `json:"displayName,omitempty"`
	PEM         string `json:"pem,omitempty"`
	File        string `json:"file,omitempty"`
}

// Load reads and validates a configuration file; unknown fields are
// errors. Errors name the file, and the line and path where they can.
func Load(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	f, err := Parse(data)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.File = path
			return nil, e
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

// Parse reads and validates a configuration document. The strict check
// (check) reports mistakes with their position; the decoding itself stays
// with sigs.k8s.io/yaml, whose YAML-to-JSON rules the configuration has
// always followed.
func Parse(data []byte) (*File, error) {
	if err := check(data); err != nil {
		return nil, err
	}
	var f File
	if err := yaml.UnmarshalStrict(data, &f); err != nil {
		msg := strings.TrimPrefix(strings.TrimPrefix(err.Error(), "error unmarshaling JSON: "), "while decoding JSON: ")
		return nil, &Error{Msg: "invalid configuration: " + msg}
	}
	if err := f.Validate(); err != nil {
		return nil, locate(data, err)
	}
	return &f, nil
}

// Validate checks what can be checked without the directory.
func (f *File) Validate() error {
	for i, t := range f.Tenants {
		where := fmt.Sprintf("tenants[%d]", i)
		if t.Domain == "" {
			return fmt.Errorf("%s: domain is required", where)
		}
		if t.ID != "" && !directory.IsGUID(t.ID) {
			return fmt.Errorf("%s: id %q is not a GUID", where, t.ID)
		}
		if err := t.validate(where); err != nil {
			return err
		}
	}
	return nil
}

func (t *Tenant) validate(where string) error {
	if err := t.validateARM(where); err != nil {
		return err
	}
	for j, u := range t.Users {
		if u.UserPrincipalName == "" || u.DisplayName == "" {
			return fmt.Errorf("%s.users[%d]: userPrincipalName and displayName are required", where, j)
		}
	}
	for j, g := range t.Groups {
		if g.DisplayName == "" {
			return fmt.Errorf("%s.groups[%d]: displayName is required", where, j)
		}
	}
	for j, a := range t.Applications {
		w := fmt.Sprintf("%s.applications[%d]", where, j)
		if a.DisplayName == "" {
			return fmt.Errorf("%s: displayName is required", w)
		}
		if a.AppID != "" && !directory.IsGUID(a.AppID) {
			return fmt.Errorf("%s: appId %q is not a GUID", w, a.AppID)
		}
		if v := a.RequestedAccessTokenVersion; v != nil && *v != 1 && *v != 2 {
			return fmt.Errorf("%s: requestedAccessTokenVersion must be 1, 2 or null, not %d", w, *v)
		}
		for k, s := range a.Secrets {
			if s.DisplayName == "" {
				return fmt.Errorf("%s.secrets[%d]: displayName is required (it identifies the secret across restarts)", w, k)
			}
			if s.Value != "" && len(s.Value) < 16 {
				return fmt.Errorf("%s.secrets[%d]: a client secret value must have at least 16 characters", w, k)
			}
		}
		for k, c := range a.Certificates {
			if (c.PEM == "") == (c.File == "") {
				return fmt.Errorf("%s.certificates[%d]: give exactly one of pem or file", w, k)
			}
		}
		for _, r := range a.AppRoleAssignments {
			// The resource must be more than a URI scheme: in
			// "https://graph.microsoft.com" the last slash is the scheme's.
			if i := strings.LastIndexByte(r, '/'); i <= 0 || i == len(r)-1 || strings.HasSuffix(r[:i], ":/") {
				return fmt.Errorf("%s.appRoleAssignments: %q must be {resource}/{role value}", w, r)
			}
		}
	}
	return nil
}
