package arm

import (
	"strings"

	"github.com/gatehouse/gatehouse/internal/armid"
	"github.com/gatehouse/gatehouse/internal/fold"
)

// opKind is what a request does to the resource its path names.
type opKind int

const (
	opItem   opKind = iota // GET/PUT/PATCH/DELETE one resource
	opList                 // GET a collection
	opAction               // POST {resource}/{action}
)

// op is a parsed ARM request path.
type op struct {
	kind opKind
	// id is the resource (opItem) or the parent of the collection or the
	// resource acted on (opList, opAction); nil means the root "/".
	id *armid.ID
	// typ is the full resource type of the item or of the collection's
	// members ("Microsoft.CognitiveServices/accounts/deployments").
	typ    string
	action string // opAction: e.g. "listKeys"
	// namespace is the provider of ".../providers/{namespace}", which is
	// not a resource id: the op is then an opItem whose id is the scope
	// (nil or a subscription) the provider is read at (providers.go).
	namespace string
}

// parseOp parses an ARM path. Collections and actions are not resource ids,
// so they are recognised by what remains when the last segment is cut off.
func parseOp(method, path string) (*op, error) {
	p := strings.TrimRight(path, "/")
	if p == "" {
		return nil, errBadRequest("InvalidResourceId", "The resource path '/' is not a valid resource request.")
	}
	segs := strings.Split(strings.TrimPrefix(p, "/"), "/")
	if o := providerOp(segs); o != nil {
		return o, nil
	}
	if method != "POST" {
		if id, err := armid.Parse(p); err == nil {
			return &op{kind: opItem, id: id, typ: id.ResourceType}, nil
		}
	}
	if n := len(segs); n >= 3 && fold.Equal(segs[n-3], "providers") {
		parent, err := parseParent(segs[:n-3])
		if err != nil {
			return nil, err
		}
		return &op{kind: opList, id: parent, typ: segs[n-2] + "/" + segs[n-1]}, nil
	}
	parent, err := parseParent(segs[:len(segs)-1])
	if err != nil {
		return nil, err
	}
	last := segs[len(segs)-1]
	if method == "POST" {
		return &op{kind: opAction, id: parent, typ: typeOf(parent), action: last}, nil
	}
	return &op{kind: opList, id: parent, typ: childType(parent, last)}, nil
}

func parseParent(segs []string) (*armid.ID, error) {
	if len(segs) == 0 {
		return nil, nil
	}
	id, err := armid.Parse("/" + strings.Join(segs, "/"))
	if err != nil {
		return nil, errBadRequest("InvalidResourceId", "The resource path '%s' is not valid: %v", "/"+strings.Join(segs, "/"), err)
	}
	return id, nil
}

func typeOf(id *armid.ID) string {
	if id == nil {
		return armid.RootType
	}
	return id.ResourceType
}

// childType names the members of collection seg under parent.
func childType(parent *armid.ID, seg string) string {
	switch {
	case parent == nil:
		return "Microsoft.Resources/" + seg // subscriptions, tenants
	case fold.Equal(parent.ResourceType, armid.SubscriptionType) && fold.Equal(seg, "resourcegroups"):
		return armid.ResourceGroupType
	case (fold.Equal(parent.ResourceType, armid.ResourceGroupType) || fold.Equal(parent.ResourceType, armid.SubscriptionType)) && fold.Equal(seg, "resources"):
		return "Microsoft.Resources/resources"
	}
	return parent.ResourceType + "/" + seg
}

// scopeString is the ARM id of id, "/" for the root.
func scopeString(id *armid.ID) string {
	if id == nil {
		return "/"
	}
	return id.String()
}
