package cli

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/gatehouse/gatehouse/internal/server"
)

func newServe(g *globals) *cobra.Command {
	var cfg server.Config
	var level string
	cmd := &cobra.Command{Use: "serve", Short: "Run the gatehouse server",
		RunE: func(cmd *cobra.Command, _ []string) error {
			var lv slog.Level
			if err := lv.UnmarshalText([]byte(level)); err != nil {
				return fmt.Errorf("--log-level: %w", err)
			}
			d := g.data()
			cfg.DataDir = d.Path
			if cfg.BaseDomain != "" {
				cfg.Hostnames = append(cfg.Hostnames, cfg.BaseDomain, "*."+cfg.BaseDomain)
			}
			cfg.Logger = slog.New(slog.NewJSONHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: lv}))
			cfg.Out = cmd.OutOrStdout()
			cfg.Logger.Info("data directory", "path", d.describe())
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return serve(ctx, cfg)
		}}
	f := cmd.Flags()
	f.StringVar(&cfg.Addr, "addr", "127.0.0.1:8443", "address to listen on (HTTPS)")
	f.StringSliceVar(&cfg.Hostnames, "hostname", nil, "extra host name for the generated certificate (repeatable)")
	f.StringVar(&cfg.TLSCert, "tls-cert", "", "use this certificate (PEM) instead of the local CA's")
	f.StringVar(&cfg.TLSKey, "tls-key", "", "private key (PEM) of --tls-cert")
	f.StringVar(&cfg.ConfigFile, "config", "", "YAML of tenants, users, groups and applications to apply at start")
	f.BoolVar(&cfg.Demo, "demo", true, "create the demo app registration and print commands to try it")
	f.StringVar(&level, "log-level", "info", "debug, info, warn or error")
	f.DurationVar(&cfg.TokenLifetime, "token-lifetime", time.Hour-time.Second, "lifetime of issued access tokens")
	f.DurationVar(&cfg.ClockSkew, "clock-skew", time.Minute, "clock skew tolerated on token exp/nbf (negative: none)")
	cfg.AuditRetention = 90 * 24 * time.Hour
	f.Var((*days)(&cfg.AuditRetention), "audit-retention", "how long audit records are kept, e.g. 90d or 36h (0: for ever)")
	f.BoolVar(&cfg.SingleUseAssertions, "single-use-assertions", false,
		"refuse a client assertion (same client and jti) used twice before it expires; off by default because MSAL reuses one for ~10 minutes")
	f.StringVar(&cfg.BaseDomain, "base-domain", "", "serve account X also at X.<base-domain> (wildcard DNS); adds *.<base-domain> to the generated certificate")
	localHelp(cmd, "data")
	return cmd
}

// serve binds the address first and only then creates the data directory,
// so a busy port leaves nothing behind (server.New cleans up after itself).
func serve(ctx context.Context, cfg server.Config) error {
	ln, err := server.Bind(cfg.Addr)
	if err != nil {
		return err
	}
	cfg.Listener = ln
	s, err := server.New(ctx, cfg)
	if err != nil {
		ln.Close()
		return err
	}
	defer s.Close()
	if err := s.Listen(); err != nil {
		return err
	}
	return s.Serve(ctx)
}

func newCA(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "ca", Short: "Print the path of the local CA certificate to trust",
		Long: "Prints the path of the CA certificate that `gatehouse serve` created in its data directory,\n" +
			"and fails when there is none (so that `export X=$(gatehouse ca)` cannot silently go wrong).\n\n" +
			"  Go:            SSL_CERT_FILE=$(gatehouse ca)\n" +
			"  Node:          NODE_EXTRA_CA_CERTS=$(gatehouse ca)\n" +
			"  Python / az:   REQUESTS_CA_BUNDLE=$(gatehouse ca)",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d := g.data()
			path, err := filepath.Abs(caCertPath(d.Path))
			if err != nil {
				return err
			}
			if _, err := os.Stat(path); err != nil {
				return fmt.Errorf("no CA certificate at %s: the data directory is %s; start `gatehouse serve` (it creates the CA) or point --data (or GATEHOUSE_DATA) at the server's data directory", path, d.describe())
			}
			fmt.Fprintln(cmd.OutOrStdout(), path)
			return nil
		}}
	localHelp(cmd, "data")
	return cmd
}

// caCertPath is where the server keeps its local CA's certificate
// (internal/tlsca in the data directory's tls/).
func caCertPath(dataDir string) string { return filepath.Join(dataDir, "tls", "ca.pem") }

// days is a duration flag that also takes whole days ("90d").
type days time.Duration

func (d *days) String() string {
	v := time.Duration(*d)
	if v > 0 && v%(24*time.Hour) == 0 {
		return strconv.FormatInt(int64(v/(24*time.Hour)), 10) + "d"
	}
	return v.String()
}

func (d *days) Set(s string) error {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		v, err := strconv.ParseUint(n, 10, 16)
		if err != nil {
			return fmt.Errorf("%q: want a number of days (90d) or a duration (36h)", s)
		}
		*d = days(time.Duration(v) * 24 * time.Hour)
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil || v < 0 {
		return fmt.Errorf("%q: want a number of days (90d) or a duration (36h)", s)
	}
	*d = days(v)
	return nil
}

func (d *days) Type() string { return "duration" }
