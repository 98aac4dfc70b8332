// Package cli is gatehouse's command line: the server (`serve`) and an
// az-shaped client of gatehouse's APIs (`ad`, …).
package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/spf13/cobra"
)

// Run executes the command line args, writing to stdout and stderr, and
// returns the process exit code.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRoot()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	if err := root.ExecuteContext(ctx); err != nil {
		var ex *exitError
		if errors.As(err, &ex) {
			if ex.msg != "" {
				fmt.Fprintln(stderr, ex.msg)
			}
			return ex.code
		}
		fmt.Fprintln(stderr, "ERROR:", err)
		return 1
	}
	return 0
}

func newRoot() *cobra.Command {
	g := &globals{}
	root := &cobra.Command{Use: "gatehouse", Short: "Entra ID, Azure RBAC and an Azure OpenAI gateway in one binary",
		SilenceUsage: true, SilenceErrors: true, Version: version()}
	root.SetVersionTemplate("gatehouse {{.Version}}\n")
	pf := root.PersistentFlags()
	pf.StringVar(&g.dataFlag, "data", "", "data directory (default: env GATEHOUSE_DATA, else ./.gatehouse if it exists, else $XDG_DATA_HOME/gatehouse or ~/.local/share/gatehouse)")
	pf.StringVar(&g.conn.Server, "server", "", "gatehouse URL for client commands (env GATEHOUSE_SERVER)")
	pf.StringVar(&g.conn.Tenant, "tenant", "", "tenant to sign in to (env GATEHOUSE_TENANT)")
	pf.StringVar(&g.conn.ClientID, "client-id", "", "administrator appId (env GATEHOUSE_CLIENT_ID)")
	pf.StringVar(&g.conn.ClientSecret, "client-secret", "", "administrator secret (env GATEHOUSE_CLIENT_SECRET)")
	pf.StringVar(&g.conn.CAFile, "ca-file", "", "CA certificate to trust (env GATEHOUSE_CA_FILE)")
	root.AddCommand(newServe(g), newCA(g), newAD(g), newRole(g), newAccount(g), newGroup(g), newCognitive(g), newAccess(g), newUsage(g), newAudit(g), newSimulate())
	return root
}

func itoa(n int) string { return strconv.Itoa(n) }

// printJSON writes v as indented JSON, as az does by default.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// withClient runs fn with a signed-in client.
func withClient(g *globals, fn func(ctx context.Context, cl *client) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, _ []string) error {
		c, err := g.resolve()
		if err != nil {
			return err
		}
		cl, err := newClient(c)
		if err != nil {
			return err
		}
		return fn(cmd.Context(), cl)
	}
}
