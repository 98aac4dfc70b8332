package gateway

import (
	"encoding/json"
	"testing"
)

func TestWithModel(t *testing.T) {
	cases := []struct{ body, current, model, want string }{
		{`{"messages":[]}`, "", "m", `{"model":"m","messages":[]}`},
		{` { "messages":[]}`, "", "m", `{"model":"m","messages":[]}`},
		{`{}`, "", "m", `{"model":"m"}`},
		{`{"model":"m","x":1}`, "m", "m", `{"model":"m","x":1}`},
		{`{"model":"dep","x":1}`, "dep", "gpt", `{"model":"gpt","x":1}`},
	}
	for _, c := range cases {
		got, err := withModel([]byte(c.body), c.current, c.model)
		if err != nil {
			t.Fatal(err)
		}
		var a, b any
		if json.Unmarshal(got, &a) != nil || json.Unmarshal([]byte(c.want), &b) != nil {
			t.Fatalf("withModel(%s) = %s: not JSON", c.body, got)
		}
		if ja, _ := json.Marshal(a); string(ja) != mustJSON(b) {
			t.Errorf("withModel(%s) = %s, want %s", c.body, got, c.want)
		}
	}
}

func mustJSON(v any) string { b, _ := json.Marshal(v); return string(b) }

func TestUsageOf(t *testing.T) {
	cases := []struct {
		body string
		want usage
	}{
		{`{"choices":[{"message":{"content":"the \"usage\" word"}}],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}}`, usage{3, 4}},
		{`{"type":"response.completed","response":{"usage":{"input_tokens":5,"output_tokens":6}}}`, usage{5, 6}},
		{`{"object":"list","data":[],"usage":{"prompt_tokens":2,"total_tokens":2}}`, usage{2, 0}},
		{`{"usage":null}`, usage{}},
		{`{"choices":[]}`, usage{}},
		{`not json "usage": {`, usage{}},
	}
	for _, c := range cases {
		if got := usageOf([]byte(c.body)); got != c.want {
			t.Errorf("usageOf(%s) = %+v, want %+v", c.body, got, c.want)
		}
	}
}
