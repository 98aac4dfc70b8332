package rbac

// Request asks whether a principal may perform an action at a scope.
type Request struct {
	// Tenant is the caller's tenant: the root "/" and management groups
	// are that tenant's, and a scope in another tenant is always denied.
	// "" only for tenant-less state.
	Tenant        string
	PrincipalID   string
	PrincipalType string // informational ("User", "ServicePrincipal", …)
	Action        string
	DataAction    bool // Action is a data action (data plane)
	Scope         string
	// Condition attributes, keyed by attribute name, e.g.
	// "Microsoft.Authorization/roleAssignments:RoleDefinitionId".
	RequestAttrs, ResourceAttrs map[string][]string
	// PrincipalAttrs (custom security attributes) and EnvironmentAttrs
	// serve @Principal[…] and @Environment[…].
	PrincipalAttrs, EnvironmentAttrs map[string][]string
}

// Grant names the role assignment that allowed a request.
type Grant struct {
	Assignment      *RoleAssignment
	Role            *RoleDefinition
	AssignmentScope string // as stored on the assignment
	ViaGroup        string // the group holding the assignment; "" if direct
}

// Decision is Decide's answer with what decided it.
type Decision struct {
	Allowed  bool
	Granted  *Grant          // the most specific grant, when allowed
	DeniedBy *DenyAssignment // the deny assignment that won, if any
	// ConditionFailed lists, on a deny, the assignments whose role covered
	// the action but whose condition (on the assignment or in the role's
	// permission block) was false — Azure's "ABAC condition not fulfilled".
	ConditionFailed []Grant
	Reason          string // one human sentence
}

// Fixed sentences keep the common deny allocation-free.
const (
	reasonNoControl   = "Denied: no role assignment of the principal or of its groups at this scope or above grants this action."
	reasonOtherTenant = "Denied: the scope is not in the caller's tenant; nothing held in one tenant grants anything in another."
	reasonNoData      = "Denied: no role assignment of the principal or of its groups at this scope or above grants this data action (control-plane roles such as Owner grant no data actions)."
)

func conditionFailedReason(g Grant) string {
	return "Denied: role assignment '" + g.Assignment.Name + "' of role '" + g.Role.RoleName +
		"' covers this action, but its ABAC condition was not fulfilled."
}

// Explain is a longer sentence than Reason, naming the assignment, its
// scope and the group; it allocates, so it is for logs and the CLI.
func (d Decision) Explain() string {
	switch {
	case d.Granted != nil:
		g := d.Granted
		who := "directly"
		if g.ViaGroup != "" {
			who = "via group " + g.ViaGroup
		}
		return "Allowed by role '" + g.Role.RoleName + "' assigned " + who + " at scope " +
			g.AssignmentScope + " (role assignment " + g.Assignment.Name + ")."
	default:
		return d.Reason
	}
}
