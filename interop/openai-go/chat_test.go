package interop

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/azure"
	"github.com/openai/openai-go/v3/option"
)

// Chat completion with an Entra token of the demo app (Cognitive Services
// OpenAI User on the account), through azure.WithTokenCredential.
func TestChatCompletionWithTokenCredential(t *testing.T) {
	c := client(fx.srv, fx.Endpoint, azure.WithTokenCredential(demoCredential(t)))
	var resp *http.Response
	out, err := c.Chat.Completions.New(ctxT(t), chatParams(demoDeployment, 8), option.WithResponseInto(&resp))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Request.URL.Path != "/accounts/demo/openai/deployments/gpt-4o-mini/chat/completions" ||
		resp.Request.URL.Query().Get("api-version") != apiVersion {
		t.Errorf("the SDK called %s", resp.Request.URL)
	}
	if len(out.Choices) != 1 || out.Choices[0].Message.Content == "" || out.Choices[0].Message.Role != "assistant" {
		t.Fatalf("choices %+v", out.Choices)
	}
	if out.Object != "chat.completion" || !strings.HasPrefix(out.ID, "chatcmpl-") || out.Model == "" {
		t.Errorf("id %q object %q model %q", out.ID, out.Object, out.Model)
	}
	if out.Usage.PromptTokens <= 0 || out.Usage.CompletionTokens <= 0 || out.Usage.CompletionTokens > 8 ||
		out.Usage.TotalTokens != out.Usage.PromptTokens+out.Usage.CompletionTokens {
		t.Errorf("usage %+v (max_tokens 8)", out.Usage)
	}
	for _, h := range []string{"apim-request-id", "x-ratelimit-remaining-requests", "x-ratelimit-remaining-tokens"} {
		if resp.Header.Get(h) == "" {
			t.Errorf("no %s header", h)
		}
	}
}

// docs/gateway.md: "each response carries its id in apim-request-id and
// x-request-id" — on errors, and on answers forwarded from the upstream.
func TestRequestIDHeaders(t *testing.T) {
	c := client(fx.srv, fx.Endpoint, azure.WithTokenCredential(demoCredential(t)))
	var resp *http.Response
	if _, err := c.Chat.Completions.New(ctxT(t), chatParams(demoDeployment, 3), option.WithResponseInto(&resp)); err != nil {
		t.Fatal(err)
	}
	if a, x := resp.Header.Get("apim-request-id"), resp.Header.Get("x-request-id"); a == "" || a != x {
		t.Errorf("200: apim-request-id %q but x-request-id %q: the upstream's x-request-id replaced the gateway's", a, x)
	}
	_, err := c.Chat.Completions.New(ctxT(t), chatParams("no-such-deployment", 3))
	e, _ := apiError(t, err, http.StatusNotFound)
	if a, x := e.Response.Header.Get("apim-request-id"), e.Response.Header.Get("x-request-id"); a == "" || a != x {
		t.Errorf("404: apim-request-id %q, x-request-id %q", a, x)
	}
	if e.Code != "DeploymentNotFound" {
		t.Errorf("404 code %q, want DeploymentNotFound", e.Code)
	}
}

// Streaming chat completion: the SDK's SSE decoder reads the chunks and the
// accumulator rebuilds the message.
func TestChatCompletionStreaming(t *testing.T) {
	c := client(fx.srv, fx.Endpoint, azure.WithTokenCredential(demoCredential(t)))
	stream := c.Chat.Completions.NewStreaming(ctxT(t), chatParams(demoDeployment, 6))
	var acc openai.ChatCompletionAccumulator
	chunks, content := 0, ""
	for stream.Next() {
		ch := stream.Current()
		acc.AddChunk(ch)
		chunks++
		if ch.Object != "chat.completion.chunk" {
			t.Errorf("chunk object %q", ch.Object)
		}
		if len(ch.Choices) > 0 {
			content += ch.Choices[0].Delta.Content
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if err := stream.Close(); err != nil {
		t.Fatal(err)
	}
	if chunks < 3 || content == "" {
		t.Fatalf("%d chunks, content %q", chunks, content)
	}
	if len(acc.Choices) != 1 || acc.Choices[0].Message.Content != content || acc.Choices[0].FinishReason == "" {
		t.Fatalf("accumulated %+v, streamed content %q", acc.Choices, content)
	}
}

// Embeddings through the same deployment.
func TestEmbeddings(t *testing.T) {
	c := client(fx.srv, fx.Endpoint, azure.WithTokenCredential(demoCredential(t)))
	out, err := c.Embeddings.New(ctxT(t), openai.EmbeddingNewParams{
		Model: openai.EmbeddingModel(demoDeployment),
		Input: openai.EmbeddingNewParamsInputUnion{OfArrayOfStrings: []string{"first text", "second text"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Data) != 2 || out.Data[0].Index != 0 || out.Data[1].Index != 1 {
		t.Fatalf("%d embeddings", len(out.Data))
	}
	if len(out.Data[0].Embedding) < 8 || len(out.Data[0].Embedding) != len(out.Data[1].Embedding) {
		t.Fatalf("dimensions %d and %d", len(out.Data[0].Embedding), len(out.Data[1].Embedding))
	}
	same := true
	for i := range out.Data[0].Embedding {
		same = same && out.Data[0].Embedding[i] == out.Data[1].Embedding[i]
	}
	if same {
		t.Errorf("two different texts have the same embedding")
	}
	if out.Usage.PromptTokens <= 0 {
		t.Errorf("usage %+v", out.Usage)
	}
}

// The account key through azure.WithAPIKey (the SDK sends it as Api-Key).
func TestChatCompletionWithAPIKey(t *testing.T) {
	key := accountKey(t, fx.AccountID)
	c := client(fx.srv, fx.Endpoint, azure.WithAPIKey(key))
	out, err := c.Chat.Completions.New(ctxT(t), chatParams(demoDeployment, 5))
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Choices) != 1 || out.Choices[0].Message.Content == "" {
		t.Fatalf("choices %+v", out.Choices)
	}
	// A wrong key: Azure's 401 with code "401".
	c = client(fx.srv, fx.Endpoint, azure.WithAPIKey(strings.Repeat("0", len(key))))
	_, err = c.Chat.Completions.New(ctxT(t), chatParams(demoDeployment, 5))
	e, body := apiError(t, err, http.StatusUnauthorized)
	jsonEqual(t, body, `{"error":{"code":"401","message":"Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource."}}`)
	if e.Code != "401" {
		t.Errorf("SDK error code %q", e.Code)
	}
}

// A deployment whose simulator answers the first token after 50 ms and then
// one every 100 ms: the first chunk must reach the SDK long before the
// stream ends, i.e. the gateway streams rather than buffers. Margins are
// generous (a behavioural check, not a benchmark).
func TestStreamingFirstChunkEarly(t *testing.T) {
	createDeployment(t, fx.AccountID, "slow-stream", 100, "simulator?ttft=50ms&per_token=100ms")
	c := client(fx.srv, fx.Endpoint, azure.WithTokenCredential(demoCredential(t)))
	// Get the token first so that the measurement covers the stream only.
	if _, err := c.Chat.Completions.New(ctxT(t), chatParams(demoDeployment, 1)); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	stream := c.Chat.Completions.NewStreaming(ctxT(t), chatParams("slow-stream", 20))
	var first time.Duration
	var arrivals []time.Duration
	content := 0
	for stream.Next() {
		now := time.Since(start)
		if first == 0 {
			first = now
		}
		ch := stream.Current()
		if len(ch.Choices) > 0 && ch.Choices[0].Delta.Content != "" {
			content++
			arrivals = append(arrivals, now)
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	total := time.Since(start)
	_ = stream.Close()
	t.Logf("first chunk after %v, %d content chunks, stream done after %v", first.Round(time.Millisecond), content, total.Round(time.Millisecond))
	// The simulator stops at its natural reply length (16 tokens by
	// default) or at max_tokens, whichever comes first.
	if content < 10 || content > 20 {
		t.Fatalf("%d content chunks, want 10 to 20 (max_tokens 20)", content)
	}
	// 10 or more tokens 100 ms apart: the stream lasts a second or more.
	if total < time.Second {
		t.Fatalf("the stream took %v; the simulator's per_token delay was not applied", total)
	}
	if first >= total/2 {
		t.Fatalf("first chunk after %v of %v: the response was buffered", first, total)
	}
	// The content chunks arrive spread out, not in one burst at the end.
	if len(arrivals) >= 2 && arrivals[len(arrivals)-1]-arrivals[0] < total/3 {
		t.Fatalf("content chunks arrived between %v and %v of %v: a burst", arrivals[0], arrivals[len(arrivals)-1], total)
	}
}

// headerInt parses a header that must be a non-negative integer.
func headerInt(t *testing.T, h http.Header, name string) int {
	t.Helper()
	v := h.Get(name)
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		t.Fatalf("header %s = %q, want a non-negative integer", name, v)
	}
	return n
}
