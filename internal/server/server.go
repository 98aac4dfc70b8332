// Package server assembles gatehouse: storage, directory, token service and
// the HTTP surfaces on one TLS listener.
package server

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/gatehouse/gatehouse/internal/arm"
	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/directory"
	"github.com/gatehouse/gatehouse/internal/gateway"
	"github.com/gatehouse/gatehouse/internal/graph"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
	"github.com/gatehouse/gatehouse/internal/sts"
	"github.com/gatehouse/gatehouse/internal/telemetry"
	"github.com/gatehouse/gatehouse/internal/tlsca"
	"github.com/gatehouse/gatehouse/internal/token"
)

// Config is what `gatehouse serve` is started with.
type Config struct {
	Addr       string   // listen address, default 127.0.0.1:8443
	DataDir    string   // state directory, default ./.gatehouse
	Hostnames  []string // extra names for the generated server certificate
	TLSCert    string   // bring your own certificate …
	TLSKey     string   // … and key
	ConfigFile string   // declarative YAML applied at start
	Demo       bool     // create and print the demo application
	BaseDomain string   // accounts answer at {account}.{BaseDomain} too
	// TokenLifetime of issued access tokens (default 1 h).
	TokenLifetime time.Duration
	// ClockSkew tolerated when verifying tokens' exp and nbf (default 1 min).
	ClockSkew time.Duration
	// AuditRetention is how long audit records are kept (0: for ever).
	AuditRetention time.Duration
	// SingleUseAssertions refuses a client assertion used a second time
	// before it expires. Off by default: MSAL (Node, Python, so the Azure
	// CLI) reuses one signed assertion for about ten minutes, as Entra
	// allows.
	SingleUseAssertions bool
	KeyPolicy           token.Policy
	Logger              *slog.Logger
	Out                 io.Writer // where start-up messages for people go
	// Listener, when set, is used instead of binding Addr (see Bind).
	Listener net.Listener
}

// Server is a running gatehouse.
type Server struct {
	cfg    Config
	log    *slog.Logger
	st     store.Store
	dir    *directory.Directory
	keys   *token.Keys
	authz  *authz.Authorizer
	armSvc *arm.Service
	ca     *tlsca.CA
	boot   *Bootstrap
	http   *http.Server
	ln     net.Listener
	creds  *Credentials

	tel     store.Store // telemetry: usage and audit records
	rec     *telemetry.Recorder
	gw      *gateway.Service
	reg     *prometheus.Registry
	handler http.Handler
	tls     *tls.Config
	conf    *config.File // parsed ConfigFile
}

// New opens the data directory and prepares every component. What can be
// checked without the data directory — the configuration file, a brought
// certificate — is checked first, and a data directory New created is
// removed again when start-up fails, so a failed start leaves no debris.
func New(ctx context.Context, cfg Config) (*Server, error) {
	cfg = withDefaults(cfg)
	s := &Server{cfg: cfg, log: cfg.Logger}
	if err := s.precheck(); err != nil {
		return nil, err
	}
	_, statErr := os.Stat(cfg.DataDir)
	fresh := errors.Is(statErr, os.ErrNotExist)
	if err := s.open(ctx); err != nil {
		s.Close()
		if fresh {
			_ = os.RemoveAll(cfg.DataDir)
		}
		return nil, err
	}
	return s, nil
}

// precheck reads the configuration file and a brought certificate.
func (s *Server) precheck() error {
	if s.cfg.ConfigFile != "" {
		f, err := config.Load(s.cfg.ConfigFile)
		if err != nil {
			return err // config errors name the file
		}
		s.conf = f
	}
	if s.cfg.TLSCert != "" || s.cfg.TLSKey != "" {
		cert, err := tlsca.LoadKeyPair(s.cfg.TLSCert, s.cfg.TLSKey)
		if err != nil {
			return err
		}
		s.tls = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	return nil
}

func (s *Server) open(ctx context.Context) error {
	if err := os.MkdirAll(s.cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	st, err := sqlite.Open(filepath.Join(s.cfg.DataDir, "gatehouse.db"))
	if err != nil {
		return err
	}
	s.st = st
	return s.init(ctx)
}

func withDefaults(cfg Config) Config {
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:8443"
	}
	if cfg.DataDir == "" {
		cfg.DataDir = ".gatehouse"
	}
	if cfg.ClockSkew == 0 {
		cfg.ClockSkew = time.Minute
	}
	if cfg.ClockSkew < 0 {
		cfg.ClockSkew = 0
	}
	if cfg.KeyPolicy.RotateEvery == 0 {
		cfg.KeyPolicy = token.DefaultPolicy
	}
	if cfg.TokenLifetime <= 0 {
		cfg.TokenLifetime = time.Hour - time.Second
	}
	// A retired key stays published until every token it signed, accepted
	// with the clock skew, has expired.
	if need := cfg.TokenLifetime + cfg.ClockSkew; cfg.KeyPolicy.TokenLifetime < need {
		cfg.KeyPolicy.TokenLifetime = need
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewJSONHandler(os.Stderr, nil))
	}
	if cfg.Out == nil {
		cfg.Out = os.Stdout
	}
	return cfg
}

func (s *Server) init(ctx context.Context) error {
	if s.tls == nil {
		ca, err := tlsca.Ensure(filepath.Join(s.cfg.DataDir, "tls"), s.cfg.Hostnames, time.Now())
		if err != nil {
			return err
		}
		s.ca = ca
		s.tls = &tls.Config{Certificates: []tls.Certificate{ca.TLSCertificate()}, MinVersion: tls.VersionTLS12}
	}
	key, err := loadOrCreateKey(filepath.Join(s.cfg.DataDir, "secret.key"))
	if err != nil {
		return err
	}
	s.dir = directory.New(s.st, key)
	s.keys = token.NewKeys(s.st, s.cfg.KeyPolicy)
	s.authz = authz.New(s.st, s.log)
	if err := authz.Rekey(ctx, s.st, func(tx store.Tx) error { return arm.RekeyResources(ctx, tx) }); err != nil {
		return fmt.Errorf("authorization state: %w", err)
	}
	if err := s.keys.Rotate(ctx); err != nil {
		return fmt.Errorf("signing keys: %w", err)
	}
	if s.tel, err = sqlite.Open(filepath.Join(s.cfg.DataDir, "telemetry.db")); err != nil {
		return fmt.Errorf("telemetry store: %w", err)
	}
	s.rec = telemetry.NewRecorder(s.tel, s.log)
	s.rec.Retention = s.cfg.AuditRetention
	s.buildHandler()
	if s.boot, err = s.bootstrap(ctx); err != nil {
		return fmt.Errorf("bootstrap: %w", err)
	}
	s.armSvc.OperatorTenant = s.boot.TenantID
	if err := s.dir.EnsureWellKnownEverywhere(ctx); err != nil {
		return fmt.Errorf("well-known resources: %w", err)
	}
	if s.conf != nil {
		if err := applyConfigFile(ctx, s.dir, s.conf, s.cfg.ConfigFile, s.cfg.DataDir, s.cfg.Out); err != nil {
			return fmt.Errorf("config %s: %w", s.cfg.ConfigFile, err)
		}
	}
	if s.cfg.Demo {
		if s.creds, err = ensureDemo(ctx, s.dir, s.boot, DemoFile(s.cfg.DataDir)); err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
	}
	// Compile the authorization state now, so the first request does not
	// pay for it; from here on it follows the store by its changes.
	if _, err := s.authz.Snapshot(ctx); err != nil {
		return fmt.Errorf("authorization state: %w", err)
	}
	return nil
}

// Authorizer is the authorization state the surfaces decide with.
func (s *Server) Authorizer() *authz.Authorizer { return s.authz }

// bootstrap runs the first-start set-up and (re)writes the admin file when
// the admin secret was just created.
func (s *Server) bootstrap(ctx context.Context) (*Bootstrap, error) {
	b, secret, err := ensureBootstrap(ctx, s.dir)
	if err != nil || secret == "" {
		return b, err
	}
	creds := &Credentials{Tenant: b.TenantID, ClientID: b.AdminAppID, ClientSecret: secret, CAFile: s.CAFile()}
	if s.cfg.Listener != nil { // else Listen writes it
		creds.Server = s.URL()
	}
	return b, writeCredentials(AdminFile(s.cfg.DataDir), creds)
}

// loadOrCreateKey reads the key that digests client secrets, creating a
// random one on first start. Replicas sharing a database share this file.
func loadOrCreateKey(path string) ([]byte, error) {
	if b, err := os.ReadFile(path); err == nil {
		if len(b) < 32 {
			return nil, fmt.Errorf("%s: key too short", path)
		}
		return b, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	return b, os.WriteFile(path, b, 0o600)
}

// Handler is the whole HTTP surface (used by tests with httptest too).
func (s *Server) Handler() http.Handler { return s.handler }

// buildHandler assembles the surfaces behind one router.
func (s *Server) buildHandler() {
	verifier := token.NewVerifier(s.keys, s.cfg.ClockSkew)
	s.reg = prometheus.NewRegistry()
	s.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	s.gw = gateway.New(s.dir, s.st, verifier, s.authz, gateway.Options{Logger: s.log,
		Metrics: gateway.NewMetrics(s.reg), Recorder: s.rec})
	armSvc := arm.New(s.dir, s.st, verifier, s.authz, s.log)
	armSvc.Telemetry, armSvc.Recorder, armSvc.Endpoint = s.tel, s.rec, s.accountEndpoint
	s.armSvc = armSvc
	graphSvc := graph.New(s.dir, verifier, s.log)
	graphSvc.Recorder = s.rec
	rt := &router{
		sts: sts.New(s.dir, s.keys, sts.Options{Logger: s.log, TokenLifetime: s.cfg.TokenLifetime,
			SingleUseAssertions: s.cfg.SingleUseAssertions}).Handler(),
		graph:      graphSvc.Handler(),
		arm:        armSvc.Handler(),
		gateway:    s.gw,
		baseDomain: strings.ToLower(s.cfg.BaseDomain),
		metrics:    promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{}),
	}
	s.handler = logRequests(s.log, rt)
}

// accountEndpoint is an account's data-plane URL: {account}.{base domain}
// when a base domain is configured (wildcard DNS), else the /accounts/
// prefix on the host the client used.
func (s *Server) accountEndpoint(base, account string) string {
	if s.cfg.BaseDomain == "" {
		return base + "/accounts/" + account + "/"
	}
	port := ""
	if _, p, err := net.SplitHostPort(strings.TrimPrefix(strings.TrimPrefix(base, "https://"), "http://")); err == nil && p != "443" {
		port = ":" + p
	}
	return "https://" + account + "." + s.cfg.BaseDomain + port + "/"
}

// Directory exposes the directory (for tests and the config loader).
func (s *Server) Directory() *directory.Directory { return s.dir }

// SigningKeys are the keys tokens are signed with (tests forge tokens the
// token endpoint never issues: expired, of another issuer).
func (s *Server) SigningKeys() *token.Keys { return s.keys }

// Bootstrap tells what the first start created.
func (s *Server) Bootstrap() *Bootstrap { return s.boot }

// Listen binds the address (unless Config.Listener is set) and records
// the server's URL for the CLI; Serve then runs.
func (s *Server) Listen() error {
	ln := s.cfg.Listener
	if ln == nil {
		var err error
		if ln, err = Bind(s.cfg.Addr); err != nil {
			return err
		}
	}
	s.ln = tls.NewListener(ln, s.tls)
	s.http = newHTTPServer(s.Handler(), s.log, defaultTimeouts)
	return s.writeAdminServer()
}

// URL is the server's base URL.
func (s *Server) URL() string {
	addr := s.cfg.Addr
	if s.ln != nil {
		addr = s.ln.Addr().String()
	} else if s.cfg.Listener != nil {
		addr = s.cfg.Listener.Addr().String()
	}
	return "https://" + addr
}

// CAFile is the local CA's certificate path ("" with a brought certificate).
func (s *Server) CAFile() string {
	if s.ca == nil {
		return ""
	}
	// Absolute: the CLI reads it from admin.json in any working directory.
	if abs, err := filepath.Abs(s.ca.CertPath()); err == nil {
		return abs
	}
	return s.ca.CertPath()
}

// writeAdminServer records the server URL and CA in the admin file, so the
// CLI on this machine needs no flags.
func (s *Server) writeAdminServer() error {
	path := AdminFile(s.cfg.DataDir)
	c, err := ReadCredentials(path)
	if err != nil {
		s.log.Warn("admin credentials file missing; the CLI needs explicit credentials", "path", path)
		return nil
	}
	c.Server, c.CAFile = s.URL(), s.CAFile()
	if err := writeCredentials(path, c); err != nil {
		return err
	}
	if s.creds != nil { // the demo file tells the same server and CA
		s.creds.Server, s.creds.CAFile = c.Server, c.CAFile
		return writeCredentials(DemoFile(s.cfg.DataDir), s.creds)
	}
	return nil
}

// Serve runs until ctx ends, then shuts down gracefully.
func (s *Server) Serve(ctx context.Context) error {
	go s.rotateKeys(ctx)
	recCtx, stopRec := context.WithCancel(context.Background())
	recDone := make(chan struct{})
	go func() { s.rec.Run(recCtx, 2*time.Second); close(recDone) }()
	defer func() { stopRec(); <-recDone }() // the last flush happens after the listener stops
	if s.creds != nil {
		key := ""
		if k, err := arm.Keys(ctx, s.st, "/subscriptions/"+s.boot.SubscriptionID+"/resourceGroups/"+demo.ResourceGroup+
			"/providers/Microsoft.CognitiveServices/accounts/"+demo.Account); err == nil {
			key = k.Key1
		}
		printDemo(s.cfg.Out, s.URL(), s.CAFile(), key, s.creds)
	}
	s.log.Info("gatehouse listening", "url", s.URL(), "data", s.cfg.DataDir, "tenant", s.boot.TenantID)
	errc := make(chan error, 1)
	go func() { errc <- s.http.Serve(s.ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	err := s.http.Shutdown(shutdownCtx)
	s.log.Info("gatehouse stopped")
	return err
}

// rotateKeys checks the signing-key schedule every minute.
func (s *Server) rotateKeys(ctx context.Context) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.keys.Rotate(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("signing key rotation failed", "err", err)
			}
		}
	}
}

// Close flushes telemetry and releases the stores.
func (s *Server) Close() error {
	if s.rec != nil {
		_ = s.rec.Flush(context.Background())
	}
	if s.tel != nil {
		_ = s.tel.Close()
	}
	if s.st == nil {
		return nil
	}
	return s.st.Close()
}

// FlushTelemetry writes buffered usage and audit records now (tests, and
// before reading them right after a request).
func (s *Server) FlushTelemetry(ctx context.Context) error { return s.rec.Flush(ctx) }
