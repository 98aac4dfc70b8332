package simulator

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzChatRequest feeds arbitrary bodies to the chat endpoint: it must
// never panic or answer 5xx, and a JSON answer must be valid JSON.
func FuzzChatRequest(f *testing.F) {
	for _, seed := range []string{
		chatBody("gpt-4o-mini", "", "user", "Hello!"),
		chatBody("gpt-4", `"max_tokens":3,"n":2,"seed":5`, "system", "s", "user", "u"),
		chatBody("gpt-4o", `"stream":true,"stream_options":{"include_usage":true}`, "user", "x"),
		`{"messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"image_url","image_url":{"url":"u"}}]}]}`,
		`{"messages":[{"role":"assistant","content":null,"tool_calls":[{"function":{"name":"f","arguments":"{}"}}]}]}`,
		`{"messages":[{"role":"user","content":"\u0000<|endoftext|>\ud800"}],"max_completion_tokens":1}`,
		`{"messages":[]}`, `{"messages":null}`, `{`, ``, `[]`, `null`, `{"messages":[{}]}`,
		`{"messages":[{"role":"user","content":{}}],"n":-1}`,
	} {
		f.Add([]byte(seed))
	}
	s := New(Options{ReplyTokens: 64})
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest("POST", "/v1/chat/completions", bytes.NewReader(body))
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body)
		}
		if strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") && !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("invalid JSON answer for %q: %s", body, rec.Body)
		}
		if rec.Code != 200 && rec.Code != 400 && rec.Code != 413 {
			t.Fatalf("status %d for %q", rec.Code, body)
		}
	})
}
