package rbac

import (
	_ "embed"
	"encoding/json"
	"strings"
	"sync"

	"github.com/gatehouse/gatehouse/internal/fold"
)

// builtinJSON is shared/reference/builtin-roles.json in ARM's wire shape.
//
//go:embed builtin-roles.json
var builtinJSON []byte

type armRole struct {
	Name       string         `json:"name"`
	Aliases    []string       `json:"aliases"`
	Properties RoleDefinition `json:"properties"`
}

var builtinOnce = sync.OnceValue(func() []RoleDefinition {
	var raw []armRole
	if err := json.Unmarshal(builtinJSON, &raw); err != nil {
		panic("rbac: embedded builtin-roles.json: " + err.Error())
	}
	out := make([]RoleDefinition, len(raw))
	for i, r := range raw {
		d := r.Properties
		d.ID = fold.String(r.Name)
		d.Aliases = r.Aliases
		out[i] = d
	}
	return out
})

// BuiltinRoles returns the built-in roles gatehouse knows, as fresh copies
// the caller may modify.
func BuiltinRoles() []RoleDefinition {
	src := builtinOnce()
	out := make([]RoleDefinition, len(src))
	for i := range src {
		out[i] = cloneRole(src[i])
	}
	return out
}

// FindRole finds a role by GUID, full role definition ID, roleName or
// alias, case-insensitively. It returns nil if none matches.
func FindRole(roles []RoleDefinition, key string) *RoleDefinition {
	key = strings.TrimSpace(key)
	guid := lastSegment(key)
	for i := range roles {
		if fold.Equal(lastSegment(roles[i].ID), guid) {
			return &roles[i]
		}
	}
	for i := range roles {
		if roleHasName(&roles[i], key) {
			return &roles[i]
		}
	}
	return nil
}

func roleHasName(r *RoleDefinition, name string) bool {
	if fold.Equal(r.RoleName, name) {
		return true
	}
	for _, a := range r.Aliases {
		if fold.Equal(a, name) {
			return true
		}
	}
	return false
}

// lastSegment turns ".../roleDefinitions/{guid}" into "{guid}".
func lastSegment(s string) string {
	s = strings.TrimRight(s, "/")
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		return s[i+1:]
	}
	return s
}

func cloneRole(r RoleDefinition) RoleDefinition {
	r.Aliases = cloneStrings(r.Aliases)
	r.AssignableScopes = cloneStrings(r.AssignableScopes)
	r.Permissions = clonePermissions(r.Permissions)
	return r
}

func clonePermissions(ps []Permission) []Permission {
	if ps == nil {
		return nil
	}
	out := make([]Permission, len(ps))
	for i, p := range ps {
		p.Actions = cloneStrings(p.Actions)
		p.NotActions = cloneStrings(p.NotActions)
		p.DataActions = cloneStrings(p.DataActions)
		p.NotDataActions = cloneStrings(p.NotDataActions)
		out[i] = p
	}
	return out
}

func cloneStrings(s []string) []string {
	if s == nil {
		return nil
	}
	return append([]string(nil), s...)
}
