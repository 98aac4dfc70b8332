package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// localHelp makes cmd's help list its own flags and only the named global
// ones: the client flags (--server, --client-secret, …) mean nothing to
// `serve` or `simulate`, and listing them misleads.
func localHelp(cmd *cobra.Command, globals ...string) {
	cmd.SetHelpFunc(func(c *cobra.Command, _ []string) {
		w := c.OutOrStdout()
		desc := c.Long
		if desc == "" {
			desc = c.Short
		}
		fmt.Fprintf(w, "%s\n\nUsage:\n  %s\n", strings.TrimSpace(desc), c.UseLine())
		fs := pflag.NewFlagSet(c.Name(), pflag.ContinueOnError)
		fs.AddFlagSet(c.LocalNonPersistentFlags())
		for _, name := range globals {
			if f := c.InheritedFlags().Lookup(name); f != nil {
				fs.AddFlag(f)
			}
		}
		if fs.HasFlags() {
			fmt.Fprintf(w, "\nFlags:\n%s", fs.FlagUsages())
		}
	})
}
