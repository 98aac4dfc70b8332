package interop

import (
	"context"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// The real curl binary with the account key in the api-key header, as the
// README and the server's start-up message show it.
func TestCurlWithAPIKey(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Fatal("curl is required on PATH:", err)
	}
	key := accountKey(t, fx.AccountID)
	url := fx.Endpoint + "openai/deployments/" + demoDeployment + "/chat/completions?api-version=" + apiVersion
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, curl, "-sS", "--cacert", fx.srv.CAFile, url,
		"-H", "api-key: "+key, "-H", "Content-Type: application/json",
		"-d", `{"messages":[{"role":"user","content":"Hello!"}],"max_tokens":5}`,
		"-w", "\n%{http_code}")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("curl: %v\n%s", err, out)
	}
	// -w appends "\n<status>" after the body.
	text := string(out)
	i := strings.LastIndexByte(text, '\n')
	if i < 0 {
		t.Fatalf("curl output without status line: %s", text)
	}
	body, status := text[:i], text[i+1:]
	if status != "200" {
		t.Fatalf("curl: HTTP %s: %s", status, body)
	}
	var r struct {
		Object  string `json:"object"`
		Choices []struct {
			Message struct {
				Role    string `json:"role"`
				Content string `json:"content"`
			} `json:"message"`
			FinishReason string `json:"finish_reason"`
		} `json:"choices"`
		Usage struct {
			PromptTokens     int `json:"prompt_tokens"`
			CompletionTokens int `json:"completion_tokens"`
		} `json:"usage"`
	}
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		t.Fatalf("not JSON: %v: %s", err, body)
	}
	if r.Object != "chat.completion" || len(r.Choices) != 1 || r.Choices[0].Message.Role != "assistant" ||
		r.Choices[0].Message.Content == "" || r.Usage.CompletionTokens < 1 || r.Usage.CompletionTokens > 5 {
		t.Fatalf("unexpected answer: %s", body)
	}
}
