package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
)

func newADApp(g *globals) *cobra.Command {
	app := &cobra.Command{Use: "app", Short: "Manage app registrations"}
	app.AddCommand(adAppCreate(g), adAppList(g), adAppShow(g), adAppDelete(g), adAppUpdate(g), adAppCredential(g))
	return app
}

func adAppCreate(g *globals) *cobra.Command {
	var name, audience string
	var uris []string
	var tokenVersion int
	cmd := &cobra.Command{Use: "create", Short: "Register an application"}
	cmd.RunE = withClient(g, func(ctx context.Context, cl *client) error {
		body := obj{"displayName": name}
		if len(uris) > 0 {
			body["identifierUris"] = uris
		}
		if audience != "" {
			body["signInAudience"] = audience
		}
		if tokenVersion != 0 {
			body["api"] = obj{"requestedAccessTokenVersion": tokenVersion}
		}
		var out obj
		if err := cl.graph(ctx, "POST", "/applications", body, &out); err != nil {
			return err
		}
		return printJSON(cmd.OutOrStdout(), out)
	})
	f := cmd.Flags()
	f.StringVar(&name, "display-name", "", "display name (required)")
	f.StringSliceVar(&uris, "identifier-uris", nil, "application ID URIs, space or comma separated")
	f.StringVar(&audience, "sign-in-audience", "", "AzureADMyOrg (default) or AzureADMultipleOrgs")
	f.IntVar(&tokenVersion, "requested-access-token-version", 0, "access token version for this app as an API (1 or 2)")
	_ = cmd.MarkFlagRequired("display-name")
	return cmd
}

func adAppList(g *globals) *cobra.Command {
	var name, appID, filter string
	var all bool
	cmd := &cobra.Command{Use: "list", Short: "List applications"}
	cmd.RunE = withClient(g, func(ctx context.Context, cl *client) error {
		switch {
		case name != "":
			filter = "startswith(displayName,'" + name + "')"
		case appID != "":
			filter = filterEq("appId", appID)
		}
		var l objList
		if err := cl.graph(ctx, "GET", listPath("applications", filter), nil, &l); err != nil {
			return err
		}
		return printJSON(cmd.OutOrStdout(), l.Value)
	})
	f := cmd.Flags()
	f.StringVar(&name, "display-name", "", "display name prefix")
	f.StringVar(&appID, "app-id", "", "application (client) id")
	f.StringVar(&filter, "filter", "", "OData filter")
	f.BoolVar(&all, "all", false, "list all (gatehouse lists all by default)")
	return cmd
}

func adAppShow(g *globals) *cobra.Command {
	var id string
	cmd := &cobra.Command{Use: "show", Short: "Show an application"}
	cmd.RunE = withClient(g, func(ctx context.Context, cl *client) error {
		o, err := findApp(ctx, cl, id)
		if err != nil {
			return err
		}
		return printJSON(cmd.OutOrStdout(), o)
	})
	cmd.Flags().StringVar(&id, "id", "", "appId, object id or identifier URI (required)")
	_ = cmd.MarkFlagRequired("id")
	return cmd
}

func adAppDelete(g *globals) *cobra.Command {
	var id string
	cmd := &cobra.Command{Use: "delete", Short: "Delete an application and its service principals"}
	cmd.RunE = withClient(g, func(ctx context.Context, cl *client) error {
		o, err := findApp(ctx, cl, id)
		if err != nil {
			return err
		}
		return cl.graph(ctx, "DELETE", "/applications/"+str(o, "id"), nil, nil)
	})
	cmd.Flags().StringVar(&id, "id", "", "appId, object id or identifier URI (required)")
	_ = cmd.MarkFlagRequired("id")
	return cmd
}

func adAppUpdate(g *globals) *cobra.Command {
	var id, name string
	var uris []string
	var tokenVersion int
	cmd := &cobra.Command{Use: "update", Short: "Update an application"}
	cmd.RunE = withClient(g, func(ctx context.Context, cl *client) error {
		o, err := findApp(ctx, cl, id)
		if err != nil {
			return err
		}
		body := obj{}
		if cmd.Flags().Changed("display-name") {
			body["displayName"] = name
		}
		if cmd.Flags().Changed("identifier-uris") {
			body["identifierUris"] = uris
		}
		if tokenVersion != 0 {
			body["api"] = obj{"requestedAccessTokenVersion": tokenVersion}
		}
		return cl.graph(ctx, "PATCH", "/applications/"+str(o, "id"), body, nil)
	})
	f := cmd.Flags()
	f.StringVar(&id, "id", "", "appId, object id or identifier URI (required)")
	f.StringVar(&name, "display-name", "", "new display name")
	f.StringSliceVar(&uris, "identifier-uris", nil, "application ID URIs")
	f.IntVar(&tokenVersion, "requested-access-token-version", 0, "access token version (1 or 2)")
	_ = cmd.MarkFlagRequired("id")
	return cmd
}

func adAppCredential(g *globals) *cobra.Command {
	c := &cobra.Command{Use: "credential", Short: "Manage an application's secrets"}
	c.AddCommand(adAppCredentialReset(g), adAppCredentialList(g), adAppCredentialDelete(g))
	return c
}

func adAppCredentialReset(g *globals) *cobra.Command {
	var id, name, end string
	var years int
	var appendCred bool
	cmd := &cobra.Command{Use: "reset", Short: "Add a new secret (replacing the others unless --append) and print it once"}
	cmd.RunE = withClient(g, func(ctx context.Context, cl *client) error {
		o, err := findApp(ctx, cl, id)
		if err != nil {
			return err
		}
		oid := str(o, "id")
		secret, err := addPassword(ctx, cl, oid, name, years, end)
		if err != nil {
			return err
		}
		if !appendCred {
			if err := removeOtherPasswords(ctx, cl, oid, o); err != nil {
				return err
			}
		}
		fmt.Fprintln(cmd.ErrOrStderr(), "WARNING: The output includes credentials that you must protect.")
		return printJSON(cmd.OutOrStdout(), obj{"appId": str(o, "appId"), "password": secret, "tenant": cl.c.Tenant})
	})
	f := cmd.Flags()
	f.StringVar(&id, "id", "", "appId, object id or identifier URI (required)")
	f.StringVar(&name, "display-name", "", "friendly name of the secret")
	f.IntVar(&years, "years", 1, "years the secret is valid")
	f.StringVar(&end, "end-date", "", "expiry date (YYYY-MM-DD or RFC 3339), instead of --years")
	f.BoolVar(&appendCred, "append", false, "keep the existing secrets")
	_ = cmd.MarkFlagRequired("id")
	return cmd
}

// removeOtherPasswords drops the secrets the app had before the reset.
func removeOtherPasswords(ctx context.Context, cl *client, oid string, before obj) error {
	creds, _ := before["passwordCredentials"].([]any)
	for _, c := range creds {
		if m, ok := c.(map[string]any); ok {
			if err := cl.graph(ctx, "POST", "/applications/"+oid+"/removePassword", obj{"keyId": str(m, "keyId")}, nil); err != nil {
				return err
			}
		}
	}
	return nil
}

func adAppCredentialList(g *globals) *cobra.Command {
	var id string
	cmd := &cobra.Command{Use: "list", Short: "List an application's secrets (without their values)"}
	cmd.RunE = withClient(g, func(ctx context.Context, cl *client) error {
		o, err := findApp(ctx, cl, id)
		if err != nil {
			return err
		}
		return printJSON(cmd.OutOrStdout(), o["passwordCredentials"])
	})
	cmd.Flags().StringVar(&id, "id", "", "appId, object id or identifier URI (required)")
	_ = cmd.MarkFlagRequired("id")
	return cmd
}

func adAppCredentialDelete(g *globals) *cobra.Command {
	var id, keyID string
	cmd := &cobra.Command{Use: "delete", Short: "Delete a secret by key id"}
	cmd.RunE = withClient(g, func(ctx context.Context, cl *client) error {
		o, err := findApp(ctx, cl, id)
		if err != nil {
			return err
		}
		return cl.graph(ctx, "POST", "/applications/"+str(o, "id")+"/removePassword", obj{"keyId": keyID}, nil)
	})
	cmd.Flags().StringVar(&id, "id", "", "appId, object id or identifier URI (required)")
	cmd.Flags().StringVar(&keyID, "key-id", "", "key id of the secret (required)")
	_ = cmd.MarkFlagRequired("id")
	_ = cmd.MarkFlagRequired("key-id")
	return cmd
}
