package gateway_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// FuzzGatewayRequest sends arbitrary methods, paths and bodies to the data
// plane with a valid key: never a 5xx (the simulator upstream does not fail
// unless asked), never a panic, never internal detail.
func FuzzGatewayRequest(f *testing.F) {
	e := testenv.New(f)
	key := accountKey(f, e)
	seeds := []struct{ m, p, b string }{
		{"POST", "/accounts/demo/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21", chatBody},
		{"POST", "/accounts/demo/openai/v1/chat/completions", `{"model":"gpt-4o-mini","messages":[],"stream":true}`},
		{"POST", "/accounts/demo/openai/v1/responses", `{"model":"gpt-4o-mini","input":"hi"}`},
		{"POST", "/accounts/demo/openai/deployments/gpt-4o-mini/embeddings?api-version=1", `{"input":["a",1]}`},
		{"GET", "/accounts/demo/openai/models?api-version=x", ""},
		{"POST", "/accounts/demo/models/chat/completions", `{"model":null}`},
		{"POST", "/accounts/demo/api/projects/demo-project/openai/v1/responses", `[]`},
	}
	for _, s := range seeds {
		f.Add(s.m, s.p, s.b)
	}
	f.Fuzz(func(t *testing.T, method, path, body string) {
		if !strings.HasPrefix(path, "/accounts/") {
			path = "/accounts/demo/" + strings.TrimPrefix(path, "/")
		}
		req, err := http.NewRequest(method, "https://"+e.Host+path, bytes.NewBufferString(body))
		if err != nil {
			return
		}
		req.Header.Set("api-key", key)
		rec := httptest.NewRecorder()
		e.Handler.ServeHTTP(rec, req)
		out := rec.Body.String()
		if rec.Code >= 500 {
			t.Fatalf("%s %q %q: %d %s", method, path, body, rec.Code, out)
		}
		for _, leak := range []string{"panic", ".go:", "sql:", "goroutine"} {
			if strings.Contains(out, leak) {
				t.Fatalf("%s %q leaks %q: %s", method, path, leak, out)
			}
		}
	})
}

func accountKey(t testing.TB, e *testenv.Env) string {
	t.Helper()
	tok := e.AppToken(t, e.Admin, armScope)
	acct := "/subscriptions/" + e.Server.Bootstrap().SubscriptionID + "/resourceGroups/demo/providers/Microsoft.CognitiveServices/accounts/demo"
	req, _ := http.NewRequest("POST", e.URL+acct+"/listKeys?api-version=2025-06-01", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	status, _, raw := e.Do(t, req)
	if status != 200 {
		t.Fatalf("listKeys: %d %s", status, raw)
	}
	return strings.Split(strings.Split(string(raw), `"key1":"`)[1], `"`)[0]
}
