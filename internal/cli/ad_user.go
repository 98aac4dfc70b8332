package cli

import (
	"context"
	"net/url"

	"github.com/spf13/cobra"
)

func newADUser(g *globals) *cobra.Command {
	u := &cobra.Command{Use: "user", Short: "Manage users"}
	u.AddCommand(adUserCreate(g), adUserList(g), adUserShow(g), adUserDelete(g))
	return u
}

func adUserCreate(g *globals) *cobra.Command {
	var name, upn, password, nick string
	var force bool
	cmd := &cobra.Command{Use: "create", Short: "Create a user"}
	cmd.RunE = withClient(g, func(ctx context.Context, cl *client) error {
		if nick == "" {
			nick = upn
			if i := indexByte(upn, '@'); i > 0 {
				nick = upn[:i]
			}
		}
		body := obj{"accountEnabled": true, "displayName": name, "userPrincipalName": upn, "mailNickname": nick,
			"passwordProfile": obj{"password": password, "forceChangePasswordNextSignIn": force}}
		var out obj
		if err := cl.graph(ctx, "POST", "/users", body, &out); err != nil {
			return err
		}
		return printJSON(cmd.OutOrStdout(), out)
	})
	f := cmd.Flags()
	f.StringVar(&name, "display-name", "", "display name (required)")
	f.StringVar(&upn, "user-principal-name", "", "alias@domain (required)")
	f.StringVar(&password, "password", "", "password (required)")
	f.StringVar(&nick, "mail-nickname", "", "mail alias (default: the UPN's alias)")
	f.BoolVar(&force, "force-change-password-next-sign-in", false, "accepted for az compatibility")
	for _, r := range []string{"display-name", "user-principal-name", "password"} {
		_ = cmd.MarkFlagRequired(r)
	}
	return cmd
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

func adUserList(g *globals) *cobra.Command {
	var name, upn, filter string
	cmd := &cobra.Command{Use: "list", Short: "List users"}
	cmd.RunE = withClient(g, func(ctx context.Context, cl *client) error {
		switch {
		case name != "":
			filter = "startswith(displayName,'" + name + "')"
		case upn != "":
			filter = filterEq("userPrincipalName", upn)
		}
		var l objList
		if err := cl.graph(ctx, "GET", listPath("users", filter), nil, &l); err != nil {
			return err
		}
		return printJSON(cmd.OutOrStdout(), l.Value)
	})
	f := cmd.Flags()
	f.StringVar(&name, "display-name", "", "display name prefix")
	f.StringVar(&upn, "upn", "", "user principal name")
	f.StringVar(&filter, "filter", "", "OData filter")
	return cmd
}

func adUserShow(g *globals) *cobra.Command {
	var id string
	cmd := &cobra.Command{Use: "show", Short: "Show a user"}
	cmd.RunE = withClient(g, func(ctx context.Context, cl *client) error {
		var o obj
		if err := cl.graph(ctx, "GET", "/users/"+url.PathEscape(id), nil, &o); err != nil {
			return err
		}
		return printJSON(cmd.OutOrStdout(), o)
	})
	cmd.Flags().StringVar(&id, "id", "", "object id or user principal name (required)")
	_ = cmd.MarkFlagRequired("id")
	return cmd
}

func adUserDelete(g *globals) *cobra.Command {
	var id string
	cmd := &cobra.Command{Use: "delete", Short: "Delete a user"}
	cmd.RunE = withClient(g, func(ctx context.Context, cl *client) error {
		return cl.graph(ctx, "DELETE", "/users/"+url.PathEscape(id), nil, nil)
	})
	cmd.Flags().StringVar(&id, "id", "", "object id or user principal name (required)")
	_ = cmd.MarkFlagRequired("id")
	return cmd
}
