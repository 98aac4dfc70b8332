package cli

import (
	"context"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

func timestampName() string { return time.Now().UTC().Format("2006-01-02-15-04-05") }

func newADGroup(g *globals) *cobra.Command {
	grp := &cobra.Command{Use: "group", Short: "Manage security groups"}
	grp.AddCommand(adGroupCreate(g), adGroupList(g), adGroupShow(g), adGroupDelete(g), adGroupMember(g))
	return grp
}

func adGroupCreate(g *globals) *cobra.Command {
	var name, nick, desc string
	cmd := &cobra.Command{Use: "create", Short: "Create a security group"}
	cmd.RunE = withClient(g, func(ctx context.Context, cl *client) error {
		var out obj
		body := obj{"displayName": name, "mailNickname": nick, "description": desc, "securityEnabled": true, "mailEnabled": false}
		if err := cl.graph(ctx, "POST", "/groups", body, &out); err != nil {
			return err
		}
		return printJSON(cmd.OutOrStdout(), out)
	})
	f := cmd.Flags()
	f.StringVar(&name, "display-name", "", "display name (required)")
	f.StringVar(&nick, "mail-nickname", "", "mail nickname (required)")
	f.StringVar(&desc, "description", "", "description")
	_ = cmd.MarkFlagRequired("display-name")
	_ = cmd.MarkFlagRequired("mail-nickname")
	return cmd
}

func adGroupList(g *globals) *cobra.Command {
	var name, filter string
	cmd := &cobra.Command{Use: "list", Short: "List groups"}
	cmd.RunE = withClient(g, func(ctx context.Context, cl *client) error {
		if name != "" {
			filter = "startswith(displayName,'" + name + "')"
		}
		var l objList
		if err := cl.graph(ctx, "GET", listPath("groups", filter), nil, &l); err != nil {
			return err
		}
		return printJSON(cmd.OutOrStdout(), l.Value)
	})
	cmd.Flags().StringVar(&name, "display-name", "", "display name prefix")
	cmd.Flags().StringVar(&filter, "filter", "", "OData filter")
	return cmd
}

func adGroupShow(g *globals) *cobra.Command {
	var group string
	cmd := &cobra.Command{Use: "show", Short: "Show a group"}
	cmd.RunE = withClient(g, func(ctx context.Context, cl *client) error {
		o, err := findGroup(ctx, cl, group)
		if err != nil {
			return err
		}
		return printJSON(cmd.OutOrStdout(), o)
	})
	cmd.Flags().StringVarP(&group, "group", "g", "", "group object id or display name (required)")
	_ = cmd.MarkFlagRequired("group")
	return cmd
}

func adGroupDelete(g *globals) *cobra.Command {
	var group string
	cmd := &cobra.Command{Use: "delete", Short: "Delete a group"}
	cmd.RunE = withClient(g, func(ctx context.Context, cl *client) error {
		o, err := findGroup(ctx, cl, group)
		if err != nil {
			return err
		}
		return cl.graph(ctx, "DELETE", "/groups/"+str(o, "id"), nil, nil)
	})
	cmd.Flags().StringVarP(&group, "group", "g", "", "group object id or display name (required)")
	_ = cmd.MarkFlagRequired("group")
	return cmd
}

func adGroupMember(g *globals) *cobra.Command {
	m := &cobra.Command{Use: "member", Short: "Manage group members"}
	var group, member string
	mk := func(use, short string, needMember bool, fn func(ctx context.Context, cl *client, gid string) (any, error)) *cobra.Command {
		cmd := &cobra.Command{Use: use, Short: short}
		cmd.RunE = withClient(g, func(ctx context.Context, cl *client) error {
			o, err := findGroup(ctx, cl, group)
			if err != nil {
				return err
			}
			out, err := fn(ctx, cl, str(o, "id"))
			if err != nil || out == nil {
				return err
			}
			return printJSON(cmd.OutOrStdout(), out)
		})
		cmd.Flags().StringVarP(&group, "group", "g", "", "group object id or display name (required)")
		_ = cmd.MarkFlagRequired("group")
		if needMember {
			cmd.Flags().StringVar(&member, "member-id", "", "object id of the member (required)")
			_ = cmd.MarkFlagRequired("member-id")
		}
		return cmd
	}
	m.AddCommand(
		mk("add", "Add a member (user, service principal or group)", true, func(ctx context.Context, cl *client, gid string) (any, error) {
			ref := obj{"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/" + member}
			return nil, cl.graph(ctx, "POST", "/groups/"+gid+"/members/$ref", ref, nil)
		}),
		mk("remove", "Remove a member", true, func(ctx context.Context, cl *client, gid string) (any, error) {
			return nil, cl.graph(ctx, "DELETE", "/groups/"+gid+"/members/"+member+"/$ref", nil, nil)
		}),
		mk("list", "List direct members", false, func(ctx context.Context, cl *client, gid string) (any, error) {
			var l objList
			err := cl.graph(ctx, "GET", "/groups/"+gid+"/members", nil, &l)
			return l.Value, err
		}),
		mk("check", "Check whether an object is a member (directly or through nested groups)", true, func(ctx context.Context, cl *client, gid string) (any, error) {
			var l struct {
				Value []string `json:"value"`
			}
			err := cl.graph(ctx, "POST", "/directoryObjects/"+member+"/checkMemberGroups", obj{"groupIds": []string{gid}}, &l)
			found := false
			for _, v := range l.Value {
				found = found || strings.EqualFold(v, gid)
			}
			return obj{"value": found}, err
		}),
	)
	return m
}
