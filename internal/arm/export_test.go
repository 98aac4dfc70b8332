package arm

import "strings"

// RouteInfo is one entry of the route table, for tests outside the package.
type RouteInfo struct {
	Kind     string // "item", "list" or "action"
	Type     string // lower case, as the table keys it
	Method   string
	Action   string
	Versions []string
}

// Routes lists the route table of a Service (registration needs none of
// its dependencies).
func Routes() []RouteInfo {
	s := New(nil, nil, nil, nil, nil)
	var out []RouteInfo
	for key, rt := range s.routes {
		parts := strings.SplitN(key, "|", 4)
		kind := map[string]string{"0": "item", "1": "list", "2": "action"}[parts[0]]
		out = append(out, RouteInfo{Kind: kind, Type: parts[1], Method: strings.ToUpper(parts[2]), Action: parts[3], Versions: rt.versions})
	}
	return out
}
