package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

type accessResult struct {
	Allowed        bool     `json:"allowed"`
	PrincipalID    string   `json:"principalId"`
	PrincipalType  string   `json:"principalType"`
	Action         string   `json:"action"`
	DataAction     bool     `json:"dataAction"`
	Scope          string   `json:"scope"`
	Explanation    string   `json:"explanation"`
	RolesThatGrant []string `json:"leastPrivilegedRolesThatGrant"`
	Advice         *struct {
		Command   string `json:"command"`
		AzCommand string `json:"azCommand"`
	} `json:"advice"`
}

func newAccess(g *globals) *cobra.Command {
	access := &cobra.Command{Use: "access", Short: "Explain access decisions"}
	var assignee, action, scope, output string
	var data bool
	check := &cobra.Command{Use: "check", Short: "May this principal perform this action at this scope? And why (not)?",
		Long: "May this principal perform this action at this scope? And why (not)?\n\n" +
			"Exit status: 0 when allowed, 3 when denied, 1 when the check could not be made."}
	check.RunE = withClient(g, func(ctx context.Context, cl *client) error {
		id, _, err := resolveAssignee(ctx, cl, assignee, func(m string) { fmt.Fprintln(check.ErrOrStderr(), "WARNING:", m) })
		if err != nil {
			return err
		}
		body := obj{"principalId": id, "action": action, "scope": scope}
		if check.Flags().Changed("data-action") {
			body["dataAction"] = data
		}
		var raw obj
		if err := cl.arm(ctx, "POST", "/providers/Gatehouse/accessCheck", apiGatehouse, body, &raw); err != nil {
			return err
		}
		var res accessResult
		if err := remarshal(raw, &res); err != nil {
			return err
		}
		if output == "json" {
			if err := printJSON(check.OutOrStdout(), raw); err != nil {
				return err
			}
		} else {
			printAccess(check.OutOrStdout(), &res)
		}
		if !res.Allowed { // so that `gatehouse access check …` can gate a CI job
			return &exitError{code: ExitDenied}
		}
		return nil
	})
	f := check.Flags()
	f.StringVar(&assignee, "assignee", "", "user (UPN or id), group, service principal (object id or appId) (required)")
	f.StringVar(&action, "action", "", "action or data action, e.g. Microsoft.CognitiveServices/accounts/OpenAI/deployments/chat/completions/action (required)")
	f.StringVar(&scope, "scope", "", "scope (required)")
	f.BoolVar(&data, "data-action", false, "the action is a data action (guessed from its name when not given)")
	f.StringVarP(&output, "output", "o", "text", "text or json")
	for _, r := range []string{"assignee", "action", "scope"} {
		_ = check.MarkFlagRequired(r)
	}
	access.AddCommand(check)
	return access
}

func printAccess(w io.Writer, r *accessResult) {
	verdict := "DENIED"
	if r.Allowed {
		verdict = "ALLOWED"
	}
	plane := "action"
	if r.DataAction {
		plane = "data action"
	}
	fmt.Fprintf(w, "%s: %s %s may %sperform %s %s at %s\n", verdict, r.PrincipalType, r.PrincipalID, map[bool]string{true: "", false: "not "}[r.Allowed], plane, r.Action, r.Scope)
	fmt.Fprintln(w, r.Explanation)
	if r.Allowed {
		return
	}
	if len(r.RolesThatGrant) > 0 {
		fmt.Fprintln(w, "Least-privileged built-in roles that would grant it:")
		for _, n := range r.RolesThatGrant {
			fmt.Fprintln(w, "  -", n)
		}
	}
	if r.Advice != nil && r.Advice.Command != "" {
		fmt.Fprintln(w, "To assign the first one:")
		fmt.Fprintln(w, " ", r.Advice.Command)
		fmt.Fprintln(w, "or with the Azure CLI:")
		fmt.Fprintln(w, " ", r.Advice.AzCommand)
	}
}
