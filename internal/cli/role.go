package cli

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/spf13/cobra"
)

func newRole(g *globals) *cobra.Command {
	role := &cobra.Command{Use: "role", Short: "Manage Azure RBAC role assignments and definitions (as `az role`)"}
	assign := &cobra.Command{Use: "assignment", Short: "Manage role assignments"}
	assign.AddCommand(roleAssignmentCreate(g), roleAssignmentList(g), roleAssignmentDelete(g))
	def := &cobra.Command{Use: "definition", Short: "Manage role definitions"}
	def.AddCommand(roleDefinitionList(g), roleDefinitionCreate(g), roleDefinitionDelete(g))
	role.AddCommand(assign, def)
	return role
}

func newGUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// resolveRole finds a role definition by GUID or by name at scope.
func resolveRole(ctx context.Context, cl *client, role, scope string) (obj, error) {
	path := strings.TrimRight(scope, "/") + "/providers/Microsoft.Authorization/roleDefinitions"
	if isGUID(role) {
		var o obj
		return o, cl.arm(ctx, "GET", path+"/"+role, apiAuthz, nil, &o)
	}
	var l objList
	if err := cl.arm(ctx, "GET", path+"?$filter="+url.QueryEscape("roleName eq '"+quoteOData(role)+"'"), apiAuthz, nil, &l); err != nil {
		return nil, err
	}
	if len(l.Value) != 1 {
		return nil, fmt.Errorf("role '%s' doesn't exist", role)
	}
	return l.Value[0], nil
}

// resolveAssignee finds the object id and principal type of --assignee: an
// object id, a user principal name, or an appId (which means that app's
// service principal — a common mistake, so it is said out loud).
func resolveAssignee(ctx context.Context, cl *client, assignee string, stderr func(string)) (string, string, error) {
	if strings.Contains(assignee, "@") {
		var u obj
		if err := cl.graph(ctx, "GET", "/users/"+url.PathEscape(assignee), nil, &u); err != nil {
			return "", "", err
		}
		return str(u, "id"), "User", nil
	}
	if !isGUID(assignee) {
		sp, err := findSP(ctx, cl, assignee)
		if err != nil {
			return "", "", err
		}
		return str(sp, "id"), "ServicePrincipal", nil
	}
	var sp obj
	if err := cl.graph(ctx, "GET", "/servicePrincipals(appId='"+assignee+"')", nil, &sp); err == nil {
		stderr(fmt.Sprintf("'%s' is an application (client) id; using its service principal, object id %s. Role assignments are made to the service principal's object id.", assignee, str(sp, "id")))
		return str(sp, "id"), "ServicePrincipal", nil
	}
	var o obj
	if err := cl.graph(ctx, "GET", "/directoryObjects/"+assignee, nil, &o); err != nil {
		return "", "", fmt.Errorf("no user, group or service principal with id '%s': %w", assignee, err)
	}
	types := map[string]string{"#microsoft.graph.user": "User", "#microsoft.graph.group": "Group", "#microsoft.graph.servicePrincipal": "ServicePrincipal"}
	return assignee, types[str(o, "@odata.type")], nil
}

func roleAssignmentCreate(g *globals) *cobra.Command {
	var assignee, objectID, ptype, role, scope, desc, cond, condVersion, name, sub string
	cmd := &cobra.Command{Use: "create", Short: "Create a role assignment"}
	cmd.RunE = withClient(g, func(ctx context.Context, cl *client) error {
		var err error
		scope, err := cl.defaultScope(ctx, scope, sub)
		if err != nil {
			return err
		}
		switch {
		case objectID != "":
			if ptype == "" {
				ptype = "User"
			}
		case assignee != "":
			warn := func(m string) { fmt.Fprintln(cmd.ErrOrStderr(), "WARNING:", m) }
			if objectID, ptype, err = resolveAssignee(ctx, cl, assignee, warn); err != nil {
				return err
			}
		default:
			return fmt.Errorf("usage error: --assignee | --assignee-object-id")
		}
		rd, err := resolveRole(ctx, cl, role, scope)
		if err != nil {
			return err
		}
		props := obj{"roleDefinitionId": str(rd, "id"), "principalId": objectID, "principalType": ptype}
		if desc != "" {
			props["description"] = desc
		}
		if cond != "" {
			props["condition"], props["conditionVersion"] = cond, condVersion
		}
		if name == "" {
			name = newGUID()
		}
		var out obj
		path := strings.TrimRight(scope, "/") + "/providers/Microsoft.Authorization/roleAssignments/" + name
		if err := cl.arm(ctx, "PUT", path, apiAuthz, obj{"properties": props}, &out); err != nil {
			return err
		}
		return printJSON(cmd.OutOrStdout(), out)
	})
	f := cmd.Flags()
	f.StringVar(&assignee, "assignee", "", "user (UPN or object id), group or service principal (object id or appId)")
	f.StringVar(&objectID, "assignee-object-id", "", "object id of the assignee (no directory lookup)")
	f.StringVar(&ptype, "assignee-principal-type", "", "User, Group or ServicePrincipal (with --assignee-object-id)")
	f.StringVar(&role, "role", "", "role name or id (required)")
	f.StringVar(&scope, "scope", "", "scope (default: the subscription)")
	f.StringVar(&desc, "description", "", "description")
	f.StringVar(&cond, "condition", "", "ABAC condition")
	f.StringVar(&condVersion, "condition-version", "2.0", "condition version")
	f.StringVar(&name, "name", "", "assignment name (a GUID; generated by default)")
	f.StringVar(&sub, "subscription", "", "subscription id")
	_ = cmd.MarkFlagRequired("role")
	return cmd
}

func roleAssignmentList(g *globals) *cobra.Command {
	var assignee, role, scope, sub string
	var all, inherited, groups bool
	cmd := &cobra.Command{Use: "list", Short: "List role assignments"}
	cmd.RunE = withClient(g, func(ctx context.Context, cl *client) error {
		scope, err := cl.defaultScope(ctx, scope, sub)
		if err != nil {
			return err
		}
		var filters []string
		if !all {
			filters = append(filters, "atScope()")
		}
		if assignee != "" {
			id, _, err := resolveAssignee(ctx, cl, assignee, func(string) {})
			if err != nil {
				return err
			}
			if groups {
				filters = append(filters, "assignedTo('"+id+"')")
			} else {
				filters = append(filters, "principalId eq '"+id+"'")
			}
		}
		path := strings.TrimRight(scope, "/") + "/providers/Microsoft.Authorization/roleAssignments"
		if len(filters) > 0 {
			path += "?$filter=" + url.QueryEscape(strings.Join(filters, " and "))
		}
		var l objList
		if err := cl.arm(ctx, "GET", path, apiAuthz, nil, &l); err != nil {
			return err
		}
		out, err := decorateAssignments(ctx, cl, l.Value, scope, role, all || inherited)
		if err != nil {
			return err
		}
		return printJSON(cmd.OutOrStdout(), out)
	})
	f := cmd.Flags()
	f.StringVar(&assignee, "assignee", "", "only this principal")
	f.StringVar(&role, "role", "", "only this role (name or id)")
	f.StringVar(&scope, "scope", "", "scope (default: the subscription)")
	f.StringVar(&sub, "subscription", "", "subscription id")
	f.BoolVar(&all, "all", false, "also assignments below the scope")
	f.BoolVar(&inherited, "include-inherited", false, "also assignments above the scope")
	f.BoolVar(&groups, "include-groups", false, "with --assignee: also assignments of its groups")
	return cmd
}

// decorateAssignments flattens assignments as az prints them, with role
// and principal names, keeping those at the scope unless wider is asked.
func decorateAssignments(ctx context.Context, cl *client, items []obj, scope, role string, wider bool) ([]obj, error) {
	roleNames := map[string]string{}
	out := []obj{}
	for _, it := range items {
		p, _ := it["properties"].(map[string]any)
		if !wider && !strings.EqualFold(strings.TrimRight(str(p, "scope"), "/"), strings.TrimRight(scope, "/")) {
			continue
		}
		rid := str(p, "roleDefinitionId")
		if _, ok := roleNames[rid]; !ok {
			var rd obj
			if err := cl.arm(ctx, "GET", rid, apiAuthz, nil, &rd); err == nil {
				props, _ := rd["properties"].(map[string]any)
				roleNames[rid] = str(props, "roleName")
			}
		}
		if role != "" && !strings.EqualFold(roleNames[rid], role) && !strings.HasSuffix(strings.ToLower(rid), strings.ToLower(role)) {
			continue
		}
		row := obj{"id": it["id"], "name": it["name"], "type": it["type"], "roleDefinitionName": roleNames[rid]}
		for k, v := range p {
			row[k] = v
		}
		out = append(out, row)
	}
	return out, nil
}

func roleAssignmentDelete(g *globals) *cobra.Command {
	var ids []string
	var assignee, role, scope, sub string
	cmd := &cobra.Command{Use: "delete", Short: "Delete role assignments by id, or by assignee/role/scope"}
	cmd.RunE = withClient(g, func(ctx context.Context, cl *client) error {
		if len(ids) == 0 {
			scope, err := cl.defaultScope(ctx, scope, sub)
			if err != nil {
				return err
			}
			if ids, err = matchingAssignments(ctx, cl, assignee, role, scope); err != nil {
				return err
			}
			if len(ids) == 0 {
				return fmt.Errorf("no matched assignments were found to delete")
			}
		}
		for _, id := range ids {
			if err := cl.arm(ctx, "DELETE", id, apiAuthz, nil, nil); err != nil {
				return err
			}
		}
		return nil
	})
	f := cmd.Flags()
	f.StringSliceVar(&ids, "ids", nil, "role assignment ids")
	f.StringVar(&assignee, "assignee", "", "principal")
	f.StringVar(&role, "role", "", "role name or id")
	f.StringVar(&scope, "scope", "", "scope (default: the subscription)")
	f.StringVar(&sub, "subscription", "", "subscription id")
	return cmd
}

func matchingAssignments(ctx context.Context, cl *client, assignee, role, scope string) ([]string, error) {
	path := strings.TrimRight(scope, "/") + "/providers/Microsoft.Authorization/roleAssignments?$filter=" + url.QueryEscape("atScope()")
	if assignee != "" {
		id, _, err := resolveAssignee(ctx, cl, assignee, func(string) {})
		if err != nil {
			return nil, err
		}
		path = strings.TrimRight(scope, "/") + "/providers/Microsoft.Authorization/roleAssignments?$filter=" + url.QueryEscape("atScope() and principalId eq '"+id+"'")
	}
	var l objList
	if err := cl.arm(ctx, "GET", path, apiAuthz, nil, &l); err != nil {
		return nil, err
	}
	rows, err := decorateAssignments(ctx, cl, l.Value, scope, role, false)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, r := range rows {
		ids = append(ids, str(r, "id"))
	}
	return ids, nil
}

func roleDefinitionList(g *globals) *cobra.Command {
	var name, scope, sub string
	var custom bool
	cmd := &cobra.Command{Use: "list", Short: "List role definitions"}
	cmd.RunE = withClient(g, func(ctx context.Context, cl *client) error {
		scope, err := cl.defaultScope(ctx, scope, sub)
		if err != nil {
			return err
		}
		var f []string
		if name != "" {
			f = append(f, "roleName eq '"+quoteOData(name)+"'")
		}
		if custom {
			f = append(f, "type eq 'CustomRole'")
		}
		path := strings.TrimRight(scope, "/") + "/providers/Microsoft.Authorization/roleDefinitions"
		if len(f) > 0 {
			path += "?$filter=" + url.QueryEscape(strings.Join(f, " and "))
		}
		var l objList
		if err := cl.arm(ctx, "GET", path, apiAuthz, nil, &l); err != nil {
			return err
		}
		return printJSON(cmd.OutOrStdout(), l.Value)
	})
	cmd.Flags().StringVarP(&name, "name", "n", "", "role name")
	cmd.Flags().StringVar(&scope, "scope", "", "scope (default: the subscription)")
	cmd.Flags().StringVar(&sub, "subscription", "", "subscription id")
	cmd.Flags().BoolVar(&custom, "custom-role-only", false, "custom roles only")
	return cmd
}

// roleDefinitionCreate takes az's role definition JSON: Name, Description,
// Actions, NotActions, DataActions, NotDataActions, AssignableScopes.
func roleDefinitionCreate(g *globals) *cobra.Command {
	var def string
	cmd := &cobra.Command{Use: "create", Short: "Create a custom role from JSON (or @file)"}
	cmd.RunE = withClient(g, func(ctx context.Context, cl *client) error {
		data := []byte(def)
		if strings.HasPrefix(def, "@") {
			var err error
			if data, err = os.ReadFile(def[1:]); err != nil {
				return err
			}
		}
		var in struct {
			Name, Description                                string
			Actions, NotActions, DataActions, NotDataActions []string
			AssignableScopes                                 []string
			ID                                               string `json:"id"`
		}
		if err := json.Unmarshal(data, &in); err != nil {
			return fmt.Errorf("--role-definition: %w", err)
		}
		if len(in.AssignableScopes) == 0 {
			return fmt.Errorf("--role-definition: AssignableScopes is required")
		}
		id := in.ID
		if id == "" {
			id = newGUID()
		}
		body := obj{"properties": obj{"roleName": in.Name, "description": in.Description, "type": "CustomRole",
			"assignableScopes": in.AssignableScopes, "permissions": []obj{{"actions": nonNil(in.Actions),
				"notActions": nonNil(in.NotActions), "dataActions": nonNil(in.DataActions), "notDataActions": nonNil(in.NotDataActions)}}}}
		var out obj
		path := strings.TrimRight(in.AssignableScopes[0], "/") + "/providers/Microsoft.Authorization/roleDefinitions/" + id
		if err := cl.arm(ctx, "PUT", path, apiAuthz, body, &out); err != nil {
			return err
		}
		return printJSON(cmd.OutOrStdout(), out)
	})
	cmd.Flags().StringVar(&def, "role-definition", "", "JSON or @file (required)")
	_ = cmd.MarkFlagRequired("role-definition")
	return cmd
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func roleDefinitionDelete(g *globals) *cobra.Command {
	var name, scope, sub string
	cmd := &cobra.Command{Use: "delete", Short: "Delete a custom role"}
	cmd.RunE = withClient(g, func(ctx context.Context, cl *client) error {
		scope, err := cl.defaultScope(ctx, scope, sub)
		if err != nil {
			return err
		}
		rd, err := resolveRole(ctx, cl, name, scope)
		if err != nil {
			return err
		}
		return cl.arm(ctx, "DELETE", str(rd, "id"), apiAuthz, nil, nil)
	})
	cmd.Flags().StringVarP(&name, "name", "n", "", "role name or id (required)")
	cmd.Flags().StringVar(&scope, "scope", "", "scope (default: the subscription)")
	cmd.Flags().StringVar(&sub, "subscription", "", "subscription id")
	_ = cmd.MarkFlagRequired("name")
	return cmd
}
