// Package armid parses Azure Resource Manager resource IDs into a typed,
// linked form (each ID points at its parent scope), in the spirit of the
// Azure SDK for Go's arm.ResourceID.
//
// ARM treats IDs case-insensitively, both the fixed keywords and the
// user-chosen names. String keeps names, namespaces and types as given
// (only the keywords are respelled canonically) so responses echo what the
// caller sent; Key and Equal are what to use for lookups and comparisons.
//
// IDs share their parents; treat a parsed ID as immutable.
package armid

import (
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/internal/fold"
)

// Resource types of the built-in scopes, as ARM reports them.
const (
	// RootType is the type of the tenant root "/".
	RootType = "Microsoft.Resources/tenants"
	// SubscriptionType is the type of "/subscriptions/{id}".
	SubscriptionType = "Microsoft.Resources/subscriptions"
	// ResourceGroupType is the type of ".../resourceGroups/{name}".
	ResourceGroupType = "Microsoft.Resources/resourceGroups"
	// ManagementGroupType is the type of
	// "/providers/Microsoft.Management/managementGroups/{name}".
	ManagementGroupType = "Microsoft.Management/managementGroups"

	resourcesNamespace = "Microsoft.Resources"
)

// ID is a parsed ARM resource ID. Context fields (SubscriptionID,
// ResourceGroupName, ManagementGroupName, Location) are inherited from the
// ancestors, so a role assignment on a project still knows its subscription.
type ID struct {
	// Parent is the enclosing scope or resource; nil only for the root "/".
	Parent *ID
	// SubscriptionID is set for the subscription and everything below it.
	SubscriptionID string
	// ResourceGroupName is set for the resource group and everything below it.
	ResourceGroupName string
	// ManagementGroupName is set for a management group and everything below
	// it (e.g. role assignments on it).
	ManagementGroupName string
	// Location is set for ".../providers/{ns}/locations/{l}" and below.
	Location string
	// Provider is the resource provider namespace, e.g.
	// "Microsoft.CognitiveServices" ("Microsoft.Resources" for the root,
	// subscriptions and resource groups).
	Provider string
	// ResourceType is the full type, namespace first, e.g.
	// "Microsoft.CognitiveServices/accounts/projects".
	ResourceType string
	// Name is the last name segment. It is empty for the root and for a
	// location-scoped collection such as ".../locations/{l}/usages".
	Name string
}

// kind classifies an ID by its position in the grammar; it is derived from
// the exported fields so hand-built IDs render the same as parsed ones.
type kind int

const (
	kindRoot kind = iota
	kindSubscription
	kindResourceGroup
	kindProvider // introduced by "/providers/{ns}/{type}": top-level or extension
	kindChild    // "/{type}/{name}" below a provider resource
)

func (id *ID) kind() kind {
	switch {
	case id.Parent == nil:
		return kindRoot
	case fold.Equal(id.ResourceType, SubscriptionType):
		return kindSubscription
	case fold.Equal(id.ResourceType, ResourceGroupType):
		return kindResourceGroup
	case strings.Count(id.ResourceType, "/") <= 1:
		return kindProvider
	default:
		return kindChild
	}
}

// Root returns the tenant root scope "/".
func Root() *ID {
	return &ID{Provider: resourcesNamespace, ResourceType: RootType}
}

// String returns the canonical form: "subscriptions", "resourceGroups" and
// "providers" spelled that way, everything else as given, no trailing slash.
func (id *ID) String() string {
	if id == nil {
		return ""
	}
	var b strings.Builder
	id.write(&b)
	if b.Len() == 0 {
		return "/"
	}
	return b.String()
}

func (id *ID) write(b *strings.Builder) {
	k := id.kind()
	if k == kindRoot {
		return // the root contributes only the leading slash of its children
	}
	id.Parent.write(b)
	switch k {
	case kindSubscription:
		b.WriteString("/subscriptions")
	case kindResourceGroup:
		b.WriteString("/resourceGroups")
	case kindProvider:
		b.WriteString("/providers/")
		b.WriteString(id.ResourceType)
	default:
		b.WriteString("/")
		b.WriteString(lastType(id.ResourceType))
	}
	if id.Name != "" {
		b.WriteString("/")
		b.WriteString(id.Name)
	}
}

// lastType returns the final segment of a full resource type.
func lastType(t string) string {
	return t[strings.LastIndexByte(t, '/')+1:]
}

// Key returns a lower-cased canonical form, for map keys and comparisons.
func (id *ID) Key() string {
	return fold.String(id.String())
}

// Equal reports whether a and b name the same resource, ignoring case.
// Two nil IDs are equal.
func Equal(a, b *ID) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Key() == b.Key()
}

// Ancestors returns the enclosing scopes from the root downward — "/", the
// subscription, the resource group, then each parent resource — excluding
// id itself. Management groups above a subscription are not part of a
// subscription's ID, so they cannot appear here; that hierarchy lives in
// data and callers must add it themselves.
func (id *ID) Ancestors() []*ID {
	if id == nil {
		return nil
	}
	var out []*ID
	for p := id.Parent; p != nil; p = p.Parent {
		out = append(out, p)
	}
	slices.Reverse(out)
	return out
}

// Scope returns the ID the resource's last "/providers/{ns}/{type}" segment
// hangs off: for a role assignment, the scope it is assigned at; for a
// top-level resource, its resource group (or subscription, or root); for a
// child resource, the scope of its top-level ancestor. It is nil for the
// root, subscriptions and resource groups, which are scopes themselves.
func (id *ID) Scope() *ID {
	for c := id; c != nil; c = c.Parent {
		switch c.kind() {
		case kindRoot, kindSubscription, kindResourceGroup:
			return nil
		case kindProvider:
			return c.Parent
		}
	}
	return nil
}

// IsExtension reports whether id is an extension resource: one whose
// "/providers/" segment hangs off another resource (a project, account,
// management group, …) rather than off the root, a subscription or a
// resource group.
func (id *ID) IsExtension() bool {
	s := id.Scope()
	if s == nil {
		return false
	}
	k := s.kind()
	return k == kindProvider || k == kindChild
}
