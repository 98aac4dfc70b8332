package rbac

import (
	"bytes"
	"slices"
	"strings"
)

// Breadth alone makes odd advice: the least privileged role that happens
// to include an action is often a role of another service (Cognitive
// Services OpenAI User lists Microsoft.Authorization/roleAssignments/read),
// and nobody would assign it for that. RolesGranting therefore ranks, in
// this order:
//
//  1. the roles recommended for the action below, in the order given
//     (the Foundry RBAC guide's advice and the general roles an
//     administrator picks);
//  2. roles meant for the action's resource provider, and general roles
//     (a pattern on every namespace, as Reader's */read);
//  3. roles of unrelated services that include the action;
//
// and always last the roles with a bare "*" (Owner, Contributor). Within a
// rank, by breadth and then name (rankBuiltins).

// recommendation names the roles to propose first for the actions matching
// pattern. Every recommendation that matches contributes, in table order,
// so a role that does not grant an action gives way to the next one.
type recommendation struct {
	data    bool
	pattern string
	roles   []string // built-in role GUIDs, preferred first
}

const (
	guidReader          = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
	guidUserAccessAdmin = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"
	guidRBACAdmin       = "f58310d9-a9f6-439a-9e8d-f62e7b41a168"
	guidFoundryUser     = "53ca6127-db72-4b80-b1b0-d745d6d5456d" // Azure AI User
	guidCSUser          = "a97b65f3-24c7-4388-baec-2e87135dc908"
	guidCSUsagesReader  = "bba48692-92b0-4667-a9ad-c31c7b334ac2"
	guidOpenAIUser      = "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd"
	guidOpenAIContrib   = "a001fd3d-188f-4b5d-821b-7da978bf7442"
)

var recommendations = []recommendation{
	// The Foundry RBAC guide: OpenAI inference → Cognitive Services OpenAI
	// User; project and agent work → Foundry User; Foundry Models (MaaS)
	// inference → Cognitive Services User.
	{true, "Microsoft.CognitiveServices/accounts/OpenAI/*", []string{guidOpenAIUser, guidOpenAIContrib}},
	{true, "Microsoft.CognitiveServices/accounts/AIServices/*", []string{guidFoundryUser}},
	{true, "Microsoft.CognitiveServices/accounts/MaaS/*", []string{guidCSUser}},
	{true, "Microsoft.CognitiveServices/*", []string{guidCSUser, guidFoundryUser}},
	// "Lets you read and list keys of Cognitive Services."
	{false, "Microsoft.CognitiveServices/accounts/listKeys/action", []string{guidCSUser}},
	{false, "Microsoft.CognitiveServices/locations/usages/read", []string{guidCSUsagesReader}},
	{false, "Microsoft.Authorization/roleAssignments/write", []string{guidRBACAdmin, guidUserAccessAdmin}},
	{false, "Microsoft.Authorization/roleAssignments/delete", []string{guidRBACAdmin, guidUserAccessAdmin}},
	{false, "*/read", []string{guidReader}},
	{false, "Microsoft.Authorization/*", []string{guidUserAccessAdmin}},
}

// compiledRecommendations are the patterns parsed once.
var compiledRecommendations = func() []pattern {
	out := make([]pattern, len(recommendations))
	for i, r := range recommendations {
		out[i] = compilePattern(r.pattern)
	}
	return out
}()

// roleHome is what a role is meant for, computed once per snapshot.
type roleHome struct {
	general bool     // a pattern on every namespace ("*", "*/read")
	spaces  [][]byte // lower-cased namespaces the role is about
}

// computeHome finds the namespaces a role is about: those where it may
// change something (a pattern not ending in /read). Reading is what many
// roles add around their subject (Cognitive Services OpenAI User reads role
// assignments), so read-only namespaces count only for a role that does
// nothing else (Cognitive Services Data Reader).
func (r *compiledRole) computeHome() roleHome {
	var h roleHome
	var reads [][]byte
	for _, p := range r.def.Permissions {
		for _, list := range [][]string{p.Actions, p.DataActions} {
			for _, a := range list {
				ns, _, _ := strings.Cut(a, "/")
				if strings.Contains(ns, "*") {
					h.general = true
					continue
				}
				l := lowerASCII(nil, ns)
				if bytes.HasSuffix(lowerASCII(nil, a), []byte("/read")) {
					reads = addSpace(reads, l)
				} else {
					h.spaces = addSpace(h.spaces, l)
				}
			}
		}
	}
	if len(h.spaces) == 0 {
		h.spaces = reads
	}
	return h
}

func addSpace(list [][]byte, ns []byte) [][]byte {
	if slices.ContainsFunc(list, func(x []byte) bool { return bytes.Equal(x, ns) }) {
		return list
	}
	return append(list, ns)
}

// about reports whether the role is meant for namespace ns (lower-cased)
// or is a general one.
func (h *roleHome) about(ns []byte) bool {
	return h.general || slices.ContainsFunc(h.spaces, func(x []byte) bool { return bytes.Equal(x, ns) })
}

// rank orders roles that grant the lower-cased action a: lower is
// proposed first. roles must already be in breadth order; the sort is
// stable, so breadth decides within a rank.
func rankForAction(roles []*compiledRole, a []byte, data bool) {
	ns, _, _ := bytes.Cut(a, []byte("/"))
	preferred := make([]string, 0, 4)
	for i := range recommendations {
		if recommendations[i].data == data && compiledRecommendations[i].match(a) {
			preferred = append(preferred, recommendations[i].roles...)
		}
	}
	key := func(r *compiledRole) (int, int) {
		if i := slices.Index(preferred, r.guid); i >= 0 {
			return 0, i
		}
		switch {
		case r.breadth >= wildcardPenalty:
			return 3, 0
		case r.home.about(ns):
			return 1, 0
		}
		return 2, 0
	}
	slices.SortStableFunc(roles, func(x, y *compiledRole) int {
		xr, xi := key(x)
		yr, yi := key(y)
		if xr != yr {
			return xr - yr
		}
		return xi - yi
	})
}
