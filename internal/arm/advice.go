package arm

import (
	"fmt"

	"github.com/gatehouse/gatehouse/internal/rbac"
)

// Advice is what gatehouse adds to a denial: why, and how to fix it.
type Advice struct {
	Principal            string `json:"principal"`
	PrincipalDisplayName string `json:"principalDisplayName,omitempty"`
	Action               string `json:"action"`
	DataAction           bool   `json:"dataAction"`
	Scope                string `json:"scope"`
	Reason               string `json:"reason"`
	DeniedBy             string `json:"deniedBy,omitempty"`
	LeastPrivilegedRole  string `json:"leastPrivilegedRole,omitempty"`
	RoleDefinitionID     string `json:"roleDefinitionId,omitempty"`
	// AssignmentScope is where the commands assign the role: Scope, or the
	// nearest scope above it a person would assign at (see AssignmentScope).
	AssignmentScope string `json:"assignmentScope,omitempty"`
	Command         string `json:"command,omitempty"`
	AzCommand       string `json:"azCommand,omitempty"`
}

// NewAdvice explains decision d for principal at scope.
func NewAdvice(p *Principal, action string, data bool, scope string, d rbac.Decision, snap *rbac.Snapshot) *Advice {
	a := &Advice{Principal: p.ObjectID, PrincipalDisplayName: p.DisplayName, Action: action, DataAction: data,
		Scope: scope, Reason: d.Explain()}
	if d.DeniedBy != nil {
		a.DeniedBy = d.DeniedBy.Name
		return a // a role would not help against a deny assignment
	}
	if roles := snap.RolesGranting(action, data); len(roles) > 0 {
		r := roles[0]
		a.LeastPrivilegedRole, a.RoleDefinitionID, a.AssignmentScope = r.RoleName, r.ID, AssignmentScope(scope)
		a.Command = fmt.Sprintf("gatehouse role assignment create --assignee-object-id %s --assignee-principal-type %s --role %s --scope %s",
			p.ObjectID, p.Type, r.ID, a.AssignmentScope)
		a.AzCommand = fmt.Sprintf("az role assignment create --assignee-object-id %s --assignee-principal-type %s --role %s --scope %s",
			p.ObjectID, p.Type, r.ID, a.AssignmentScope)
	}
	return a
}
