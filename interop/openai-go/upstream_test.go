package interop

import (
	"bufio"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/azure"
)

// startSimulator runs `gatehouse simulate` as a process of its own on a
// free port and returns its OpenAI base URL (…/v1).
func startSimulator(t *testing.T, options string) string {
	t.Helper()
	cmd := exec.Command(binPath, "simulate", "--addr", "127.0.0.1:0", "--options", options)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("simulate: %v", err)
	}
	_, url, ok := strings.Cut(strings.TrimSpace(line), "listening on ")
	if !ok || !strings.HasPrefix(url, "http://") {
		t.Fatalf("simulate printed %q", line)
	}
	return url
}

// A deployment whose upstream is an OpenAI-compatible server in another
// process (here the simulator, as vLLM or Ollama would be), reached over
// HTTP through the gateway's own upstream transport: repeated chat calls
// on kept connections, a stream whose first chunk arrives long before its
// end, and embeddings.
func TestOpenAIUpstreamProcess(t *testing.T) {
	url := startSimulator(t, "ttft=30ms&per_token=60ms")
	createDeployment(t, fx.AccountID, "via-http", 100, "openai="+url)
	c := client(fx.srv, fx.Endpoint, azure.WithTokenCredential(demoCredential(t)))

	for i := range 5 {
		out, err := c.Chat.Completions.New(ctxT(t), chatParams("via-http", 4))
		if err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		if len(out.Choices) != 1 || out.Choices[0].Message.Content == "" || out.Usage.CompletionTokens <= 0 || out.Usage.CompletionTokens > 4 {
			t.Fatalf("call %d: choices %+v usage %+v", i, out.Choices, out.Usage)
		}
	}

	start := time.Now()
	stream := c.Chat.Completions.NewStreaming(ctxT(t), chatParams("via-http", 12))
	var first time.Duration
	content := ""
	for stream.Next() {
		if first == 0 {
			first = time.Since(start)
		}
		if ch := stream.Current(); len(ch.Choices) > 0 {
			content += ch.Choices[0].Delta.Content
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	total := time.Since(start)
	_ = stream.Close()
	if content == "" || total < 500*time.Millisecond || first >= total/2 {
		t.Fatalf("stream: content %q, first chunk after %v of %v", content, first, total)
	}

	emb, err := c.Embeddings.New(ctxT(t), openai.EmbeddingNewParams{
		Model: openai.EmbeddingModel("via-http"),
		Input: openai.EmbeddingNewParamsInputUnion{OfArrayOfStrings: []string{"one", "two"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(emb.Data) != 2 || len(emb.Data[0].Embedding) == 0 || emb.Usage.PromptTokens <= 0 {
		t.Fatalf("embeddings: %d items, usage %+v", len(emb.Data), emb.Usage)
	}
}
