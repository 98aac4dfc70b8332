package simulator

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// chatChunk mirrors OpenAI's chat.completion.chunk.
type chatChunk struct {
	ID                string `json:"id"`
	Object            string `json:"object"`
	Created           int64  `json:"created"`
	Model             string `json:"model"`
	ServiceTier       string `json:"service_tier"`
	SystemFingerprint string `json:"system_fingerprint"`
	Choices           []struct {
		Index int `json:"index"`
		Delta struct {
			Role    string  `json:"role"`
			Content *string `json:"content"`
			Refusal *string `json:"refusal"`
		} `json:"delta"`
		Logprobs     any     `json:"logprobs"`
		FinishReason *string `json:"finish_reason"`
	} `json:"choices"`
	Usage *chatUsage `json:"usage"`
}

// sseEvent is one received event with its arrival time.
type sseEvent struct {
	name, data string
	at         time.Duration
}

// readSSE reads events off a live response as they arrive.
func readSSE(t testing.TB, resp *http.Response, start time.Time) []sseEvent {
	t.Helper()
	var evs []sseEvent
	var cur sseEvent
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if cur.data != "" {
				cur.at = time.Since(start)
				evs = append(evs, cur)
			}
			cur = sseEvent{}
		case strings.HasPrefix(line, "event: "):
			cur.name = line[len("event: "):]
		case strings.HasPrefix(line, "data: "):
			cur.data = line[len("data: "):]
		default:
			t.Fatalf("unexpected SSE line %q", line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return evs
}

func postStream(t testing.TB, srv *httptest.Server, path, body string) (*http.Response, time.Time) {
	t.Helper()
	start := time.Now()
	resp, err := srv.Client().Post(srv.URL+path, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("status %d, content-type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return resp, start
}

// Chunks arrive one by one at the configured pace, over a real connection.
// Margins are generous: this checks behaviour, not the machine's timers.
func TestChatStreamPacing(t *testing.T) {
	const perToken, ttft, tokens = 40 * time.Millisecond, 20 * time.Millisecond, 20
	s := New(Options{TTFT: ttft, PerToken: perToken, ReplyTokens: tokens})
	srv := httptest.NewServer(s)
	defer srv.Close()
	resp, start := postStream(t, srv, "/v1/chat/completions",
		chatBody("gpt-4o-mini", `"stream":true,"stream_options":{"include_usage":true}`, "user", "Hi"))
	evs := readSSE(t, resp, start)

	if last := evs[len(evs)-1]; last.data != "[DONE]" {
		t.Fatalf("last event %q", last.data)
	}
	var text strings.Builder
	var contentAt []time.Duration
	var finish string
	var usage *chatUsage
	for _, ev := range evs[:len(evs)-1] {
		var c chatChunk
		decodeInto(t, []byte(ev.data), &c)
		if !strings.HasPrefix(c.ID, "chatcmpl-") || c.Object != "chat.completion.chunk" || c.Model != "gpt-4o-mini" {
			t.Fatalf("chunk header: %s", ev.data)
		}
		if c.Usage != nil {
			usage = c.Usage
			if len(c.Choices) != 0 {
				t.Errorf("usage chunk with choices")
			}
			continue
		}
		ch := c.Choices[0]
		if ch.FinishReason != nil {
			finish = *ch.FinishReason
		}
		if ch.Delta.Content != nil && *ch.Delta.Content != "" {
			text.WriteString(*ch.Delta.Content)
			contentAt = append(contentAt, ev.at)
		}
	}
	if len(contentAt) != tokens {
		t.Fatalf("%d content chunks, want one per token (%d)", len(contentAt), tokens)
	}
	total := contentAt[tokens-1]
	if first := contentAt[0]; first > total/2 {
		t.Errorf("first chunk at %v, last at %v: not streamed", first, total)
	}
	if min := ttft + (tokens-1)*perToken; total < min {
		t.Errorf("stream took %v, less than the configured %v", total, min)
	}
	e, _ := getEncoder(encO200K)
	if finish != "stop" || usage == nil || usage.CompletionTokens != tokens || e.count(text.String()) != tokens {
		t.Errorf("finish %q usage %+v text %q", finish, usage, text.String())
	}
	// The stream's text is the non-streaming reply.
	c := postChat(t, New(Options{ReplyTokens: tokens}), chatBody("gpt-4o-mini", "", "user", "Hi"))
	if c.Choices[0].Message.Content != text.String() {
		t.Errorf("stream %q != non-stream %q", text.String(), c.Choices[0].Message.Content)
	}
}

func TestNonStreamingWaitsTotal(t *testing.T) {
	s := New(Options{TTFT: 30 * time.Millisecond, PerToken: 10 * time.Millisecond})
	start := time.Now()
	postChat(t, s, chatBody("gpt-4o-mini", "", "user", "Hi"))
	if d, want := time.Since(start), 30*time.Millisecond+15*10*time.Millisecond; d < want {
		t.Errorf("answered after %v, want >= %v", d, want)
	}
}

// A cancelled request stops generation promptly, streaming or not, on
// every generating endpoint.
func TestCancellation(t *testing.T) {
	s := New(Options{PerToken: 50 * time.Millisecond, ReplyTokens: 4096}) // ~200 s uncancelled
	bodies := map[string]string{
		"chat":          chatBody("gpt-4o-mini", `"max_tokens":4096`, "user", "Hi"),
		"chat stream":   chatBody("gpt-4o-mini", `"max_tokens":4096,"stream":true`, "user", "Hi"),
		"legacy":        `{"model":"gpt-4o-mini","prompt":"x","max_tokens":4096}`,
		"legacy stream": `{"model":"gpt-4o-mini","prompt":"x","max_tokens":4096,"stream":true}`,
		"responses":     `{"model":"gpt-4o-mini","input":"x","max_output_tokens":4096}`,
		"resp stream":   `{"model":"gpt-4o-mini","input":"x","stream":true}`,
		"timeout fault": chatBody("gpt-4o-mini-error-timeout", "", "user", "Hi"),
	}
	paths := map[string]string{"legacy": "/v1/completions", "legacy stream": "/v1/completions",
		"responses": "/v1/responses", "resp stream": "/v1/responses"}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			path := paths[name]
			if path == "" {
				path = "/v1/chat/completions"
			}
			ctx, cancel := context.WithCancel(context.Background())
			req := httptest.NewRequestWithContext(ctx, "POST", path, strings.NewReader(body))
			done := make(chan struct{})
			start := time.Now()
			go func() {
				defer close(done)
				s.ServeHTTP(httptest.NewRecorder(), req)
			}()
			time.Sleep(150 * time.Millisecond)
			cancel()
			select {
			case <-done:
				if d := time.Since(start); d > 2*time.Second {
					t.Errorf("returned %v after start", d)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("handler still running 5 s after cancel")
			}
		})
	}
}

// A client that hangs up mid-stream over a real connection ends the
// handler too (the server cancels the request context).
func TestClientDisconnect(t *testing.T) {
	s := New(Options{PerToken: 20 * time.Millisecond, ReplyTokens: 4096})
	finished := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(finished)
		s.ServeHTTP(w, r)
	}))
	defer srv.Close()
	resp, _ := postStream(t, srv, "/v1/chat/completions", chatBody("gpt-4o", `"stream":true`, "user", "Hi"))
	br := bufio.NewReader(resp.Body)
	if _, err := br.ReadString('\n'); err != nil { // the stream is running
		t.Fatal(err)
	}
	resp.Body.Close()
	select {
	case <-finished:
	case <-time.After(5 * time.Second):
		t.Fatal("handler kept generating after the client left")
	}
}

// Legacy completions stream text_completion chunks then [DONE].
func TestCompletionsStream(t *testing.T) {
	s := New(Options{ReplyTokens: 5})
	rec := do(t, s, "POST", "/v1/completions", `{"model":"gpt-4","prompt":["a","b"],"stream":true,`+
		`"stream_options":{"include_usage":true}}`)
	evs := strings.Split(strings.TrimSpace(rec.Body.String()), "\n\n")
	if evs[len(evs)-1] != "data: [DONE]" {
		t.Fatalf("last event %q", evs[len(evs)-1])
	}
	texts := map[int]string{}
	var usage map[string]int
	for _, ev := range evs[:len(evs)-1] {
		var c struct {
			ID, Object, Model, SystemFingerprint string
			Created                              int64
			Choices                              []struct {
				Text         string
				Index        int
				Logprobs     any
				FinishReason *string `json:"finish_reason"`
			}
			Usage map[string]int
		}
		if err := json.Unmarshal([]byte(strings.TrimPrefix(ev, "data: ")), &c); err != nil {
			t.Fatalf("%v: %s", err, ev)
		}
		if c.Object != "text_completion" || !strings.HasPrefix(c.ID, "cmpl-") {
			t.Fatalf("chunk %s", ev)
		}
		if c.Usage != nil {
			usage = c.Usage
		}
		for _, ch := range c.Choices {
			texts[ch.Index] += ch.Text
		}
	}
	if len(texts) != 2 || usage["completion_tokens"] != 10 || usage["prompt_tokens"] != 2 {
		t.Errorf("texts %v usage %v", texts, usage)
	}
}
