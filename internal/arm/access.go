package arm

import (
	"strings"

	"github.com/gatehouse/gatehouse/internal/directory"
	"github.com/gatehouse/gatehouse/internal/fold"
	"github.com/gatehouse/gatehouse/internal/rbac"
)

// typeAccessCheck is gatehouse's own API (not Azure's): explain a decision
// for any principal, action and scope.
const typeAccessCheck = "Gatehouse/accessCheck"

var versionsGatehouse = []string{"2025-01-01"}

func (s *Service) registerAccess() {
	s.handle(opList, typeAccessCheck, "POST", "", route{versions: versionsGatehouse, fn: s.accessCheck})
}

// AccessCheckRequest asks whether a principal may perform an action.
type AccessCheckRequest struct {
	PrincipalID string `json:"principalId"`
	Action      string `json:"action"`
	DataAction  *bool  `json:"dataAction"`
	Scope       string `json:"scope"`
}

// GrantView names what granted or blocked a decision.
type GrantView struct {
	RoleAssignmentID string `json:"roleAssignmentId"`
	RoleDefinitionID string `json:"roleDefinitionId"`
	RoleName         string `json:"roleName"`
	Scope            string `json:"scope"`
	ViaGroup         string `json:"viaGroup,omitempty"`
}

// AccessCheckResult is the decision with its explanation.
type AccessCheckResult struct {
	Allowed         bool        `json:"allowed"`
	PrincipalID     string      `json:"principalId"`
	PrincipalType   string      `json:"principalType"`
	Action          string      `json:"action"`
	DataAction      bool        `json:"dataAction"`
	Scope           string      `json:"scope"`
	Explanation     string      `json:"explanation"`
	GrantedBy       *GrantView  `json:"grantedBy,omitempty"`
	DeniedBy        string      `json:"deniedByDenyAssignment,omitempty"`
	ConditionFailed []GrantView `json:"conditionNotFulfilled,omitempty"`
	RolesThatGrant  []string    `json:"leastPrivilegedRolesThatGrant,omitempty"`
	Advice          *Advice     `json:"advice,omitempty"`
}

func grantView(g *rbac.Grant) GrantView {
	return GrantView{RoleAssignmentID: g.Assignment.ID, RoleDefinitionID: g.Role.ID, RoleName: g.Role.RoleName,
		Scope: g.AssignmentScope, ViaGroup: g.ViaGroup}
}

// accessCheck serves POST /providers/Gatehouse/accessCheck. Anyone may ask
// about themselves; asking about another principal needs
// Microsoft.Authorization/roleAssignments/read at the scope.
func (s *Service) accessCheck(c *call) (int, any, error) {
	var in AccessCheckRequest
	if err := c.decodeBody(&in); err != nil {
		return 0, nil, err
	}
	if in.Action == "" || in.Scope == "" {
		return 0, nil, errBadRequest("InvalidRequestContent", "action and scope are required.")
	}
	if in.PrincipalID == "" {
		in.PrincipalID = c.p.ObjectID
	}
	in.PrincipalID = fold.String(in.PrincipalID)
	if !directory.IsGUID(in.PrincipalID) {
		return 0, nil, errBadRequest("InvalidPrincipalId", "The Principal ID '%s' is not valid. Principal ID must be a GUID.", in.PrincipalID)
	}
	if in.PrincipalID != c.p.ObjectID {
		if err := s.authorize(c, "Microsoft.Authorization/roleAssignments/read", in.Scope, nil); err != nil {
			return 0, nil, err
		}
	}
	ptype, err := s.principalType(c, in.PrincipalID, "")
	if err != nil {
		return 0, nil, err
	}
	data := isDataAction(in.Action)
	if in.DataAction != nil {
		data = *in.DataAction
	}
	d, snap, err := s.az.Decide(c.ctx, rbac.Request{Tenant: c.p.TenantID, PrincipalID: in.PrincipalID, PrincipalType: ptype, Action: in.Action, DataAction: data, Scope: in.Scope})
	if err != nil {
		return 0, nil, err
	}
	res := &AccessCheckResult{Allowed: d.Allowed, PrincipalID: in.PrincipalID, PrincipalType: ptype, Action: in.Action,
		DataAction: data, Scope: in.Scope, Explanation: d.Explain()}
	if d.Granted != nil {
		g := grantView(d.Granted)
		res.GrantedBy = &g
	}
	if d.DeniedBy != nil {
		res.DeniedBy = d.DeniedBy.Name
	}
	for i := range d.ConditionFailed {
		res.ConditionFailed = append(res.ConditionFailed, grantView(&d.ConditionFailed[i]))
	}
	if !d.Allowed {
		for i, r := range snap.RolesGranting(in.Action, data) {
			if i == 3 {
				break
			}
			res.RolesThatGrant = append(res.RolesThatGrant, r.RoleName)
		}
		p := &Principal{ObjectID: in.PrincipalID, Type: ptype}
		res.Advice = NewAdvice(p, in.Action, data, in.Scope, d, snap)
	}
	return 200, res, nil
}

// isDataAction guesses the plane of an action by its shape: data actions
// of Cognitive Services sit under accounts/{OpenAI,AIServices,MaaS,…}/ and
// the CLI can override with --data-action.
func isDataAction(a string) bool {
	l := fold.String(a)
	for _, p := range []string{"/accounts/openai/", "/accounts/aiservices/", "/accounts/maas/", "/accounts/speechservices/",
		"/accounts/contentsafety/", "/accounts/textanalytics/", "/accounts/computervision/", "/accounts/formrecognizer/"} {
		if strings.Contains(l, p) {
			return true
		}
	}
	return false
}
