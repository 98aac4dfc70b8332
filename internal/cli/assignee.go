package cli

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// principal is a resolved --assignee.
type principal struct {
	id, kind, label string
}

// resolveAssignee finds the object id and principal type of --assignee as
// az does: a user (UPN or object id), a group (display name or object id)
// or a service principal (appId, display name, service principal name or
// object id). An appId means that app's service principal — a common
// mistake, so it is said out loud.
func resolveAssignee(ctx context.Context, cl *client, assignee string, stderr func(string)) (string, string, error) {
	if isGUID(assignee) {
		return resolveAssigneeID(ctx, cl, assignee, stderr)
	}
	var found []principal
	if strings.Contains(assignee, "@") {
		var u obj
		err := cl.graph(ctx, "GET", "/users/"+url.PathEscape(assignee), nil, &u)
		if err == nil {
			found = append(found, principal{str(u, "id"), "User", "user"})
		} else if !isNotFound(err) {
			return "", "", err
		}
	}
	for _, q := range []struct{ coll, filter, kind, label string }{
		{"groups", filterEq("displayName", assignee), "Group", "group"},
		{"servicePrincipals", filterEq("displayName", assignee), "ServicePrincipal", "service principal"},
		{"servicePrincipals", "servicePrincipalNames/any(c:c eq '" + quoteOData(assignee) + "')", "ServicePrincipal", "service principal"},
	} {
		var l objList
		if err := cl.graph(ctx, "GET", listPath(q.coll, q.filter), nil, &l); err != nil {
			return "", "", err
		}
		for _, o := range l.Value {
			found = appendUnique(found, principal{str(o, "id"), q.kind, q.label})
		}
	}
	switch len(found) {
	case 0:
		return "", "", fmt.Errorf("no user (by user principal name), group (by display name) or service principal (by display name or service principal name) is called '%s'; an object id or appId also works", assignee)
	case 1:
		return found[0].id, found[0].kind, nil
	}
	var names []string
	for _, p := range found {
		names = append(names, p.label+" "+p.id)
	}
	return "", "", fmt.Errorf("'%s' names more than one principal (%s); use --assignee-object-id", assignee, strings.Join(names, ", "))
}

// resolveAssigneeID resolves an appId or an object id.
func resolveAssigneeID(ctx context.Context, cl *client, id string, stderr func(string)) (string, string, error) {
	var sp obj
	if err := cl.graph(ctx, "GET", "/servicePrincipals(appId='"+id+"')", nil, &sp); err == nil {
		stderr(fmt.Sprintf("'%s' is an application (client) id; using its service principal, object id %s. Role assignments are made to the service principal's object id.", id, str(sp, "id")))
		return str(sp, "id"), "ServicePrincipal", nil
	} else if !isNotFound(err) {
		return "", "", err
	}
	var o obj
	if err := cl.graph(ctx, "GET", "/directoryObjects/"+id, nil, &o); err != nil {
		if isNotFound(err) {
			return "", "", fmt.Errorf("no user, group or service principal has the object id '%s', and no service principal the appId", id)
		}
		return "", "", err
	}
	types := map[string]string{"#microsoft.graph.user": "User", "#microsoft.graph.group": "Group", "#microsoft.graph.servicePrincipal": "ServicePrincipal"}
	return id, types[str(o, "@odata.type")], nil
}

func appendUnique(ps []principal, p principal) []principal {
	for _, q := range ps {
		if q.id == p.id {
			return ps
		}
	}
	return append(ps, p)
}

func isNotFound(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.Status == 404
}
