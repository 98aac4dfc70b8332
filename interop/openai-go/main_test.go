package interop

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/azure"
	"github.com/openai/openai-go/v3/option"
)

// The Azure OpenAI data-plane API version the SDK is pointed at (GA).
const apiVersion = "2024-10-21"

// ARM API versions used by the set-up.
const (
	cogVersion  = "2025-06-01"
	authVersion = "2022-04-01"
)

// Built-in role Cognitive Services OpenAI User.
const roleOpenAIUser = "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd"

// The demo resources gatehouse creates on first start.
const (
	demoAccount    = "demo"
	demoDeployment = "gpt-4o-mini"
)

// Data action and route template Azure names in its PermissionDenied
// message for chat completions.
const (
	chatAction = "Microsoft.CognitiveServices/accounts/OpenAI/deployments/chat/completions/action"
	chatRoute  = "POST /openai/deployments/{deployment-id}/chat/completions"
)

// Azure's bearer failure body (no "error" envelope).
const bearerFailure = `{"statusCode":401,"message":"Unauthorized. Access token is missing, invalid, audience is incorrect (https://cognitiveservices.azure.com), or have expired."}`

// fixture is the suite's shared server and what the set-up learned.
type fixture struct {
	srv          *server
	tmp          string
	Subscription string
	AccountID    string // ARM id of the demo account
	Endpoint     string // the demo account's data-plane endpoint (properties.endpoint)
	admin        azcore.TokenCredential
}

var fx *fixture

func TestMain(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	tmp, err := os.MkdirTemp("", "gatehouse-openai-go-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer os.RemoveAll(tmp)
	if bin := os.Getenv("GATEHOUSE_BIN"); bin != "" {
		binPath, err = filepath.Abs(bin)
	} else {
		binPath, err = buildBinary(tmp)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	fx = &fixture{tmp: tmp}
	if err := fx.setUp(); err != nil {
		fmt.Fprintln(os.Stderr, "set-up:", err)
		if fx.srv != nil {
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
	if exit, err := fx.srv.Stop(10 * time.Second); err != nil || exit != 0 {
		fmt.Fprintf(os.Stderr, "FAIL: graceful shutdown: exit %d, %v\n", exit, err)
		code = 1
	}
	if show := os.Getenv("GATEHOUSE_INTEROP_LOGS"); (code != 0 && show != "") || show == "all" {
		fmt.Fprintln(os.Stderr, fx.srv.Logs())
	}
	return code
}

func (f *fixture) setUp() error {
	srv, err := startServer(filepath.Join(f.tmp, "data"))
	if err != nil {
		return err
	}
	f.srv = srv
	if f.admin, err = credential(srv, srv.Admin.ClientID, srv.Admin.ClientSecret); err != nil {
		return err
	}
	var subs struct {
		Value []struct {
			SubscriptionID string `json:"subscriptionId"`
		} `json:"value"`
	}
	if err := f.armJSON("GET", "/subscriptions?api-version=2022-12-01", nil, &subs); err != nil {
		return err
	}
	if len(subs.Value) == 0 {
		return errors.New("the administrator sees no subscription")
	}
	f.Subscription = subs.Value[0].SubscriptionID
	f.AccountID = f.accountID(demoAccount)
	var acct struct {
		Properties struct {
			Endpoint string `json:"endpoint"`
		} `json:"properties"`
	}
	if err := f.armJSON("GET", f.AccountID+"?api-version="+cogVersion, nil, &acct); err != nil {
		return err
	}
	f.Endpoint = acct.Properties.Endpoint
	if want := srv.URL + "/accounts/" + demoAccount + "/"; f.Endpoint != want {
		return fmt.Errorf("demo account endpoint %q, want %q", f.Endpoint, want)
	}
	return nil
}

func (f *fixture) accountID(name string) string {
	return "/subscriptions/" + f.Subscription + "/resourceGroups/demo/providers/Microsoft.CognitiveServices/accounts/" + name
}

// credential is azidentity's ClientSecretCredential pointed at srv: the
// authority host is gatehouse, instance discovery is off and the CA is
// trusted through the transport.
func credential(srv *server, clientID, secret string) (*azidentity.ClientSecretCredential, error) {
	return azidentity.NewClientSecretCredential(srv.Admin.Tenant, clientID, secret, &azidentity.ClientSecretCredentialOptions{
		ClientOptions: azcore.ClientOptions{
			Cloud:     cloud.Configuration{ActiveDirectoryAuthorityHost: srv.URL + "/"},
			Transport: srv.HTTP,
		},
		DisableInstanceDiscovery: true,
	})
}

// demoCredential is the demo app's credential on the suite's server.
func demoCredential(t *testing.T) azcore.TokenCredential {
	t.Helper()
	c, err := credential(fx.srv, fx.srv.Demo.ClientID, fx.srv.Demo.ClientSecret)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// client is the openai-go client for endpoint with the Azure options (the
// only gatehouse-specific settings are the endpoint and the HTTP client
// that trusts the local CA).
func client(srv *server, endpoint string, auth option.RequestOption, extra ...option.RequestOption) openai.Client {
	opts := append([]option.RequestOption{
		option.WithHTTPClient(srv.HTTP),
		azure.WithEndpoint(endpoint, apiVersion),
		auth,
	}, extra...)
	return openai.NewClient(opts...)
}

// chatParams is a small chat request for deployment.
func chatParams(deployment string, maxTokens int64) openai.ChatCompletionNewParams {
	p := openai.ChatCompletionNewParams{
		Model:    openai.ChatModel(deployment),
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Say hello to gatehouse.")},
	}
	if maxTokens > 0 {
		p.MaxTokens = openai.Int(maxTokens)
	}
	return p
}

// ---- ARM, as the administrator (Owner at "/") ----

func (f *fixture) arm(method, path string, body any) (int, []byte, error) {
	tok, err := f.admin.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{"https://management.azure.com/.default"}})
	if err != nil {
		return 0, nil, err
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, f.srv.URL+path, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+tok.Token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := f.srv.HTTP.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// armJSON sends the request and requires a 2xx answer (decoded into out).
func (f *fixture) armJSON(method, path string, body, out any) error {
	status, b, err := f.arm(method, path, body)
	if err != nil {
		return err
	}
	if status/100 != 2 {
		return fmt.Errorf("%s %s: %d %s", method, path, status, b)
	}
	if out != nil && len(b) > 0 {
		return json.Unmarshal(b, out)
	}
	return nil
}

func mustARM(t *testing.T, method, path string, body, out any) {
	t.Helper()
	if err := fx.armJSON(method, path, body, out); err != nil {
		t.Fatal(err)
	}
}

// createDeployment creates (or replaces) a simulator deployment of the demo
// model on account with the given capacity (thousands of TPM) and upstream.
func createDeployment(t *testing.T, accountID, name string, capacity int, upstream string) {
	t.Helper()
	body := map[string]any{
		"sku": map[string]any{"name": "Standard", "capacity": capacity},
		"properties": map[string]any{
			"model":    map[string]any{"format": "OpenAI", "name": "gpt-4o-mini", "version": "2024-07-18"},
			"upstream": upstream,
		},
	}
	mustARM(t, "PUT", accountID+"/deployments/"+name+"?api-version="+cogVersion, body, nil)
}

// createAccount creates an AIServices account in the demo resource group
// and returns its endpoint.
func createAccount(t *testing.T, name string) string {
	t.Helper()
	body := map[string]any{"location": "eastus", "kind": "AIServices", "sku": map[string]any{"name": "S0"},
		"properties": map[string]any{"customSubDomainName": name}}
	var out struct {
		Properties struct {
			Endpoint string `json:"endpoint"`
		} `json:"properties"`
	}
	mustARM(t, "PUT", fx.accountID(name)+"?api-version="+cogVersion, body, &out)
	if out.Properties.Endpoint == "" {
		mustARM(t, "GET", fx.accountID(name)+"?api-version="+cogVersion, nil, &out)
	}
	if out.Properties.Endpoint == "" {
		t.Fatalf("account %s has no endpoint", name)
	}
	return out.Properties.Endpoint
}

// accountKey is key1 of the account (POST listKeys).
func accountKey(t *testing.T, accountID string) string {
	t.Helper()
	var keys struct {
		Key1 string `json:"key1"`
		Key2 string `json:"key2"`
	}
	mustARM(t, "POST", accountID+"/listKeys?api-version="+cogVersion, nil, &keys)
	if keys.Key1 == "" || keys.Key2 == "" || keys.Key1 == keys.Key2 {
		t.Fatalf("listKeys: key1 %q key2 %q", keys.Key1, keys.Key2)
	}
	return keys.Key1
}

// assignRole creates a role assignment through ARM and returns its id.
func assignRole(t *testing.T, scope, roleGUID, principalID string) string {
	t.Helper()
	id := scope + "/providers/Microsoft.Authorization/roleAssignments/" + newGUID()
	body := map[string]any{"properties": map[string]any{
		"roleDefinitionId": "/subscriptions/" + fx.Subscription + "/providers/Microsoft.Authorization/roleDefinitions/" + roleGUID,
		"principalId":      principalID, "principalType": "ServicePrincipal"}}
	mustARM(t, "PUT", id+"?api-version="+authVersion, body, nil)
	return id
}

// app is a fresh app registration with a secret and a service principal.
type app struct {
	AppID, Secret, ObjectID string
}

// newApp registers an app with the gatehouse CLI (`ad sp create-for-rbac`)
// and looks up its service principal's object id. It holds no role.
func newApp(t *testing.T, name string) app {
	t.Helper()
	var created struct {
		AppID    string `json:"appId"`
		Password string `json:"password"`
	}
	cli(t, &created, "ad", "sp", "create-for-rbac", "--name", name)
	var sp struct {
		ID string `json:"id"`
	}
	cli(t, &sp, "ad", "sp", "show", "--id", created.AppID)
	if created.AppID == "" || created.Password == "" || sp.ID == "" {
		t.Fatalf("create-for-rbac %s: appId %q, password set %v, sp id %q", name, created.AppID, created.Password != "", sp.ID)
	}
	return app{AppID: created.AppID, Secret: created.Password, ObjectID: sp.ID}
}

// cli runs `gatehouse --data DIR args…` and decodes its JSON output.
func cli(t *testing.T, out any, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binPath, append([]string{"--data", fx.srv.Data}, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	b, err := cmd.Output()
	if err != nil {
		t.Fatalf("gatehouse %s: %v\n%s%s", strings.Join(args, " "), err, b, stderr.String())
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("gatehouse %s: %v\n%s", strings.Join(args, " "), err, b)
		}
	}
}

// ---- errors ----

// apiError requires err to be the SDK's *openai.Error with status and
// returns it with the raw response body.
func apiError(t *testing.T, err error, status int) (*openai.Error, string) {
	t.Helper()
	if err == nil {
		t.Fatalf("call succeeded, want %d", status)
	}
	var e *openai.Error
	if !errors.As(err, &e) {
		t.Fatalf("error is %T (%v), want *openai.Error with status %d", err, err, status)
	}
	if e.StatusCode != status {
		t.Fatalf("status %d, want %d (body %s)", e.StatusCode, status, string(e.DumpResponse(true)))
	}
	body, rerr := io.ReadAll(e.Response.Body)
	if rerr != nil {
		t.Fatal(rerr)
	}
	return e, string(body)
}

// jsonEqual requires got to be the same JSON as want (key order and
// whitespace aside).
func jsonEqual(t *testing.T, got, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("body is not JSON: %v: %s", err, got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	if !bytes.Equal(gb, wb) {
		t.Fatalf("body\n got  %s\n want %s", gb, wb)
	}
}

// permissionDenied checks Azure's 401 PermissionDenied body for principal
// on the chat completions route.
func permissionDenied(t *testing.T, err error, principal string) {
	t.Helper()
	e, body := apiError(t, err, http.StatusUnauthorized)
	want := "The principal `" + principal + "` lacks the required data action `" + chatAction +
		"` to perform `" + chatRoute + "` operation."
	if e.Code != "PermissionDenied" || e.Message != want {
		t.Fatalf("SDK error code %q message %q\nwant code PermissionDenied message %q\nbody %s", e.Code, e.Message, want, body)
	}
	var env struct {
		Error map[string]json.RawMessage `json:"error"`
	}
	if err := json.Unmarshal([]byte(body), &env); err != nil || env.Error == nil {
		t.Fatalf("body is not Azure's error envelope: %v: %s", err, body)
	}
	for k := range env.Error {
		if k != "code" && k != "message" && k != "gatehouse" {
			t.Errorf("unexpected field error.%s in %s", k, body)
		}
	}
	if h := e.Response.Header.Get("apim-request-id"); h == "" {
		t.Errorf("no apim-request-id header on the 401")
	}
}

func newGUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// staticCredential hands out one fixed token, whatever the scope: how a
// token from elsewhere (another server, or one that has since expired)
// reaches the SDK's bearer-token policy.
type staticCredential struct{ tok azcore.AccessToken }

func (s staticCredential) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return s.tok, nil
}

// recordingCredential remembers every token its credential handed out.
type recordingCredential struct {
	cred   azcore.TokenCredential
	tokens []string
}

func (r *recordingCredential) GetToken(ctx context.Context, o policy.TokenRequestOptions) (azcore.AccessToken, error) {
	tok, err := r.cred.GetToken(ctx, o)
	if err == nil {
		r.tokens = append(r.tokens, tok.Token)
	}
	return tok, err
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}
