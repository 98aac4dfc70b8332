package cli

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// obj is a Graph object as JSON.
type obj = map[string]any

type objList struct {
	Value []obj `json:"value"`
}

func newAD(g *globals) *cobra.Command {
	ad := &cobra.Command{Use: "ad", Short: "Manage the directory: applications, service principals, users, groups (as `az ad`)"}
	ad.AddCommand(newADApp(g), newADSP(g), newADUser(g), newADGroup(g))
	return ad
}

// filterEq builds an OData eq filter with quotes escaped.
func filterEq(field, value string) string {
	return field + " eq '" + strings.ReplaceAll(value, "'", "''") + "'"
}

func listPath(coll, filter string) string {
	if filter == "" {
		return "/" + coll
	}
	return "/" + coll + "?$filter=" + url.QueryEscape(filter)
}

// findOne lists coll with filter and demands exactly one result.
func findOne(ctx context.Context, cl *client, coll, filter, what string) (obj, error) {
	var l objList
	if err := cl.graph(ctx, "GET", listPath(coll, filter), nil, &l); err != nil {
		return nil, err
	}
	switch len(l.Value) {
	case 0:
		return nil, fmt.Errorf("%s not found", what)
	case 1:
		return l.Value[0], nil
	}
	return nil, fmt.Errorf("more than one %s matches; use the object id", what)
}

func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return false
			}
		case !strings.ContainsRune("0123456789abcdefABCDEF", c):
			return false
		}
	}
	return true
}

// findApp resolves --id: appId, object id or identifier URI (as az does).
func findApp(ctx context.Context, cl *client, id string) (obj, error) {
	if !isGUID(id) {
		return findOne(ctx, cl, "applications", "identifierUris/any(s:s eq '"+strings.ReplaceAll(id, "'", "''")+"')", "application '"+id+"'")
	}
	var o obj
	err := cl.graph(ctx, "GET", "/applications(appId='"+id+"')", nil, &o)
	if e, ok := err.(*APIError); ok && e.Status == 404 {
		err = cl.graph(ctx, "GET", "/applications/"+id, nil, &o)
	}
	return o, err
}

// findSP resolves --id: appId, object id or service principal name.
func findSP(ctx context.Context, cl *client, id string) (obj, error) {
	if !isGUID(id) {
		return findOne(ctx, cl, "servicePrincipals", "servicePrincipalNames/any(c:c eq '"+strings.ReplaceAll(id, "'", "''")+"')", "service principal '"+id+"'")
	}
	var o obj
	err := cl.graph(ctx, "GET", "/servicePrincipals(appId='"+id+"')", nil, &o)
	if e, ok := err.(*APIError); ok && e.Status == 404 {
		err = cl.graph(ctx, "GET", "/servicePrincipals/"+id, nil, &o)
	}
	return o, err
}

// findGroup resolves --group: object id or display name.
func findGroup(ctx context.Context, cl *client, g string) (obj, error) {
	if isGUID(g) {
		var o obj
		return o, cl.graph(ctx, "GET", "/groups/"+g, nil, &o)
	}
	return findOne(ctx, cl, "groups", filterEq("displayName", g), "group '"+g+"'")
}

func str(o obj, k string) string {
	s, _ := o[k].(string)
	return s
}

// addPassword adds a secret to the app and returns the secret text.
func addPassword(ctx context.Context, cl *client, appObjectID, name string, years int, end string) (string, error) {
	cred := obj{"displayName": name}
	if end != "" {
		t, err := time.Parse(time.RFC3339, end)
		if err != nil {
			if t, err = time.Parse("2006-01-02", end); err != nil {
				return "", fmt.Errorf("--end-date: %q is not a date (YYYY-MM-DD or RFC 3339)", end)
			}
		}
		cred["endDateTime"] = t.UTC().Format(time.RFC3339)
	} else if years > 0 {
		cred["endDateTime"] = time.Now().UTC().AddDate(years, 0, 0).Format(time.RFC3339)
	}
	var out obj
	if err := cl.graph(ctx, "POST", "/applications/"+appObjectID+"/addPassword", obj{"passwordCredential": cred}, &out); err != nil {
		return "", err
	}
	return str(out, "secretText"), nil
}
