package interop

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/azure"
	"github.com/openai/openai-go/v3/option"
)

// A fresh app with no role assignment: Azure's 401 PermissionDenied naming
// the data action and the route template.
func TestNoRoleAssignment(t *testing.T) {
	a := newApp(t, "openai-go-no-role")
	cred, err := credential(fx.srv, a.AppID, a.Secret)
	if err != nil {
		t.Fatal(err)
	}
	c := client(fx.srv, fx.Endpoint, azure.WithTokenCredential(cred))
	_, err = c.Chat.Completions.New(ctxT(t), chatParams(demoDeployment, 5))
	permissionDenied(t, err, strings.ToLower(a.ObjectID))
	// gatehouse's addition (docs/gateway.md): the least-privileged role.
	var e *openai.Error
	if errors.As(err, &e) {
		if got := e.Response.Header.Get("x-gatehouse-required-role"); got != "Cognitive Services OpenAI User" {
			t.Errorf("x-gatehouse-required-role %q, want Cognitive Services OpenAI User", got)
		}
	}
}

// A gatehouse token for ARM (https://management.azure.com), requested
// through the SDK's own scope option: Azure's flat 401 body.
func TestWrongAudience(t *testing.T) {
	c := client(fx.srv, fx.Endpoint, azure.WithTokenCredential(demoCredential(t),
		azure.WithTokenCredentialScopes([]string{"https://management.azure.com/.default"})))
	_, err := c.Chat.Completions.New(ctxT(t), chatParams(demoDeployment, 5))
	_, body := apiError(t, err, http.StatusUnauthorized)
	jsonEqual(t, body, bearerFailure)
}

// A second gatehouse that issues 5-second tokens and tolerates no clock
// skew (serve --token-lifetime and --clock-skew): its token works there
// until it expires, then gets the flat 401; and the suite's server, which
// does not know the second server's signing keys, refuses it from the start.
func TestExpiredAndForeignTokens(t *testing.T) {
	srv2, err := startServer(filepath.Join(fx.tmp, "data-short-tokens"), "--token-lifetime=5s", "--clock-skew=-1s")
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if code, err := srv2.Stop(10 * time.Second); err != nil || code != 0 {
			t.Errorf("second server: exit %d, %v", code, err)
		}
	}()
	cred, err := credential(srv2, srv2.Demo.ClientID, srv2.Demo.ClientSecret)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := cred.GetToken(ctxT(t), policy.TokenRequestOptions{Scopes: []string{"https://cognitiveservices.azure.com/.default"}})
	if err != nil {
		t.Fatal(err)
	}
	exp := jwtExp(t, tok.Token)
	if life := time.Until(exp); life <= 0 || life > 6*time.Second {
		t.Fatalf("token expires in %v, want about 5s (--token-lifetime=5s)", life)
	}
	endpoint2 := srv2.URL + "/accounts/" + demoAccount + "/"
	fixed := azure.WithTokenCredential(staticCredential{tok})

	t.Run("valid on its own server", func(t *testing.T) {
		c := client(srv2, endpoint2, fixed)
		if _, err := c.Chat.Completions.New(ctxT(t), chatParams(demoDeployment, 3)); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("signed by another server's key", func(t *testing.T) {
		if time.Now().After(exp) {
			t.Fatal("the token expired before the test ran; it would not test the signature")
		}
		c := client(fx.srv, fx.Endpoint, fixed)
		_, err := c.Chat.Completions.New(ctxT(t), chatParams(demoDeployment, 3))
		_, body := apiError(t, err, http.StatusUnauthorized)
		jsonEqual(t, body, bearerFailure)
	})
	t.Run("expired", func(t *testing.T) {
		time.Sleep(time.Until(exp) + 1500*time.Millisecond)
		c := client(srv2, endpoint2, fixed)
		_, err := c.Chat.Completions.New(ctxT(t), chatParams(demoDeployment, 3))
		_, body := apiError(t, err, http.StatusUnauthorized)
		jsonEqual(t, body, bearerFailure)
	})
}

// jwtExp reads the exp claim of a JWT (no verification: gatehouse does it).
func jwtExp(t *testing.T, raw string) time.Time {
	t.Helper()
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %d parts", len(parts))
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Exp int64 `json:"exp"`
	}
	if err := json.Unmarshal(b, &c); err != nil || c.Exp == 0 {
		t.Fatalf("claims %s: %v", b, err)
	}
	return time.Unix(c.Exp, 0)
}

// The key works until the account's disableLocalAuth is set; then Azure's
// 403 AuthenticationTypeDisabled, while Entra tokens keep working.
func TestKeyWhileLocalAuthDisabled(t *testing.T) {
	const name = "openai-go-nokeys"
	endpoint := createAccount(t, name)
	id := fx.accountID(name)
	createDeployment(t, id, demoDeployment, 10, "simulator")
	key := accountKey(t, id)
	byKey := client(fx.srv, endpoint, azure.WithAPIKey(key))
	if _, err := byKey.Chat.Completions.New(ctxT(t), chatParams(demoDeployment, 3)); err != nil {
		t.Fatalf("before disableLocalAuth: %v", err)
	}

	var patched struct {
		Properties struct {
			DisableLocalAuth bool `json:"disableLocalAuth"`
		} `json:"properties"`
	}
	mustARM(t, "PATCH", id+"?api-version="+cogVersion, map[string]any{"properties": map[string]any{"disableLocalAuth": true}}, &patched)
	if !patched.Properties.DisableLocalAuth {
		mustARM(t, "GET", id+"?api-version="+cogVersion, nil, &patched)
		if !patched.Properties.DisableLocalAuth {
			t.Fatal("disableLocalAuth is not set after the PATCH")
		}
	}
	_, err := byKey.Chat.Completions.New(ctxT(t), chatParams(demoDeployment, 3))
	e, body := apiError(t, err, http.StatusForbidden)
	jsonEqual(t, body, `{"error":{"code":"AuthenticationTypeDisabled","message":"Key based authentication is disabled for this resource."}}`)
	if e.Code != "AuthenticationTypeDisabled" {
		t.Errorf("SDK error code %q", e.Code)
	}

	// Entra ID still works once the demo app holds a role on this account.
	var sp struct {
		ID string `json:"id"`
	}
	cli(t, &sp, "ad", "sp", "show", "--id", fx.srv.Demo.ClientID)
	assignRole(t, id, roleOpenAIUser, sp.ID)
	byToken := client(fx.srv, endpoint, azure.WithTokenCredential(demoCredential(t)))
	if _, err := byToken.Chat.Completions.New(ctxT(t), chatParams(demoDeployment, 3)); err != nil {
		t.Fatalf("token on a disableLocalAuth account: %v", err)
	}
}

// A deployment of capacity 1 (1,000 TPM) may make 6 requests a minute: the
// 7th quick request is Azure's 429 with retry-after, retry-after-ms and
// x-ratelimit-remaining-*. Then the SDK's default retry honours
// retry-after-ms and the call goes through.
func TestQuota(t *testing.T) {
	createDeployment(t, fx.AccountID, "tiny", 1, "simulator")
	cred := demoCredential(t)
	noRetry := client(fx.srv, fx.Endpoint, azure.WithTokenCredential(cred), option.WithMaxRetries(0))
	// The token first, so the six requests are quick.
	if _, err := cred.GetToken(ctxT(t), policy.TokenRequestOptions{Scopes: []string{"https://cognitiveservices.azure.com/.default"}}); err != nil {
		t.Fatal(err)
	}
	prev := math.MaxInt
	start := time.Now()
	for i := 1; i <= 6; i++ {
		var resp *http.Response
		if _, err := noRetry.Chat.Completions.New(ctxT(t), chatParams("tiny", 5), option.WithResponseInto(&resp)); err != nil {
			t.Fatalf("request %d of 6: %v", i, err)
		}
		left := headerInt(t, resp.Header, "x-ratelimit-remaining-requests")
		headerInt(t, resp.Header, "x-ratelimit-remaining-tokens")
		// The bucket refills by one request every 10 s.
		if slack := int(time.Since(start) / (10 * time.Second)); left > 6-i+slack || left > prev+slack {
			t.Errorf("request %d: x-ratelimit-remaining-requests %d (previous %d)", i, left, prev)
		}
		prev = left
	}
	if took := time.Since(start); took > 8*time.Second {
		t.Fatalf("six small requests took %v; the 7th cannot be expected to be throttled", took)
	}
	_, err := noRetry.Chat.Completions.New(ctxT(t), chatParams("tiny", 5))
	e, body := apiError(t, err, http.StatusTooManyRequests)
	if e.Code != "429" {
		t.Errorf("SDK error code %q", e.Code)
	}
	h := e.Response.Header
	secs := headerInt(t, h, "retry-after")
	ms := headerInt(t, h, "retry-after-ms")
	if secs < 1 || secs > 10 || ms < 1 || ms > 10001 || math.Abs(float64(secs*1000-ms)) > 1001 {
		t.Errorf("retry-after %d, retry-after-ms %d (6 RPM: at most 10 s, and consistent)", secs, ms)
	}
	if n := headerInt(t, h, "x-ratelimit-remaining-requests"); n != 0 {
		t.Errorf("x-ratelimit-remaining-requests %d on the 429", n)
	}
	headerInt(t, h, "x-ratelimit-remaining-tokens")
	wantMsg := "Requests to the ChatCompletions_Create Operation under Azure OpenAI API version " + apiVersion +
		" have exceeded call rate limit of your current OpenAI S0 pricing tier. Please retry after " + strconv.Itoa(secs) +
		" seconds. Please go here: https://aka.ms/oai/quotaincrease if you would like to further increase the default rate limit."
	if e.Message != wantMsg {
		t.Errorf("429 message\n got  %q\n want %q", e.Message, wantMsg)
	}
	var env struct {
		Error map[string]any `json:"error"`
	}
	if err := json.Unmarshal([]byte(body), &env); err != nil || len(env.Error) != 2 {
		t.Errorf("429 body is not {\"error\":{code,message}}: %s", body)
	}

	// The SDK's default policy (2 retries) waits retry-after-ms and succeeds.
	var attempts atomic.Int32
	retrying := client(fx.srv, fx.Endpoint, azure.WithTokenCredential(cred),
		option.WithMiddleware(func(r *http.Request, next option.MiddlewareNext) (*http.Response, error) {
			attempts.Add(1)
			return next(r)
		}))
	start = time.Now()
	if _, err := retrying.Chat.Completions.New(ctxT(t), chatParams("tiny", 5)); err != nil {
		t.Fatalf("with the SDK's retries: %v", err)
	}
	took := time.Since(start)
	t.Logf("the retrying call took %v over %d attempts (retry-after-ms was %d)", took.Round(time.Millisecond), attempts.Load(), ms)
	if attempts.Load() < 2 {
		t.Errorf("%d attempts: the first one should have been throttled", attempts.Load())
	}
	if took > 30*time.Second {
		t.Errorf("the retrying call took %v", took)
	}
}
