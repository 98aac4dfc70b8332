package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
)

func newADSP(g *globals) *cobra.Command {
	sp := &cobra.Command{Use: "sp", Short: "Manage service principals"}
	sp.AddCommand(adSPCreate(g), adSPList(g), adSPShow(g), adSPDelete(g), adSPCreateForRBAC(g))
	return sp
}

func adSPCreate(g *globals) *cobra.Command {
	var id string
	cmd := &cobra.Command{Use: "create", Short: "Create the service principal of an application"}
	cmd.RunE = withClient(g, func(ctx context.Context, cl *client) error {
		appID := id
		if !isGUID(id) {
			o, err := findApp(ctx, cl, id)
			if err != nil {
				return err
			}
			appID = str(o, "appId")
		}
		var out obj
		if err := cl.graph(ctx, "POST", "/servicePrincipals", obj{"appId": appID}, &out); err != nil {
			return err
		}
		return printJSON(cmd.OutOrStdout(), out)
	})
	cmd.Flags().StringVar(&id, "id", "", "appId or identifier URI of the application (required)")
	_ = cmd.MarkFlagRequired("id")
	return cmd
}

func adSPList(g *globals) *cobra.Command {
	var name, spn, filter string
	var all bool
	cmd := &cobra.Command{Use: "list", Short: "List service principals"}
	cmd.RunE = withClient(g, func(ctx context.Context, cl *client) error {
		switch {
		case name != "":
			filter = "startswith(displayName,'" + name + "')"
		case spn != "":
			filter = "servicePrincipalNames/any(c:c eq '" + spn + "')"
		}
		var l objList
		if err := cl.graph(ctx, "GET", listPath("servicePrincipals", filter), nil, &l); err != nil {
			return err
		}
		return printJSON(cmd.OutOrStdout(), l.Value)
	})
	f := cmd.Flags()
	f.StringVar(&name, "display-name", "", "display name prefix")
	f.StringVar(&spn, "spn", "", "service principal name")
	f.StringVar(&filter, "filter", "", "OData filter")
	f.BoolVar(&all, "all", false, "list all (gatehouse lists all by default)")
	return cmd
}

func adSPShow(g *globals) *cobra.Command {
	var id string
	cmd := &cobra.Command{Use: "show", Short: "Show a service principal"}
	cmd.RunE = withClient(g, func(ctx context.Context, cl *client) error {
		o, err := findSP(ctx, cl, id)
		if err != nil {
			return err
		}
		return printJSON(cmd.OutOrStdout(), o)
	})
	cmd.Flags().StringVar(&id, "id", "", "appId, object id or service principal name (required)")
	_ = cmd.MarkFlagRequired("id")
	return cmd
}

func adSPDelete(g *globals) *cobra.Command {
	var id string
	cmd := &cobra.Command{Use: "delete", Short: "Delete a service principal"}
	cmd.RunE = withClient(g, func(ctx context.Context, cl *client) error {
		o, err := findSP(ctx, cl, id)
		if err != nil {
			return err
		}
		return cl.graph(ctx, "DELETE", "/servicePrincipals/"+str(o, "id"), nil, nil)
	})
	cmd.Flags().StringVar(&id, "id", "", "appId, object id or service principal name (required)")
	_ = cmd.MarkFlagRequired("id")
	return cmd
}

// adSPCreateForRBAC follows az: reuse or create the app by display name,
// add a secret, create the service principal if missing, print the result.
func adSPCreateForRBAC(g *globals) *cobra.Command {
	var name string
	var years int
	cmd := &cobra.Command{Use: "create-for-rbac", Short: "Create an app with a secret and its service principal in one step"}
	cmd.RunE = withClient(g, func(ctx context.Context, cl *client) error {
		if name == "" {
			name = "azure-cli-" + timestampName()
		}
		app, err := findOrCreateApp(ctx, cl, name)
		if err != nil {
			return err
		}
		secret, err := addPassword(ctx, cl, str(app, "id"), "rbac", years, "")
		if err != nil {
			return err
		}
		if _, err := findSP(ctx, cl, str(app, "appId")); err != nil {
			if e, ok := err.(*APIError); !ok || e.Status != 404 {
				return err
			}
			if err := cl.graph(ctx, "POST", "/servicePrincipals", obj{"appId": str(app, "appId")}, nil); err != nil {
				return err
			}
		}
		fmt.Fprintln(cmd.ErrOrStderr(), "WARNING: The output includes credentials that you must protect.")
		return printJSON(cmd.OutOrStdout(), obj{"appId": str(app, "appId"), "displayName": name,
			"password": secret, "tenant": cl.c.Tenant})
	})
	cmd.Flags().StringVarP(&name, "name", "n", "", "display name of the app")
	cmd.Flags().IntVar(&years, "years", 1, "years the secret is valid")
	return cmd
}

func findOrCreateApp(ctx context.Context, cl *client, name string) (obj, error) {
	var l objList
	if err := cl.graph(ctx, "GET", listPath("applications", filterEq("displayName", name)), nil, &l); err != nil {
		return nil, err
	}
	if len(l.Value) > 0 {
		return l.Value[0], nil
	}
	var app obj
	return app, cl.graph(ctx, "POST", "/applications", obj{"displayName": name}, &app)
}
