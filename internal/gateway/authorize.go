package gateway

import (
	"context"

	"github.com/gatehouse/gatehouse/internal/arm"
	"github.com/gatehouse/gatehouse/internal/rbac"
)

// authorize decides the route's data action at the request's scope. A key
// bypasses RBAC, as in Azure.
func (s *Service) authorize(ctx context.Context, rq *request) error {
	c := rq.caller
	if c.key {
		s.audit(rq, true, func() string { return "account key (bypasses RBAC)" })
		return nil
	}
	d, snap, err := s.az.Decide(ctx, rbac.Request{Tenant: c.tenant, PrincipalID: c.principalID, PrincipalType: c.principalType,
		Action: rq.route.Action, DataAction: true, Scope: rq.scope})
	if err != nil {
		return err
	}
	s.metrics.decision(d.Allowed)
	if d.Allowed {
		s.audit(rq, true, d.Explain)
		return nil
	}
	s.audit(rq, false, d.Explain)
	return permissionDenied(rq, d, snap)
}

// permissionDenied is Azure's 401 PermissionDenied with its exact message,
// plus gatehouse's advice in an extra field.
func permissionDenied(rq *request, d rbac.Decision, snap *rbac.Snapshot) *Error {
	c := rq.caller
	msg := "The principal `" + c.name + "` lacks the required data action `" + rq.route.Action +
		"` to perform `" + rq.route.Method + " " + rq.route.Template + "` operation."
	if rq.route.Project {
		msg += " For instructions on granting the necessary permissions, see https://aka.ms/FoundryPermissions."
	}
	p := &arm.Principal{ObjectID: c.principalID, Type: c.principalType, DisplayName: c.displayName}
	advice := arm.NewAdvice(p, rq.route.Action, true, rq.scope, d, snap)
	e := &Error{Status: 401, Body: errorEnvelope{errorObject{Code: "PermissionDenied", Message: msg, Gatehouse: advice}}}
	if advice.LeastPrivilegedRole != "" {
		e.Header = map[string]string{"x-gatehouse-required-role": advice.LeastPrivilegedRole}
	}
	return e
}
