package arm

import (
	"fmt"

	"github.com/gatehouse/gatehouse/internal/rbac"
)

// authorize decides the caller's action at scope with the engine and turns
// a denial into Azure's AuthorizationFailed, with gatehouse's advice added
// where clients that parse Azure's shape do not look.
func (s *Service) authorize(c *call, action, scope string, req *rbac.Request) error {
	if req == nil {
		req = &rbac.Request{}
	}
	req.Tenant, req.PrincipalID, req.PrincipalType, req.Action, req.Scope = c.p.TenantID, c.p.ObjectID, c.p.Type, action, scope
	d, snap, err := s.az.Decide(c.ctx, *req)
	if err != nil {
		return err
	}
	if d.Allowed {
		return nil
	}
	return authorizationFailed(c.p, action, scope, d, snap)
}

// allowed reports whether the caller may perform action at scope (for
// filtering lists).
func (s *Service) allowed(c *call, action, scope string) (bool, error) {
	d, _, err := s.az.Decide(c.ctx, rbac.Request{Tenant: c.p.TenantID, PrincipalID: c.p.ObjectID, PrincipalType: c.p.Type, Action: action, Scope: scope})
	return d.Allowed, err
}

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
	Command              string `json:"command,omitempty"`
	AzCommand            string `json:"azCommand,omitempty"`
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
		a.LeastPrivilegedRole, a.RoleDefinitionID = r.RoleName, r.ID
		ptype := p.Type
		a.Command = fmt.Sprintf("gatehouse role assignment create --assignee-object-id %s --assignee-principal-type %s --role %s --scope %s",
			p.ObjectID, ptype, r.ID, scope)
		a.AzCommand = fmt.Sprintf("az role assignment create --assignee-object-id %s --assignee-principal-type %s --role %s --scope %s",
			p.ObjectID, ptype, r.ID, scope)
	}
	return a
}

func authorizationFailed(p *Principal, action, scope string, d rbac.Decision, snap *rbac.Snapshot) *Error {
	var e *Error
	if len(d.ConditionFailed) > 0 {
		e = armErr(403, "AuthorizationFailed", "The client '%s' with object id '%s' does not have authorization or an ABAC condition not fulfilled to perform action '%s' over scope '%s' or the scope is invalid. If access was recently granted, please refresh your credentials.",
			p.Name(), p.ObjectID, action, scope)
	} else {
		e = armErr(403, "AuthorizationFailed", "The client '%s' with object id '%s' does not have authorization to perform action '%s' over scope '%s' or the scope is invalid. If access was recently granted, please refresh your credentials.",
			p.Name(), p.ObjectID, action, scope)
	}
	e.header = map[string]string{"x-ms-failure-cause": "gateway"}
	e.AdditionalInfo = []AdditionalInfo{{Type: "GatehouseAccessAdvice", Info: NewAdvice(p, action, false, scope, d, snap)}}
	return e
}
