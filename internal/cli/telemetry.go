package cli

import (
	"context"
	"net/url"

	"github.com/spf13/cobra"
)

func newUsage(g *globals) *cobra.Command {
	var principal, deployment string
	cmd := &cobra.Command{Use: "usage", Short: "Requests and tokens used per deployment and principal (recorded by the gateway)"}
	cmd.RunE = withClient(g, func(ctx context.Context, cl *client) error {
		q := url.Values{}
		if principal != "" {
			q.Set("principalId", principal)
		}
		if deployment != "" {
			q.Set("deployment", deployment)
		}
		path := "/providers/Gatehouse/usage"
		if len(q) > 0 {
			path += "?" + q.Encode()
		}
		var l objList
		if err := cl.arm(ctx, "GET", path, apiGatehouse, nil, &l); err != nil {
			return err
		}
		return printJSON(cmd.OutOrStdout(), l.Value)
	})
	cmd.Flags().StringVar(&principal, "principal-id", "", "only this principal (object id, or 'key' for key callers)")
	cmd.Flags().StringVar(&deployment, "deployment", "", "only this deployment (name or id)")
	return cmd
}

func newAudit(g *globals) *cobra.Command {
	audit := &cobra.Command{Use: "audit", Short: "The audit trail: data-plane access decisions and refused authentications (ARM and data plane)"}
	var principal, since string
	var top int
	var denied bool
	list := &cobra.Command{Use: "list", Short: "List decisions, newest first"}
	list.RunE = withClient(g, func(ctx context.Context, cl *client) error {
		q := url.Values{}
		if principal != "" {
			q.Set("principalId", principal)
		}
		if since != "" {
			q.Set("since", since)
		}
		if denied {
			q.Set("denied", "true")
		}
		if top > 0 {
			q.Set("$top", itoa(top))
		}
		path := "/providers/Gatehouse/audit"
		if len(q) > 0 {
			path += "?" + q.Encode()
		}
		var l objList
		if err := cl.arm(ctx, "GET", path, apiGatehouse, nil, &l); err != nil {
			return err
		}
		return printJSON(list.OutOrStdout(), l.Value)
	})
	f := list.Flags()
	f.StringVar(&principal, "principal-id", "", "only this principal")
	f.StringVar(&since, "since", "", "only decisions after this time (RFC 3339)")
	f.IntVar(&top, "top", 100, "at most this many")
	f.BoolVar(&denied, "denied", false, "only denials and refused authentications")
	audit.AddCommand(list)
	return audit
}
