package cli

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/server"
)

// conn says where the server is and how to sign in to it.
type conn struct {
	Server       string
	Tenant       string
	ClientID     string
	ClientSecret string
	CAFile       string
}

// globals are the persistent flags shared by client commands.
type globals struct {
	dataFlag string // --data; see findDataDir
	conn     conn
}

// data is the data directory the command uses.
func (g *globals) data() dataDir { return findDataDir(g.dataFlag) }

// resolve fills the connection from flags, then GATEHOUSE_* variables,
// then the admin file the server wrote in the data directory.
func (g *globals) resolve() (*conn, error) {
	c := g.conn
	env := func(v *string, name string) {
		if *v == "" {
			*v = os.Getenv(name)
		}
	}
	env(&c.Server, "GATEHOUSE_SERVER")
	env(&c.Tenant, "GATEHOUSE_TENANT")
	env(&c.ClientID, "GATEHOUSE_CLIENT_ID")
	env(&c.ClientSecret, "GATEHOUSE_CLIENT_SECRET")
	env(&c.CAFile, "GATEHOUSE_CA_FILE")
	data := g.data()
	if c.ClientID == "" || c.ClientSecret == "" || c.Server == "" || c.Tenant == "" {
		if f, err := server.ReadCredentials(server.AdminFile(data.Path)); err == nil {
			fill(&c.Server, f.Server)
			fill(&c.Tenant, f.Tenant)
			fill(&c.ClientID, f.ClientID)
			fill(&c.ClientSecret, f.ClientSecret)
			fill(&c.CAFile, f.CAFile)
		}
	}
	if c.Server == "" || c.ClientID == "" || c.ClientSecret == "" || c.Tenant == "" {
		return nil, fmt.Errorf("no gatehouse credentials: looked for %s in the data directory %s, which `gatehouse serve` writes; "+
			"start it, point --data (or GATEHOUSE_DATA) at its data directory, or set --server, --tenant, --client-id and --client-secret "+
			"(or GATEHOUSE_SERVER, GATEHOUSE_TENANT, GATEHOUSE_CLIENT_ID, GATEHOUSE_CLIENT_SECRET)", filepath.Base(server.AdminFile(data.Path)), data.describe())
	}
	c.Server = strings.TrimRight(c.Server, "/")
	return &c, nil
}

func fill(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}

// client calls gatehouse's APIs with a token from its own token endpoint.
type client struct {
	c     *conn
	http  *http.Client
	token map[string]string // by scope
}

func newClient(c *conn) (*client, error) {
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if c.CAFile != "" {
		pem, err := os.ReadFile(c.CAFile)
		if err != nil {
			return nil, fmt.Errorf("CA file: %w", err)
		}
		pool.AppendCertsFromPEM(pem)
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
	return &client{c: c, http: &http.Client{Transport: tr, Timeout: 60 * time.Second}, token: map[string]string{}}, nil
}

// accessToken gets (once) a client-credentials token for scope.
func (cl *client) accessToken(ctx context.Context, scope string) (string, error) {
	if t, ok := cl.token[scope]; ok {
		return t, nil
	}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {cl.c.ClientID},
		"client_secret": {cl.c.ClientSecret}, "scope": {scope}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost,
		cl.c.Server+"/"+url.PathEscape(cl.c.Tenant)+"/oauth2/v2.0/token", strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	var out struct {
		AccessToken string `json:"access_token"`
		Desc        string `json:"error_description"`
	}
	status, err := cl.send(req, &out)
	if err != nil {
		return "", err
	}
	if status != http.StatusOK {
		return "", fmt.Errorf("sign-in failed: %s", firstLine(out.Desc))
	}
	cl.token[scope] = out.AccessToken
	return out.AccessToken, nil
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\r\n")
	return line
}

// APIError is an error response of a gatehouse API.
type APIError struct {
	Status  int
	Code    string
	Message string
}

func (e *APIError) Error() string {
	if e.Code != "" {
		return fmt.Sprintf("(%s) %s", e.Code, e.Message)
	}
	return e.Message
}

// call sends a JSON request with a bearer token for scope and decodes a
// JSON answer into out (when out is not nil).
func (cl *client) call(ctx context.Context, scope, method, path string, body, out any) error {
	tok, err := cl.accessToken(ctx, scope)
	if err != nil {
		return err
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, cl.c.Server+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	var raw json.RawMessage
	status, err := cl.send(req, &raw)
	if err != nil {
		return err
	}
	if status >= 300 {
		return apiError(status, raw)
	}
	if out != nil && len(raw) > 0 {
		return json.Unmarshal(raw, out)
	}
	return nil
}

func apiError(status int, raw []byte) error {
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(raw, &e) == nil && e.Error.Message != "" {
		return &APIError{Status: status, Code: e.Error.Code, Message: e.Error.Message}
	}
	return &APIError{Status: status, Message: fmt.Sprintf("HTTP %d: %s", status, strings.TrimSpace(string(raw)))}
}

func (cl *client) send(req *http.Request, out any) (int, error) {
	resp, err := cl.http.Do(req)
	if err != nil {
		return 0, connError(cl.c.Server, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return 0, err
	}
	if len(bytes.TrimSpace(data)) > 0 {
		if err := json.Unmarshal(data, out); err != nil && resp.StatusCode < 300 {
			return 0, fmt.Errorf("invalid JSON from %s: %w", req.URL.Path, err)
		}
	}
	return resp.StatusCode, nil
}

const graphScope = "https://graph.microsoft.com/.default"

// graph calls the Graph API under /v1.0.
func (cl *client) graph(ctx context.Context, method, path string, body, out any) error {
	return cl.call(ctx, graphScope, method, "/v1.0"+path, body, out)
}

// remarshal converts a decoded JSON value into a typed one.
func remarshal(in, out any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}
