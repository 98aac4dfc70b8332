package interop

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fixture is the shared server of the suite and what it was configured with.
type fixture struct {
	URL    string `json:"url"`
	Tenant string `json:"tenant"`
	CAFile string `json:"caFile"`

	// Secret app: the demo app registration (demo.json).
	SecretAppID  string `json:"secretAppId"`
	SecretValue  string `json:"secretValue"`
	SecretAppOID string `json:"secretAppOid"` // its service principal's id

	// Certificate app, declared in the --config YAML.
	CertAppID  string `json:"certAppId"`
	CertAppOID string `json:"certAppOid"`
	CertPEM    string `json:"certPem"` // certificate and private key, PEM

	// The API app (requestedAccessTokenVersion 2, role Data.Read).
	APIAppID string `json:"apiAppId"`

	// Admin credentials from admin.json.
	Admin creds `json:"admin"`

	http    *http.Client
	srv     *server
	data    string // --data
	cfgFile string // --config
}

// The v2 API declared in the configuration.
const (
	apiIdentifierURI = "api://interop-api"
	apiRole          = "Data.Read"
)

var fx *fixture

// childEnv marks a re-executed test binary (see TestSSLCertFile); it gets
// the fixture from fixtureEnv instead of starting a server.
const (
	childEnv   = "GATEHOUSE_INTEROP_CHILD"
	fixtureEnv = "GATEHOUSE_INTEROP_FIXTURE"
)

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		if err := json.Unmarshal([]byte(os.Getenv(fixtureEnv)), &fx); err != nil {
			fmt.Fprintln(os.Stderr, "child: bad fixture:", err)
			os.Exit(2)
		}
		os.Exit(m.Run())
	}
	os.Exit(run(m))
}

func run(m *testing.M) int {
	tmp, err := os.MkdirTemp("", "gatehouse-interop-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer os.RemoveAll(tmp)
	if bin := os.Getenv("GATEHOUSE_BIN"); bin != "" { // a prebuilt binary (e.g. with -race)
		binPath, err = filepath.Abs(bin)
	} else {
		binPath, err = buildBinary(tmp)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	if fx, err = setUp(tmp); err != nil {
		fmt.Fprintln(os.Stderr, "set-up:", err)
		if fx != nil && fx.srv != nil {
			fx.srv.Kill()
			fmt.Fprintln(os.Stderr, fx.srv.Logs())
		}
		return 2
	}
	code := m.Run()

	if fx.srv.Exited() {
		fmt.Fprintf(os.Stderr, "FAIL: gatehouse died during the tests (%v)\n%s\n", fx.srv.Err(), fx.srv.Logs())
		return 1
	}
	// Graceful shutdown: SIGTERM must end the server with status 0 promptly.
	start := time.Now()
	exit, err := fx.srv.Stop(10 * time.Second)
	switch {
	case err != nil:
		fmt.Fprintf(os.Stderr, "FAIL: graceful shutdown: %v\n%s\n", err, fx.srv.Logs())
		code = 1
	case exit != 0:
		fmt.Fprintf(os.Stderr, "FAIL: graceful shutdown: exit status %d after SIGTERM\n%s\n", exit, fx.srv.Logs())
		code = 1
	case time.Since(start) > 5*time.Second:
		fmt.Fprintf(os.Stderr, "FAIL: graceful shutdown took %v (want < 5s)\n", time.Since(start))
		code = 1
	default:
		fmt.Printf("graceful shutdown: exit 0 after SIGTERM in %v\n", time.Since(start).Round(time.Millisecond))
	}
	if show := os.Getenv("GATEHOUSE_INTEROP_LOGS"); (code != 0 && show != "") || show == "all" { // "1": on failure, "all": always
		fmt.Fprintln(os.Stderr, fx.srv.Logs())
	}
	return code
}

// setUp writes the certificate and the configuration, starts the server
// and collects the ids the tests check tokens against.
func setUp(tmp string) (*fixture, error) {
	certPEM, keyPEM, err := newCertificate("interop-cert-app")
	if err != nil {
		return nil, err
	}
	certFile := filepath.Join(tmp, "interop-cert.pem")
	if err := os.WriteFile(certFile, certPEM, 0o600); err != nil {
		return nil, err
	}
	f := &fixture{CertPEM: string(certPEM) + string(keyPEM), CertAppID: newGUID(), APIAppID: newGUID()}
	cfg := fmt.Sprintf(`tenants:
- domain: gatehouse.onmicrosoft.com
  applications:
  - appId: %[1]s
    displayName: interop-api
    identifierUris: [%[3]s]
    requestedAccessTokenVersion: 2
    appRoles:
    - value: %[4]s
      displayName: %[4]s
      allowedMemberTypes: [Application]
      isEnabled: true
  - appId: %[2]s
    displayName: interop-cert-app
    certificates:
    - file: %[5]s
    appRoleAssignments: ["%[3]s/%[4]s"]
`, f.APIAppID, f.CertAppID, apiIdentifierURI, apiRole, certFile)
	cfgFile := filepath.Join(tmp, "gatehouse.yaml")
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o600); err != nil {
		return nil, err
	}
	f.data, f.cfgFile = filepath.Join(tmp, "data"), cfgFile
	if err := f.start(); err != nil {
		return f, err
	}
	data := f.data
	demo, err := readCreds(filepath.Join(data, "demo.json"))
	if err != nil {
		return f, err
	}
	admin, err := readCreds(filepath.Join(data, "admin.json"))
	if err != nil {
		return f, err
	}
	f.Tenant, f.SecretAppID, f.SecretValue, f.Admin = demo.Tenant, demo.ClientID, demo.ClientSecret, *admin
	if admin.Tenant != demo.Tenant {
		return f, fmt.Errorf("admin.json tenant %s != demo.json tenant %s", admin.Tenant, demo.Tenant)
	}
	if f.SecretAppOID, err = f.servicePrincipalID(f.SecretAppID); err != nil {
		return f, err
	}
	if f.CertAppOID, err = f.servicePrincipalID(f.CertAppID); err != nil {
		return f, err
	}
	return f, nil
}

// start (re)starts the server of f with its data directory and config.
func (f *fixture) start() error {
	srv, err := startServer(f.data, "--config", f.cfgFile)
	if err != nil {
		return err
	}
	f.srv, f.URL, f.CAFile = srv, srv.URL, srv.CAFile
	f.http, err = httpClient(f.CAFile)
	return err
}

// servicePrincipalID asks Graph, as the administrator, for the object id of
// the service principal of appID.
func (f *fixture) servicePrincipalID(appID string) (string, error) {
	var sp struct {
		ID    string `json:"id"`
		AppID string `json:"appId"`
	}
	if err := f.graphGet("/servicePrincipals(appId='"+appID+"')", &sp); err != nil {
		return "", err
	}
	if sp.ID == "" || !strings.EqualFold(sp.AppID, appID) {
		return "", fmt.Errorf("servicePrincipals(appId='%s') returned id %q appId %q", appID, sp.ID, sp.AppID)
	}
	return sp.ID, nil
}

// graphGet GETs /v1.0{path} with an administrator token obtained by plain
// client credentials.
func (f *fixture) graphGet(path string, out any) error {
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {f.Admin.ClientID},
		"client_secret": {f.Admin.ClientSecret}, "scope": {"https://graph.microsoft.com/.default"}}
	if err := f.postForm("/"+f.Tenant+"/oauth2/v2.0/token", form, &tok); err != nil {
		return fmt.Errorf("admin token: %w", err)
	}
	req, err := http.NewRequest("GET", f.URL+"/v1.0"+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	if err := f.do(req, out); err != nil {
		return fmt.Errorf("GET /v1.0%s: %w", path, err)
	}
	return nil
}

func (f *fixture) postForm(path string, form url.Values, out any) error {
	req, err := http.NewRequest("POST", f.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return f.do(req, out)
}

func (f *fixture) getJSON(u string, out any) error {
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		return err
	}
	return f.do(req, out)
}

func (f *fixture) do(req *http.Request, out any) error {
	hc := f.http
	if hc == nil {
		var err error
		if hc, err = httpClient(f.CAFile); err != nil {
			return err
		}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var raw json.RawMessage
	if err := json.NewDecoder(resp.Body).Decode(&raw); err != nil {
		return fmt.Errorf("%s %s: %d, body not JSON: %w", req.Method, req.URL.Path, resp.StatusCode, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: %d %s", req.Method, req.URL.Path, resp.StatusCode, raw)
	}
	return json.Unmarshal(raw, out)
}

// newCertificate makes a self-signed RSA certificate for a client app.
func newCertificate(cn string) (certPEM, keyPEM []byte, err error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	pk, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pk}), nil
}

func newGUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
