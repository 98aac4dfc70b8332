package cli

import (
	"context"
	"net/url"
	"strings"

	"github.com/spf13/cobra"
)

// csFlags are the flags every `cognitiveservices account` command shares.
type csFlags struct {
	sub, rg, name string
}

func (f *csFlags) bind(cmd *cobra.Command, needName bool) {
	cmd.Flags().StringVarP(&f.sub, "subscription", "s", "", "subscription id")
	cmd.Flags().StringVarP(&f.rg, "resource-group", "g", "", "resource group (required)")
	_ = cmd.MarkFlagRequired("resource-group")
	if needName {
		cmd.Flags().StringVarP(&f.name, "name", "n", "", "account name (required)")
		_ = cmd.MarkFlagRequired("name")
	}
}

func (f *csFlags) path(ctx context.Context, cl *client) (string, error) {
	s, err := cl.subscription(ctx, f.sub)
	if err != nil {
		return "", err
	}
	return accountPath(s, f.rg, f.name), nil
}

// csCommand builds a command that runs fn against the account's ARM path.
func csCommand(g *globals, use, short string, needName bool, f *csFlags, fn func(ctx context.Context, cl *client, path string, cmd *cobra.Command) error) *cobra.Command {
	cmd := &cobra.Command{Use: use, Short: short}
	cmd.RunE = withClient(g, func(ctx context.Context, cl *client) error {
		p, err := f.path(ctx, cl)
		if err != nil {
			return err
		}
		return fn(ctx, cl, p, cmd)
	})
	f.bind(cmd, needName)
	return cmd
}

func printARM(ctx context.Context, cl *client, cmd *cobra.Command, method, path string, body any) error {
	var o any
	if err := cl.arm(ctx, method, path, apiCognitive, body, &o); err != nil {
		return err
	}
	if o == nil {
		return nil
	}
	if l, ok := o.(map[string]any); ok && l["value"] != nil && len(l) <= 2 {
		o = l["value"]
	}
	return printJSON(cmd.OutOrStdout(), o)
}

func newCognitive(g *globals) *cobra.Command {
	cs := &cobra.Command{Use: "cognitiveservices", Short: "Cognitive Services / Foundry accounts (as `az cognitiveservices`)"}
	acct := &cobra.Command{Use: "account", Short: "Manage accounts"}
	acct.AddCommand(csAccountCreate(g), csAccountUpdate(g), csSimple(g, "show", "Show an account", "GET", ""),
		csSimple(g, "delete", "Delete an account", "DELETE", ""), csAccountList(g), csKeys(g), csProject(g), csDeployment(g))
	cs.AddCommand(acct)
	return cs
}

func csSimple(g *globals, use, short, method, suffix string) *cobra.Command {
	f := &csFlags{}
	return csCommand(g, use, short, true, f, func(ctx context.Context, cl *client, p string, cmd *cobra.Command) error {
		return printARM(ctx, cl, cmd, method, p+suffix, nil)
	})
}

func csAccountCreate(g *globals) *cobra.Command {
	f := &csFlags{}
	var kind, sku, location, domain string
	var tags map[string]string
	var disableLocal, projects, yes, identity bool
	cmd := csCommand(g, "create", "Create an account", true, f, func(ctx context.Context, cl *client, p string, cmd *cobra.Command) error {
		props := obj{"disableLocalAuth": disableLocal, "allowProjectManagement": projects}
		if domain != "" {
			props["customSubDomainName"] = domain
		}
		body := obj{"kind": kind, "sku": obj{"name": sku}, "location": location, "tags": tags, "properties": props}
		if identity {
			body["identity"] = obj{"type": "SystemAssigned"}
		}
		return printARM(ctx, cl, cmd, "PUT", p, body)
	})
	fl := cmd.Flags()
	fl.StringVar(&kind, "kind", "AIServices", "AIServices, OpenAI, …")
	fl.StringVar(&sku, "sku", "S0", "sku name")
	fl.StringVarP(&location, "location", "l", "", "location (required)")
	fl.StringVar(&domain, "custom-domain", "", "custom subdomain (default: the account name)")
	fl.StringToStringVar(&tags, "tags", nil, "tags key=value")
	fl.BoolVar(&disableLocal, "disable-local-auth", false, "refuse keys: Entra tokens only")
	fl.BoolVar(&projects, "allow-project-management", false, "allow Foundry projects in this account")
	fl.BoolVar(&identity, "assign-identity", false, "give the account a system-assigned managed identity")
	fl.BoolVar(&yes, "yes", false, "accepted for az compatibility")
	_ = cmd.MarkFlagRequired("location")
	return cmd
}

func csAccountUpdate(g *globals) *cobra.Command {
	f := &csFlags{}
	var sku string
	var tags map[string]string
	var disableLocal, projects bool
	cmd := csCommand(g, "update", "Update an account", true, f, func(ctx context.Context, cl *client, p string, cmd *cobra.Command) error {
		body, props := obj{}, obj{}
		if cmd.Flags().Changed("sku") {
			body["sku"] = obj{"name": sku}
		}
		if cmd.Flags().Changed("tags") {
			body["tags"] = tags
		}
		if cmd.Flags().Changed("disable-local-auth") {
			props["disableLocalAuth"] = disableLocal
		}
		if cmd.Flags().Changed("allow-project-management") {
			props["allowProjectManagement"] = projects
		}
		body["properties"] = props
		return printARM(ctx, cl, cmd, "PATCH", p, body)
	})
	cmd.Flags().StringVar(&sku, "sku", "", "sku name")
	cmd.Flags().StringToStringVar(&tags, "tags", nil, "tags key=value")
	cmd.Flags().BoolVar(&disableLocal, "disable-local-auth", false, "refuse keys: Entra tokens only")
	cmd.Flags().BoolVar(&projects, "allow-project-management", false, "allow Foundry projects")
	return cmd
}

func csAccountList(g *globals) *cobra.Command {
	var sub, rg string
	cmd := &cobra.Command{Use: "list", Short: "List accounts (of a resource group, or of the subscription)"}
	cmd.RunE = withClient(g, func(ctx context.Context, cl *client) error {
		s, err := cl.subscription(ctx, sub)
		if err != nil {
			return err
		}
		p := "/subscriptions/" + url.PathEscape(s)
		if rg != "" {
			p = rgPath(s, rg)
		}
		return printARM(ctx, cl, cmd, "GET", p+"/providers/Microsoft.CognitiveServices/accounts", nil)
	})
	cmd.Flags().StringVarP(&sub, "subscription", "s", "", "subscription id")
	cmd.Flags().StringVarP(&rg, "resource-group", "g", "", "resource group")
	return cmd
}

func csKeys(g *globals) *cobra.Command {
	keys := &cobra.Command{Use: "keys", Short: "Account keys"}
	f := &csFlags{}
	var keyName string
	regen := csCommand(g, "regenerate", "Regenerate Key1 or Key2", true, f, func(ctx context.Context, cl *client, p string, cmd *cobra.Command) error {
		return printARM(ctx, cl, cmd, "POST", p+"/regenerateKey", obj{"keyName": keyName})
	})
	regen.Flags().StringVar(&keyName, "key-name", "", "Key1 or Key2 (required)")
	_ = regen.MarkFlagRequired("key-name")
	keys.AddCommand(csSimple(g, "list", "List the keys", "POST", "/listKeys"), regen)
	return keys
}

// childCommands builds create/show/list/delete for projects or deployments.
func childCommands(g *globals, parent *cobra.Command, coll, flag string, body func(cmd *cobra.Command) obj, bindCreate func(cmd *cobra.Command)) {
	var child string
	mk := func(use, short, method string, withChild bool, withBody bool) *cobra.Command {
		f := &csFlags{}
		cmd := csCommand(g, use, short, true, f, func(ctx context.Context, cl *client, p string, cmd *cobra.Command) error {
			p += "/" + coll
			if withChild {
				p += "/" + url.PathEscape(child)
			}
			var b any
			if withBody {
				b = body(cmd)
			}
			return printARM(ctx, cl, cmd, method, p, b)
		})
		if withChild {
			cmd.Flags().StringVar(&child, flag, "", strings.TrimSuffix(coll, "s")+" name (required)")
			_ = cmd.MarkFlagRequired(flag)
		}
		return cmd
	}
	create := mk("create", "Create or update", "PUT", true, true)
	bindCreate(create)
	parent.AddCommand(create, mk("show", "Show", "GET", true, false), mk("delete", "Delete", "DELETE", true, false), mk("list", "List", "GET", false, false))
}

func csProject(g *globals) *cobra.Command {
	proj := &cobra.Command{Use: "project", Short: "Foundry projects of an account"}
	var location, display, desc string
	childCommands(g, proj, "projects", "project-name", func(*cobra.Command) obj {
		return obj{"location": location, "identity": obj{"type": "SystemAssigned"},
			"properties": obj{"displayName": display, "description": desc}}
	}, func(cmd *cobra.Command) {
		cmd.Flags().StringVarP(&location, "location", "l", "", "location (default: the account's)")
		cmd.Flags().StringVar(&display, "display-name", "", "display name")
		cmd.Flags().StringVar(&desc, "description", "", "description")
	})
	return proj
}

func csDeployment(g *globals) *cobra.Command {
	dep := &cobra.Command{Use: "deployment", Short: "Model deployments of an account"}
	var model, version, format, sku, upstream string
	var capacity int
	childCommands(g, dep, "deployments", "deployment-name", func(*cobra.Command) obj {
		props := obj{"model": obj{"name": model, "version": version, "format": format}}
		if upstream != "" {
			props["upstream"] = upstream
		}
		return obj{"sku": obj{"name": sku, "capacity": capacity}, "properties": props}
	}, func(cmd *cobra.Command) {
		f := cmd.Flags()
		f.StringVar(&model, "model-name", "", "model name (required)")
		f.StringVar(&version, "model-version", "", "model version")
		f.StringVar(&format, "model-format", "OpenAI", "model format")
		f.StringVar(&sku, "sku-name", "Standard", "Standard, GlobalStandard, …")
		f.IntVar(&capacity, "sku-capacity", 1, "capacity in units of 1,000 tokens per minute")
		f.StringVar(&upstream, "upstream", "", "where requests go (see the inference gateway)")
		_ = cmd.MarkFlagRequired("model-name")
	})
	return dep
}
