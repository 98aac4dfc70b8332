package gateway_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// A client that goes away cancels the upstream call.
func TestClientDisconnectCancelsUpstream(t *testing.T) {
	e := newEnv(t)
	canceled := make(chan struct{})
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, "data: {\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}\n\n")
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
			close(canceled)
		case <-time.After(30 * time.Second):
		}
	}))
	defer up.Close()
	e.deployment(t, "hang", 10, "openai="+up.URL+"/v1")
	req, _ := http.NewRequest("POST", e.URL+"/accounts/demo/openai/deployments/hang/chat/completions?api-version=2024-10-21",
		strings.NewReader(`{"messages":[{"role":"user","content":"x"}],"stream":true}`))
	req.Header.Set("api-key", e.key(t))
	resp, err := e.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "data:") {
		t.Fatalf("first chunk: %q %v", line, err)
	}
	resp.Body.Close() // the client goes away mid-stream
	e.Client.CloseIdleConnections()
	select {
	case <-canceled:
	case <-time.After(10 * time.Second):
		t.Fatal("the upstream call was not canceled when the client disconnected")
	}
}

// An Azure OpenAI upstream is called on its deployment path with its
// api-version and key, or with a token from its identity.
func TestAzureOpenAIUpstream(t *testing.T) {
	e := newEnv(t)
	var gotPath, gotKey, gotAuth, gotForm string
	azure := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/oauth2/v2.0/token") {
			_ = r.ParseForm()
			gotForm = r.PostForm.Get("client_id") + "|" + r.PostForm.Get("scope")
			fmt.Fprint(w, `{"access_token":"upstream-token","expires_in":3600,"token_type":"Bearer"}`)
			return
		}
		gotPath, gotKey, gotAuth = r.URL.RequestURI(), r.Header.Get("api-key"), r.Header.Get("Authorization")
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"object":"chat.completion","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}}`)
	}))
	defer azure.Close()
	key := e.key(t)
	call := func(dep string) {
		t.Helper()
		status, _, body := e.call(t, "POST", "/accounts/demo/openai/deployments/"+dep+"/chat/completions?api-version=2024-10-21", "api-key", key, chatBody)
		if status != 200 {
			t.Fatalf("%s: %d %s", dep, status, body)
		}
	}
	e.deployment(t, "aoai-key", 10, "azure-openai="+azure.URL+",deployment=gpt-4o,apiKey=upstream-key,apiVersion=2024-10-21")
	call("aoai-key")
	if gotPath != "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21" || gotKey != "upstream-key" {
		t.Errorf("key upstream: path %q key %q", gotPath, gotKey)
	}
	e.deployment(t, "aoai-id", 10, "azure-openai="+azure.URL+",deployment=gpt-4o,tenantId=t1,clientId=c1,clientSecret=s1,authority="+azure.URL)
	call("aoai-id")
	if gotAuth != "Bearer upstream-token" || gotForm != "c1|https://cognitiveservices.azure.com/.default" {
		t.Errorf("identity upstream: auth %q form %q", gotAuth, gotForm)
	}
	// The upstream key is never shown back through ARM.
	dep := e.arm(t, "GET", e.account+"/deployments/aoai-key", "2025-06-01", "")
	if up := dep["properties"].(map[string]any)["upstream"].(map[string]any); up["apiKey"] != "***" {
		t.Errorf("upstream shown as %v", up)
	}
}

// An upstream that does not answer within the deployment's timeout is a
// 504, one that cannot be reached a 502, both in Azure's error shape.
func TestUpstreamTimeoutAndUnreachable(t *testing.T) {
	e := newEnv(t)
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer close(release)
	gone := httptest.NewServer(http.NotFoundHandler())
	goneURL := gone.URL
	gone.Close()
	e.deployment(t, "slow", 10, "openai="+slow.URL+"/v1,timeout=200ms")
	e.deployment(t, "gone", 10, "openai="+goneURL+"/v1")
	for _, c := range []struct {
		dep    string
		status int
		code   string
	}{{"slow", 504, "Timeout"}, {"gone", 502, "BadGateway"}} {
		start := time.Now()
		status, _, body := e.call(t, "POST", "/accounts/demo/openai/deployments/"+c.dep+"/chat/completions?api-version=2024-10-21",
			"api-key", e.key(t), `{"messages":[{"role":"user","content":"x"}]}`)
		if code, _, _ := errorOf(t, body); status != c.status || code != c.code {
			t.Errorf("%s: %d %s, want %d %s", c.dep, status, body, c.status, c.code)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%s: answered after %v", c.dep, d)
		}
	}
}

// A response far bigger than what the gateway keeps to find its usage in
// reaches the client whole, and its usage (at the end) is still counted.
func TestLargeResponsePassesWhole(t *testing.T) {
	e := newEnv(t)
	filler := strings.Repeat("0.0123456789,", (5<<20)/13)
	body := `{"object":"list","data":[{"object":"embedding","index":0,"embedding":[` + filler + `1]}],` +
		`"model":"m","usage":{"prompt_tokens":7,"total_tokens":7}}`
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		for i := 0; i < len(body); i += 100000 { // in pieces, as a real server streams a big body
			fmt.Fprint(w, body[i:min(i+100000, len(body))])
		}
	}))
	defer up.Close()
	e.deployment(t, "big", 1000, "openai="+up.URL+"/v1")
	status, _, got := e.call(t, "POST", "/accounts/demo/openai/deployments/big/embeddings?api-version=2024-10-21",
		"api-key", e.key(t), `{"input":"x"}`)
	if status != 200 || len(got) != len(body) || string(got) != body {
		t.Fatalf("status %d, %d bytes, want %d", status, len(got), len(body))
	}
	if err := e.Server.FlushTelemetry(context.Background()); err != nil {
		t.Fatal(err)
	}
	usage := e.arm(t, "GET", "/providers/Gatehouse/usage", "2025-01-01", "")
	found := false
	for _, u := range usage["value"].([]any) {
		m := u.(map[string]any)
		if strings.HasSuffix(fmt.Sprint(m["deploymentId"]), "/deployments/big") && fmt.Sprint(m["promptTokens"]) == "7" {
			found = true
		}
	}
	if !found {
		t.Errorf("the usage at the end of a 5 MiB response was not counted: %v", usage)
	}
}
