package simulator

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// chatCompletion mirrors OpenAI's documented chat.completion object.
type chatCompletion struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Created int64  `json:"created"`
	Model   string `json:"model"`
	Choices []struct {
		Index   int `json:"index"`
		Message struct {
			Role        string  `json:"role"`
			Content     string  `json:"content"`
			Refusal     *string `json:"refusal"`
			Annotations []any   `json:"annotations"`
		} `json:"message"`
		Logprobs     any    `json:"logprobs"`
		FinishReason string `json:"finish_reason"`
	} `json:"choices"`
	Usage             chatUsage `json:"usage"`
	ServiceTier       string    `json:"service_tier"`
	SystemFingerprint string    `json:"system_fingerprint"`
}

type chatUsage struct {
	PromptTokens      int            `json:"prompt_tokens"`
	CompletionTokens  int            `json:"completion_tokens"`
	TotalTokens       int            `json:"total_tokens"`
	PromptDetails     map[string]int `json:"prompt_tokens_details"`
	CompletionDetails map[string]int `json:"completion_tokens_details"`
}

func chatBody(model string, extra string, msgs ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `{"model":%q,"messages":[`, model)
	for i := 0; i+1 < len(msgs); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"role":%q,"content":%q}`, msgs[i], msgs[i+1])
	}
	b.WriteString("]")
	if extra != "" {
		b.WriteString("," + extra)
	}
	b.WriteString("}")
	return b.String()
}

func postChat(t testing.TB, s http.Handler, body string) chatCompletion {
	t.Helper()
	rec := do(t, s, "POST", "/v1/chat/completions", body)
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("content-type %q", ct)
	}
	var c chatCompletion
	decodeInto(t, rec.Body.Bytes(), &c)
	return c
}

func TestChatShape(t *testing.T) {
	s := New(Options{})
	tests := []struct {
		name, body   string
		model        string
		choices      int
		tokens       int // per choice
		finishReason string
	}{
		{"default", chatBody("gpt-4o-mini", "", "user", "Hello!"), "gpt-4o-mini", 1, 16, "stop"},
		{"cl100k model", chatBody("gpt-4", "", "user", "Hello!"), "gpt-4", 1, 16, "stop"},
		{"max_tokens truncates", chatBody("gpt-4o", `"max_tokens":5`, "user", "Hi"), "gpt-4o", 1, 5, "length"},
		{"max_completion_tokens wins", chatBody("gpt-4o", `"max_tokens":3,"max_completion_tokens":7`, "user", "Hi"),
			"gpt-4o", 1, 7, "length"},
		{"large max_tokens keeps natural end", chatBody("gpt-4o", `"max_tokens":1000`, "user", "Hi"), "gpt-4o", 1, 16, "stop"},
		{"n choices", chatBody("gpt-4o-mini", `"n":3`, "user", "Hi"), "gpt-4o-mini", 3, 16, "stop"},
		{"no model: first chat model", `{"messages":[{"role":"user","content":"x"}]}`, "gpt-4o-mini", 1, 16, "stop"},
		{"content parts", `{"model":"gpt-4o","messages":[{"role":"user","content":[{"type":"text","text":"a"},` +
			`{"type":"image_url","image_url":{"url":"https://x/y.png"}}]}]}`, "gpt-4o", 1, 16, "stop"},
		{"assistant tool call without content", `{"model":"gpt-4o","messages":[{"role":"user","content":"x"},` +
			`{"role":"assistant","content":null,"tool_calls":[{"id":"c","type":"function","function":` +
			`{"name":"f","arguments":"{}"}}]},{"role":"tool","tool_call_id":"c","content":"42"}]}`, "gpt-4o", 1, 16, "stop"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := postChat(t, s, tc.body)
			if !strings.HasPrefix(c.ID, "chatcmpl-") || c.Object != "chat.completion" || c.Created == 0 ||
				c.Model != tc.model || !strings.HasPrefix(c.SystemFingerprint, "fp_") {
				t.Errorf("header fields: %+v", c)
			}
			if len(c.Choices) != tc.choices {
				t.Fatalf("%d choices, want %d", len(c.Choices), tc.choices)
			}
			e, _ := getEncoder(encodingFor(tc.model))
			sum := 0
			for i, ch := range c.Choices {
				if ch.Index != i || ch.Message.Role != "assistant" || ch.Logprobs != nil || ch.Message.Content == "" {
					t.Errorf("choice %d: %+v", i, ch)
				}
				if ch.FinishReason != tc.finishReason {
					t.Errorf("finish_reason %q, want %q", ch.FinishReason, tc.finishReason)
				}
				// Honest counts: the tokenizer agrees with usage.
				if n := e.count(ch.Message.Content); n != tc.tokens {
					t.Errorf("choice %d: %q is %d tokens, want %d", i, ch.Message.Content, n, tc.tokens)
				}
				sum += e.count(ch.Message.Content)
			}
			u := c.Usage
			if u.CompletionTokens != sum || u.TotalTokens != u.PromptTokens+u.CompletionTokens || u.PromptTokens < 8 {
				t.Errorf("usage %+v, completion tokens counted %d", u, sum)
			}
			if tc.choices > 1 && c.Choices[0].Message.Content == c.Choices[1].Message.Content {
				t.Errorf("choices are identical")
			}
		})
	}
}

// The worked example: OpenAI's chat accounting for
//
//	system: "You are a helpful assistant."  (o200k: You| are| a| helpful| assistant|. = 6)
//	user:   "Hello!"                        (Hello|! = 2)
//
// = 3 priming + (3 + 1 "system" + 6) + (3 + 1 "user" + 2) = 19.
// With a name on the user message: + 1 + 1 ("bob") = 21.
func TestPromptTokensByHand(t *testing.T) {
	s := New(Options{})
	c := postChat(t, s, chatBody("gpt-4o-mini", "", "system", "You are a helpful assistant.", "user", "Hello!"))
	if c.Usage.PromptTokens != 19 {
		t.Errorf("prompt_tokens = %d, want 19", c.Usage.PromptTokens)
	}
	c = postChat(t, s, `{"model":"gpt-4o-mini","messages":[{"role":"system","content":"You are a helpful assistant."},`+
		`{"role":"user","name":"bob","content":"Hello!"}]}`)
	if c.Usage.PromptTokens != 21 {
		t.Errorf("prompt_tokens with name = %d, want 21", c.Usage.PromptTokens)
	}
	// An image part is 85 tokens (the low-detail price), text parts add up.
	c = postChat(t, s, `{"model":"gpt-4o-mini","messages":[{"role":"user","content":[{"type":"text","text":"Hello!"},`+
		`{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}}]}]}`)
	if want := 3 + 3 + 1 + 2 + 85; c.Usage.PromptTokens != want {
		t.Errorf("prompt_tokens with image = %d, want %d", c.Usage.PromptTokens, want)
	}
}

func TestChatDeterminism(t *testing.T) {
	a, b := New(Options{}), New(Options{Seed: 99, PerToken: 0})
	base := chatBody("gpt-4o-mini", "", "user", "Tell me a story.")
	text := func(s *Simulator, body string) string { return postChat(t, s, body).Choices[0].Message.Content }
	first := text(a, base)
	if got := text(a, base); got != first {
		t.Errorf("same request, different text: %q vs %q", first, got)
	}
	if got := text(b, base); got != first {
		t.Errorf("another simulator, different text: %q vs %q", first, got)
	}
	for name, body := range map[string]string{
		"other message": chatBody("gpt-4o-mini", "", "user", "Tell me a poem."),
		"other model":   chatBody("gpt-4o", "", "user", "Tell me a story."),
		"seed":          chatBody("gpt-4o-mini", `"seed":1`, "user", "Tell me a story."),
		"other role":    chatBody("gpt-4o-mini", "", "system", "Tell me a story."),
	} {
		if got := text(a, body); got == first {
			t.Errorf("%s: same text %q", name, got)
		}
	}
	// Same seed, same text; a truncated reply is a prefix of the full one.
	seeded := chatBody("gpt-4o-mini", `"seed":7`, "user", "x")
	if text(a, seeded) != text(b, seeded) {
		t.Errorf("seeded requests differ")
	}
	short := text(a, chatBody("gpt-4o-mini", `"max_tokens":4`, "user", "Tell me a story."))
	if !strings.HasPrefix(first, short) {
		t.Errorf("truncated %q is not a prefix of %q", short, first)
	}
}

// Over many prompts and lengths, completion_tokens is exactly what the
// tokenizer counts in the returned text, for both encodings.
func TestCompletionTokensExact(t *testing.T) {
	for _, model := range []string{"gpt-4o-mini", "gpt-4"} {
		s := New(Options{ReplyTokens: 300})
		e, _ := getEncoder(encodingFor(model))
		for i := range 60 {
			body := chatBody(model, fmt.Sprintf(`"max_tokens":%d`, 1+i*5), "user", fmt.Sprintf("prompt %d", i))
			c := postChat(t, s, body)
			content := c.Choices[0].Message.Content
			if n := e.count(content); n != c.Usage.CompletionTokens || n != min(1+i*5, 300) {
				t.Fatalf("%s: %q: tokenizer %d, usage %d", model, content, n, c.Usage.CompletionTokens)
			}
		}
	}
	// Natural ending: a full stop, finish_reason stop.
	c := postChat(t, New(Options{ReplyTokens: 40}), chatBody("gpt-4o", "", "user", "x"))
	if ch := c.Choices[0]; !strings.HasSuffix(ch.Message.Content, ".") || ch.FinishReason != "stop" ||
		c.Usage.CompletionTokens != 40 {
		t.Errorf("natural reply: %+v usage %+v", ch, c.Usage)
	}
}

func TestChatBadInput(t *testing.T) {
	s := New(Options{})
	tests := []struct {
		name, body string
		param      string
	}{
		{"not json", `{"model":`, "<nil>"},
		{"empty body", ``, "<nil>"},
		{"array body", `[]`, "<nil>"},
		{"missing messages", `{"model":"gpt-4o"}`, "messages"},
		{"null messages", `{"model":"gpt-4o","messages":null}`, "messages"},
		{"empty messages", `{"model":"gpt-4o","messages":[]}`, "messages"},
		{"messages not array", `{"model":"gpt-4o","messages":"hi"}`, "messages"},
		{"message not object", `{"model":"gpt-4o","messages":["hi"]}`, "messages"},
		{"bad role", chatBody("gpt-4o", "", "wizard", "hi"), "messages[0].role"},
		{"missing role", `{"messages":[{"content":"hi"}]}`, "messages[0].role"},
		{"missing content", `{"messages":[{"role":"user"}]}`, "messages[0].content"},
		{"content number", `{"messages":[{"role":"user","content":5}]}`, "messages[0].content"},
		{"bad part type", `{"messages":[{"role":"user","content":[{"type":"video"}]}]}`, "messages[0].content[0].type"},
		{"part not object", `{"messages":[{"role":"user","content":["x"]}]}`, "messages[0].content"},
		{"max_tokens zero", chatBody("gpt-4o", `"max_tokens":0`, "user", "hi"), "max_tokens"},
		{"max_tokens string", chatBody("gpt-4o", `"max_tokens":"5"`, "user", "hi"), "max_tokens"},
		{"max_completion_tokens negative", chatBody("gpt-4o", `"max_completion_tokens":-1`, "user", "hi"),
			"max_completion_tokens"},
		{"n too large", chatBody("gpt-4o", `"n":129`, "user", "hi"), "n"},
		{"n zero", chatBody("gpt-4o", `"n":0`, "user", "hi"), "n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := wantError(t, do(t, s, "POST", "/v1/chat/completions", tc.body), http.StatusBadRequest)
			if e.Error.Type != "invalid_request_error" || deref(e.Error.Param) != tc.param {
				t.Errorf("type %q param %q, want param %q (%s)", e.Error.Type, deref(e.Error.Param), tc.param,
					e.Error.Message)
			}
		})
	}
}

func TestBodyTooLarge(t *testing.T) {
	s := New(Options{})
	big := `{"messages":[{"role":"user","content":"` + strings.Repeat("a", maxBodyBytes) + `"}]}`
	e := wantError(t, do(t, s, "POST", "/v1/chat/completions", big), http.StatusRequestEntityTooLarge)
	if deref(e.Error.Code) != "request_too_large" {
		t.Errorf("code %q", deref(e.Error.Code))
	}
}

func TestRouting(t *testing.T) {
	s := New(Options{})
	tests := []struct {
		method, path string
		status       int
	}{
		{"GET", "/v1/chat/completions", http.StatusMethodNotAllowed},
		{"POST", "/v1/models", http.StatusMethodNotAllowed},
		{"DELETE", "/v1/models/gpt-4o", http.StatusMethodNotAllowed},
		{"POST", "/v1/nope", http.StatusNotFound},
		{"GET", "/", http.StatusNotFound},
		{"GET", "/v1/models/", http.StatusNotFound},
	}
	for _, tc := range tests {
		wantError(t, do(t, s, tc.method, tc.path, "{}"), tc.status)
	}
}
