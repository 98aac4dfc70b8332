package cli

import (
	"context"
	"net/url"
	"strings"

	"github.com/spf13/cobra"
)

func newAccount(g *globals) *cobra.Command {
	acct := &cobra.Command{Use: "account", Short: "Subscriptions (as `az account`)"}
	list := &cobra.Command{Use: "list", Short: "List the subscriptions you can see (az's profile shape; the first is the default)"}
	list.RunE = withClient(g, func(ctx context.Context, cl *client) error {
		var l objList
		if err := cl.arm(ctx, "GET", "/subscriptions", apiSubscription, nil, &l); err != nil {
			return err
		}
		out := []obj{}
		for i, s := range l.Value {
			out = append(out, profile(s, cl.c, i == 0))
		}
		return printJSON(list.OutOrStdout(), out)
	})
	var sub string
	show := &cobra.Command{Use: "show", Short: "Show a subscription (default: the first) as `az account show` does"}
	show.RunE = withClient(g, func(ctx context.Context, cl *client) error {
		def, err := cl.subscription(ctx, "")
		if err != nil {
			return err
		}
		id := def
		if sub != "" {
			id = sub
		}
		var o obj
		if err := cl.arm(ctx, "GET", "/subscriptions/"+url.PathEscape(id), apiSubscription, nil, &o); err != nil {
			return err
		}
		return printJSON(show.OutOrStdout(), profile(o, cl.c, str(o, "subscriptionId") == def))
	})
	acct.AddCommand(list, show)
	return acct
}

func newGroup(g *globals) *cobra.Command {
	grp := &cobra.Command{Use: "group", Short: "Resource groups (as `az group`)"}
	var name, location, sub string
	var tags map[string]string
	var yes bool
	withRG := func(use, short string, fn func(ctx context.Context, cl *client, path string, cmd *cobra.Command) error) *cobra.Command {
		cmd := &cobra.Command{Use: use, Short: short}
		cmd.RunE = withClient(g, func(ctx context.Context, cl *client) error {
			s, err := cl.subscription(ctx, sub)
			if err != nil {
				return err
			}
			return fn(ctx, cl, rgPath(s, name), cmd)
		})
		cmd.Flags().StringVarP(&sub, "subscription", "s", "", "subscription id")
		if use != "list" {
			cmd.Flags().StringVarP(&name, "name", "n", "", "resource group name (required)")
			_ = cmd.MarkFlagRequired("name")
		}
		return cmd
	}
	create := withRG("create", "Create or update a resource group", func(ctx context.Context, cl *client, path string, cmd *cobra.Command) error {
		var o obj
		if err := cl.arm(ctx, "PUT", path, apiResources, obj{"location": location, "tags": tags}, &o); err != nil {
			return err
		}
		return printJSON(cmd.OutOrStdout(), o)
	})
	create.Flags().StringVarP(&location, "location", "l", "", "location (required)")
	create.Flags().StringToStringVar(&tags, "tags", nil, "tags key=value")
	_ = create.MarkFlagRequired("location")
	show := withRG("show", "Show a resource group", func(ctx context.Context, cl *client, path string, cmd *cobra.Command) error {
		var o obj
		if err := cl.arm(ctx, "GET", path, apiResources, nil, &o); err != nil {
			return err
		}
		return printJSON(cmd.OutOrStdout(), o)
	})
	del := withRG("delete", "Delete a resource group and everything in it", func(ctx context.Context, cl *client, path string, cmd *cobra.Command) error {
		return cl.arm(ctx, "DELETE", path, apiResources, nil, nil)
	})
	del.Flags().BoolVarP(&yes, "yes", "y", false, "do not prompt (gatehouse never prompts)")
	list := withRG("list", "List resource groups", func(ctx context.Context, cl *client, path string, cmd *cobra.Command) error {
		var l objList
		if err := cl.arm(ctx, "GET", strings.TrimSuffix(path, "/"), apiResources, nil, &l); err != nil {
			return err
		}
		return printJSON(cmd.OutOrStdout(), l.Value)
	})
	grp.AddCommand(create, show, del, list)
	return grp
}
