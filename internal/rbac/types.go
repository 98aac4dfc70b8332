package rbac

// Role definition types as ARM stores them (Microsoft.Authorization
// 2022-04-01). Field names follow the REST properties.
const (
	BuiltInRole = "BuiltInRole"
	CustomRole  = "CustomRole"
)

// EveryoneID with type SystemDefined in a deny assignment's principals
// means every principal, as in Azure.
const (
	EveryoneID        = "00000000-0000-0000-0000-000000000000"
	SystemDefinedType = "SystemDefined"
)

// Permission is one permission block of a role definition or a deny
// assignment. Condition is only set on built-in roles that carry one
// (constrained delegation); ARM's 2022-04-01 schema has no such field.
type Permission struct {
	Actions          []string `json:"actions"`
	NotActions       []string `json:"notActions"`
	DataActions      []string `json:"dataActions"`
	NotDataActions   []string `json:"notDataActions"`
	Condition        string   `json:"condition,omitempty"`
	ConditionVersion string   `json:"conditionVersion,omitempty"`
}

// RoleDefinition is a built-in or custom role. ID is the lower-case GUID
// (the ARM "name"), not the full resource ID.
type RoleDefinition struct {
	// Tenant owns a custom role ("" for built-ins and tenant-less state);
	// kept apart from the wire shape, as the stores keep it beside.
	Tenant           string       `json:"-"`
	ID               string       `json:"id"`
	RoleName         string       `json:"roleName"`
	Aliases          []string     `json:"aliases,omitempty"`
	Description      string       `json:"description,omitempty"`
	Type             string       `json:"type"`
	Permissions      []Permission `json:"permissions"`
	AssignableScopes []string     `json:"assignableScopes"`
}

// RoleAssignment grants a role to a principal at a scope. RoleDefinitionID
// may be the GUID or a full role definition ID; it is compared by GUID.
type RoleAssignment struct {
	// Tenant owns the assignment: its role is looked up among the tenant's
	// roles, its scope is seen from the tenant (see TenantScope).
	Tenant           string `json:"-"`
	ID               string `json:"id"`
	Name             string `json:"name"`
	Scope            string `json:"scope"`
	RoleDefinitionID string `json:"roleDefinitionId"`
	PrincipalID      string `json:"principalId"`
	PrincipalType    string `json:"principalType"`
	Condition        string `json:"condition,omitempty"`
	ConditionVersion string `json:"conditionVersion,omitempty"`
	Description      string `json:"description,omitempty"`
}

// Principal names a user, group or service principal in a deny assignment.
type Principal struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

// DenyAssignment blocks actions for principals at a scope (and below unless
// DoNotApplyToChildScopes). Users cannot create them in Azure; gatehouse
// still evaluates them so stacks and managed apps can be simulated.
type DenyAssignment struct {
	Tenant                  string       `json:"-"` // as RoleAssignment.Tenant
	ID                      string       `json:"id"`
	Name                    string       `json:"name"`
	Scope                   string       `json:"scope"`
	Permissions             []Permission `json:"permissions"`
	Principals              []Principal  `json:"principals"`
	ExcludePrincipals       []Principal  `json:"excludePrincipals,omitempty"`
	DoNotApplyToChildScopes bool         `json:"doNotApplyToChildScopes,omitempty"`
	Condition               string       `json:"condition,omitempty"`
	ConditionVersion        string       `json:"conditionVersion,omitempty"`
}

// Input is the whole authorization state Compile needs.
type Input struct {
	// Roles are custom roles (and optionally built-ins, which are always
	// present anyway; an entry with a built-in's ID replaces it).
	Roles       []RoleDefinition
	Assignments []RoleAssignment
	Denies      []DenyAssignment
	// GroupsOf maps a member object id to the groups it is directly in.
	// Groups may themselves be members; cycles are tolerated.
	GroupsOf map[string][]string
	// Parents holds the scope edges the ID cannot tell: a subscription
	// scope to its management group, a management group to its parent.
	// A missing entry means the parent is the root "/".
	Parents map[string]string
}
