package arm

import (
	"strings"

	"github.com/gatehouse/gatehouse/internal/armid"
	"github.com/gatehouse/gatehouse/internal/fold"
)

// AssignmentScope is the scope advice proposes to assign a role at for a
// decision made at scope: the nearest enclosing scope a person would pick —
// a Cognitive Services account or project, another top-level resource, a
// resource group, a subscription, a management group or the root. A
// decision is often made at something nobody assigns roles on: a role
// definition or assignment (an extension resource, cut back to the scope
// it hangs off), a deployment or another child resource (cut back to its
// account), a location-scoped collection (cut back to its subscription).
func AssignmentScope(scope string) string {
	id, err := armid.Parse(scope)
	for p := scope; err != nil; id, err = armid.Parse(p) {
		// A collection (".../roleAssignments") is not an id: its parent is.
		i := strings.LastIndexByte(p, '/')
		if i <= 0 {
			return scope // not an ARM id: nothing better to propose
		}
		p = p[:i]
	}
	for c := id; c != nil; c = c.Parent {
		if assignableAt(c) {
			return c.String()
		}
	}
	return "/"
}

// assignableAt reports whether id is a scope people assign roles at.
func assignableAt(id *armid.ID) bool {
	typ := id.ResourceType
	switch {
	case id.Parent == nil, fold.Equal(typ, armid.SubscriptionType), fold.Equal(typ, armid.ResourceGroupType),
		fold.Equal(typ, armid.ManagementGroupType):
		return true
	case id.Name == "" || id.ResourceGroupName == "" || id.IsExtension() || fold.Equal(id.Provider, "Microsoft.Authorization"):
		// Location collections, subscription-level proxies, role
		// definitions, role and deny assignments, locks: not resources of
		// their own (Microsoft.Authorization's types are extensions even
		// when they hang off a resource group).
		return false
	case fold.Equal(typ, "Microsoft.CognitiveServices/accounts/projects"):
		return true // Foundry assigns per project
	}
	return strings.Count(typ, "/") == 1 // a top-level resource, not a child
}
