package arm

import (
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
