package gateway_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Bad numbers in a request body get OpenAI's 400, naming the parameter,
// before anything is computed from them.
func TestNumericFieldsAreRangeChecked(t *testing.T) {
	e := newEnv(t)
	key := e.key(t)
	const (
		chat  = "/accounts/demo/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21"
		v1    = "/accounts/demo/openai/v1/chat/completions"
		resp  = "/accounts/demo/openai/v1/responses"
		legcy = "/accounts/demo/openai/deployments/gpt-4o-mini/completions?api-version=2024-10-21"
		embed = "/accounts/demo/openai/deployments/gpt-4o-mini/embeddings?api-version=2024-10-21"
		msgs  = `"messages":[{"role":"user","content":"hi"}]`
	)
	many := `"input":[` + strings.Repeat(`"a",`, 2048) + `"a"]`
	cases := []struct {
		name, path, body, param, code string
	}{
		{"max_tokens 2^63-1", chat, `{` + msgs + `,"max_tokens":9223372036854775807}`, "max_tokens", "integer_above_max_value"},
		{"max_tokens beyond int64", chat, `{` + msgs + `,"max_tokens":99999999999999999999999}`, "max_tokens", "integer_above_max_value"},
		{"max_tokens negative", chat, `{` + msgs + `,"max_tokens":-1}`, "max_tokens", "integer_below_min_value"},
		{"max_tokens -2^63", chat, `{` + msgs + `,"max_tokens":-9223372036854775808}`, "max_tokens", "integer_below_min_value"},
		{"max_tokens zero", chat, `{` + msgs + `,"max_tokens":0}`, "max_tokens", "integer_below_min_value"},
		{"max_tokens exponent", chat, `{` + msgs + `,"max_tokens":1e30}`, "max_tokens", "invalid_type"},
		{"max_tokens decimal", chat, `{` + msgs + `,"max_tokens":5.5}`, "max_tokens", "invalid_type"},
		{"max_tokens string", chat, `{` + msgs + `,"max_tokens":"5"}`, "max_tokens", "invalid_type"},
		{"max_tokens escaped key", chat, `{` + msgs + `,"max\u005ftokens":9223372036854775807}`, "max_tokens", "integer_above_max_value"},
		{"MAX_TOKENS folded key", chat, `{` + msgs + `,"MAX_TOKENS":-4}`, "max_tokens", "integer_below_min_value"},
		{"max_completion_tokens huge", v1, `{"model":"gpt-4o-mini",` + msgs + `,"max_completion_tokens":9223372036854775807}`, "max_completion_tokens", "integer_above_max_value"},
		{"max_output_tokens huge", resp, `{"model":"gpt-4o-mini","input":"hi","max_output_tokens":9223372036854775807}`, "max_output_tokens", "integer_above_max_value"},
		{"max_output_tokens negative", resp, `{"model":"gpt-4o-mini","input":"hi","max_output_tokens":-100}`, "max_output_tokens", "integer_below_min_value"},
		{"n huge", chat, `{` + msgs + `,"n":9223372036854775807}`, "n", "integer_above_max_value"},
		{"n negative", chat, `{` + msgs + `,"n":-2}`, "n", "integer_below_min_value"},
		{"n 129", chat, `{` + msgs + `,"n":129}`, "n", "integer_above_max_value"},
		{"best_of huge", legcy, `{"prompt":"x","best_of":4611686018427387904}`, "best_of", "integer_above_max_value"},
		{"dimensions zero", embed, `{"input":"x","dimensions":0}`, "dimensions", "integer_below_min_value"},
		{"dimensions huge", embed, `{"input":"x","dimensions":9223372036854775807}`, "dimensions", "integer_above_max_value"},
		{"too many embeddings inputs", embed, `{` + many + `}`, "", ""},
		{"stream not a boolean", chat, `{` + msgs + `,"stream":1}`, "stream", "invalid_type"},
		{"model not a string", v1, `{"model":7,` + msgs + `}`, "model", "invalid_type"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, _, body := e.call(t, "POST", c.path, "api-key", key, c.body)
			if status != 400 {
				t.Fatalf("%d %s", status, body)
			}
			err, _ := decode(t, body)["error"].(map[string]any)
			param, _ := err["param"].(string)
			code, _ := err["code"].(string)
			msg, _ := err["message"].(string)
			if err["type"] != "invalid_request_error" || param != c.param || code != c.code || msg == "" {
				t.Errorf("got %s, want param %q code %q", body, c.param, c.code)
			}
			if c.param != "" && !strings.Contains(msg, "'"+c.param+"'") {
				t.Errorf("message does not name %s: %q", c.param, msg)
			}
		})
	}
	// The edges of the ranges are accepted (on a deployment big enough
	// for the largest budget).
	e.deployment(t, "big", 2000, "simulator")
	big := "/accounts/demo/openai/deployments/big/chat/completions?api-version=2024-10-21"
	for _, b := range []string{`{` + msgs + `,"max_tokens":1}`, `{` + msgs + `,"max_tokens":null,"n":2}`, `{` + msgs + `,"max_tokens":1048576}`} {
		if status, _, body := e.call(t, "POST", big, "api-key", key, b); status != 200 {
			t.Errorf("%s: %d %s", b, status, body)
		}
	}
}

// Row 6 of the security issue: on a deployment whose token quota is spent,
// no number in a request body gets it through or refills the bucket.
func TestSpentQuotaCannotBeRefilledByHugeNumbers(t *testing.T) {
	e := newEnv(t)
	// An upstream reporting far more usage than a minute's quota: after
	// one call the bucket is in debt for over an hour.
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"object":"chat.completion","choices":[],"usage":{"prompt_tokens":100000,"completion_tokens":0,"total_tokens":100000}}`)
	}))
	defer up.Close()
	e.deployment(t, "spent", 1, "openai="+up.URL+"/v1")
	key := e.key(t)
	path := "/accounts/demo/openai/deployments/spent/chat/completions?api-version=2024-10-21"
	if status, _, body := e.call(t, "POST", path, "api-key", key, chatBody); status != 200 {
		t.Fatalf("first call: %d %s", status, body)
	}
	spent := func(when string) {
		t.Helper()
		if status, _, body := e.call(t, "POST", path, "api-key", key, chatBody); status != 429 {
			t.Fatalf("%s: %d %s, want 429", when, status, body)
		}
	}
	spent("after the quota was spent")
	msgs := `"messages":[{"role":"user","content":"x"}]`
	for _, field := range []string{"max_tokens", "max_completion_tokens", "max_output_tokens", "n", "best_of", "dimensions"} {
		for _, v := range []string{"9223372036854775807", "-9223372036854775808", "-1", "18446744073709551615", "4611686018427387904"} {
			b := `{` + msgs + `,"` + field + `":` + v + `}`
			status, _, body := e.call(t, "POST", path, "api-key", key, b)
			if status != 400 && status != 429 {
				t.Errorf("%s=%s on a spent quota: %d %s", field, v, status, body)
			}
		}
	}
	// Through the v1 route too, which finds the deployment in the body.
	status, _, body := e.call(t, "POST", "/accounts/demo/openai/v1/chat/completions", "api-key", key,
		`{"model":"spent",`+msgs+`,"max_tokens":9223372036854775807,"n":9223372036854775807}`)
	if status != 400 && status != 429 {
		t.Errorf("v1: %d %s", status, body)
	}
	spent("after the attempts")
}
