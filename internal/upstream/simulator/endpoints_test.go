package simulator

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"math"
	"net/http"
	"strings"
	"testing"
)

// embeddingList mirrors OpenAI's embeddings response; Embedding is either
// a float array or a base64 string.
type embeddingList struct {
	Object string `json:"object"`
	Data   []struct {
		Object    string          `json:"object"`
		Index     int             `json:"index"`
		Embedding json.RawMessage `json:"embedding"`
	} `json:"data"`
	Model string `json:"model"`
	Usage struct {
		PromptTokens int `json:"prompt_tokens"`
		TotalTokens  int `json:"total_tokens"`
	} `json:"usage"`
}

func vectors(t *testing.T, l embeddingList) [][]float64 {
	var out [][]float64
	for _, d := range l.Data {
		var v []float64
		if d.Embedding[0] == '"' {
			var s string
			json.Unmarshal(d.Embedding, &s)
			raw, err := base64.StdEncoding.DecodeString(s)
			if err != nil || len(raw)%4 != 0 {
				t.Fatalf("base64 vector: %v", err)
			}
			for i := 0; i < len(raw); i += 4 {
				v = append(v, float64(math.Float32frombits(binary.LittleEndian.Uint32(raw[i:]))))
			}
		} else if err := json.Unmarshal(d.Embedding, &v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func TestEmbeddings(t *testing.T) {
	s := New(Options{})
	tests := []struct {
		name, body   string
		model        string
		n, dims      int
		promptTokens int
	}{
		{"string", `{"model":"text-embedding-3-small","input":"hello world"}`, "text-embedding-3-small", 1, 1536, 2},
		{"strings", `{"model":"text-embedding-3-small","input":["hello world","a b c"]}`, "text-embedding-3-small", 2, 1536, 5},
		{"tokens", `{"model":"text-embedding-3-small","input":[1,2,3]}`, "text-embedding-3-small", 1, 1536, 3},
		{"token arrays", `{"model":"text-embedding-3-small","input":[[1,2],[3]]}`, "text-embedding-3-small", 2, 1536, 3},
		{"dimensions", `{"model":"text-embedding-3-small","input":"x","dimensions":256}`, "text-embedding-3-small", 1, 256, 1},
		{"large model", `{"model":"text-embedding-3-large","input":"x"}`, "text-embedding-3-large", 1, 3072, 1},
		{"base64", `{"model":"text-embedding-3-small","input":"x","encoding_format":"base64","dimensions":8}`,
			"text-embedding-3-small", 1, 8, 1},
		{"default model", `{"input":"x"}`, "text-embedding-3-small", 1, 1536, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := do(t, s, "POST", "/v1/embeddings", tc.body)
			if rec.Code != 200 {
				t.Fatalf("%d: %s", rec.Code, rec.Body)
			}
			var l embeddingList
			decodeInto(t, rec.Body.Bytes(), &l)
			if l.Object != "list" || l.Model != tc.model || len(l.Data) != tc.n ||
				l.Usage.PromptTokens != tc.promptTokens || l.Usage.TotalTokens != tc.promptTokens {
				t.Fatalf("shape: %+v", l)
			}
			for i, v := range vectors(t, l) {
				if l.Data[i].Object != "embedding" || l.Data[i].Index != i || len(v) != tc.dims {
					t.Errorf("item %d: object %q index %d dims %d", i, l.Data[i].Object, l.Data[i].Index, len(v))
				}
				if n := math.Sqrt(dot(v, v)); math.Abs(n-1) > 1e-4 {
					t.Errorf("item %d: norm %v", i, n)
				}
			}
		})
	}
}

func TestEmbeddingsDeterministicAndSimilar(t *testing.T) {
	s, other := New(Options{}), New(Options{Seed: 3})
	get := func(input string) []float64 {
		rec := do(t, s, "POST", "/v1/embeddings", `{"model":"text-embedding-3-small","input":`+input+`}`)
		var l embeddingList
		decodeInto(t, rec.Body.Bytes(), &l)
		return vectors(t, l)[0]
	}
	a := get(`"the cat sat on the mat"`)
	s, other = other, s // same text on another instance
	if d := dot(a, get(`"the cat sat on the mat"`)); d < 0.9999 {
		t.Errorf("same text, different vector: dot %v", d)
	}
	near := dot(a, get(`"the cat sat on the red mat"`))
	far := dot(a, get(`"quarterly revenue exceeded forecasts"`))
	if !(near > 0.5 && far < 0.3 && near > far) {
		t.Errorf("cosine near %.3f far %.3f: similar texts should be closer", near, far)
	}
	// float and base64 carry the same vector.
	rec := do(t, s, "POST", "/v1/embeddings", `{"input":"the cat sat on the mat","encoding_format":"base64"}`)
	var l embeddingList
	decodeInto(t, rec.Body.Bytes(), &l)
	if d := dot(a, vectors(t, l)[0]); math.Abs(d-1) > 1e-4 {
		t.Errorf("base64 vector differs: dot %v", d)
	}
}

func TestEmbeddingsBadInput(t *testing.T) {
	s := New(Options{})
	for name, body := range map[string]string{
		"missing input":  `{"model":"text-embedding-3-small"}`,
		"empty array":    `{"input":[]}`,
		"empty string":   `{"input":""}`,
		"number":         `{"input":5}`,
		"mixed":          `{"input":["a",1]}`,
		"negative token": `{"input":[-1]}`,
		"empty tokens":   `{"input":[[]]}`,
		"dims zero":      `{"input":"x","dimensions":0}`,
		"dims too big":   `{"input":"x","dimensions":1537}`,
		"bad format":     `{"input":"x","encoding_format":"hex"}`,
		"too long":       `{"input":"` + strings.Repeat("word ", 9000) + `"}`,
		"not json":       `{`,
	} {
		t.Run(name, func(t *testing.T) {
			wantError(t, do(t, s, "POST", "/v1/embeddings", body), http.StatusBadRequest)
		})
	}
}

// responseObj mirrors the Responses API's response object.
type responseObj struct {
	ID                 string             `json:"id"`
	Object             string             `json:"object"`
	CreatedAt          int64              `json:"created_at"`
	Status             string             `json:"status"`
	Error              any                `json:"error"`
	IncompleteDetails  *incompleteDetails `json:"incomplete_details"`
	Instructions       *string            `json:"instructions"`
	MaxOutputTokens    *int               `json:"max_output_tokens"`
	Model              string             `json:"model"`
	Output             []outputItem       `json:"output"`
	ParallelToolCalls  bool               `json:"parallel_tool_calls"`
	PreviousResponseID *string            `json:"previous_response_id"`
	Reasoning          map[string]any     `json:"reasoning"`
	Store              bool               `json:"store"`
	Temperature        float64            `json:"temperature"`
	Text               map[string]any     `json:"text"`
	ToolChoice         string             `json:"tool_choice"`
	Tools              []any              `json:"tools"`
	TopP               float64            `json:"top_p"`
	Truncation         string             `json:"truncation"`
	Usage              *struct {
		InputTokens        int            `json:"input_tokens"`
		InputTokensDetails map[string]int `json:"input_tokens_details"`
		OutputTokens       int            `json:"output_tokens"`
		OutputDetails      map[string]int `json:"output_tokens_details"`
		TotalTokens        int            `json:"total_tokens"`
	} `json:"usage"`
	User     *string        `json:"user"`
	Metadata map[string]any `json:"metadata"`
}

func TestResponses(t *testing.T) {
	s := New(Options{})
	tests := []struct {
		name, body   string
		status       string
		inputTokens  int
		outputTokens int
	}{
		// (3 + 1 "user" + 2 "Hello!") + 3 priming = 9
		{"string input", `{"model":"gpt-4o-mini","input":"Hello!"}`, "completed", 9, 16},
		// + a system message: 3 + 1 + 6 = 10
		{"instructions", `{"model":"gpt-4o-mini","instructions":"You are a helpful assistant.","input":"Hello!"}`,
			"completed", 19, 16},
		{"items", `{"model":"gpt-4o-mini","input":[{"role":"user","content":[{"type":"input_text","text":"Hello!"}]}]}`,
			"completed", 9, 16},
		{"truncated", `{"model":"gpt-4o-mini","input":"Hello!","max_output_tokens":4}`, "incomplete", 9, 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := do(t, s, "POST", "/v1/responses", tc.body)
			if rec.Code != 200 {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
			var r responseObj
			decodeInto(t, rec.Body.Bytes(), &r)
			if !strings.HasPrefix(r.ID, "resp_") || r.Object != "response" || r.Status != tc.status ||
				r.Model != "gpt-4o-mini" || len(r.Output) != 1 || r.Usage == nil {
				t.Fatalf("shape: %s", rec.Body)
			}
			o := r.Output[0]
			if o.Type != "message" || o.Role != "assistant" || !strings.HasPrefix(o.ID, "msg_") ||
				len(o.Content) != 1 || o.Content[0].Type != "output_text" {
				t.Fatalf("output: %+v", o)
			}
			e, _ := getEncoder(encO200K)
			u := r.Usage
			if u.InputTokens != tc.inputTokens || u.OutputTokens != tc.outputTokens ||
				e.count(o.Content[0].Text) != tc.outputTokens || u.TotalTokens != u.InputTokens+u.OutputTokens {
				t.Errorf("usage %+v for %q", u, o.Content[0].Text)
			}
			if (tc.status == "incomplete") != (r.IncompleteDetails != nil) {
				t.Errorf("incomplete_details %+v", r.IncompleteDetails)
			}
		})
	}
}

func TestResponsesStream(t *testing.T) {
	s := New(Options{ReplyTokens: 6})
	rec := do(t, s, "POST", "/v1/responses", `{"model":"gpt-4o","input":"Hello!","stream":true}`)
	if rec.Code != 200 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	var names []string
	var deltas strings.Builder
	var final responseObj
	for i, ev := range strings.Split(strings.TrimSpace(rec.Body.String()), "\n\n") {
		name, data, ok := strings.Cut(strings.TrimPrefix(ev, "event: "), "\ndata: ")
		if !ok {
			t.Fatalf("event %q", ev)
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal([]byte(data), &m); err != nil {
			t.Fatalf("%v: %s", err, data)
		}
		var typ string
		var seq int
		json.Unmarshal(m["type"], &typ)
		json.Unmarshal(m["sequence_number"], &seq)
		if typ != name || seq != i {
			t.Errorf("event %d: type %q name %q seq %d", i, typ, name, seq)
		}
		names = append(names, name)
		switch name {
		case "response.output_text.delta":
			var d string
			json.Unmarshal(m["delta"], &d)
			deltas.WriteString(d)
		case "response.completed":
			decodeInto(t, m["response"], &final)
		}
	}
	want := []string{"response.created", "response.in_progress", "response.output_item.added",
		"response.content_part.added"}
	for range 6 {
		want = append(want, "response.output_text.delta")
	}
	want = append(want, "response.output_text.done", "response.content_part.done", "response.output_item.done",
		"response.completed")
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Errorf("events\n%v\nwant\n%v", names, want)
	}
	if final.Status != "completed" || final.Output[0].Content[0].Text != deltas.String() || final.Usage.OutputTokens != 6 {
		t.Errorf("final %+v, deltas %q", final, deltas.String())
	}
}

func TestResponsesBadInput(t *testing.T) {
	s := New(Options{})
	for name, body := range map[string]string{
		"missing input": `{"model":"gpt-4o"}`,
		"empty array":   `{"input":[]}`,
		"number":        `{"input":1}`,
		"bad role":      `{"input":[{"role":"robot","content":"x"}]}`,
		"bad content":   `{"input":[{"role":"user","content":1}]}`,
		"bad part":      `{"input":[{"role":"user","content":[{"type":"hologram"}]}]}`,
		"max zero":      `{"input":"x","max_output_tokens":0}`,
	} {
		t.Run(name, func(t *testing.T) {
			wantError(t, do(t, s, "POST", "/v1/responses", body), http.StatusBadRequest)
		})
	}
}

func TestLegacyCompletions(t *testing.T) {
	s := New(Options{})
	rec := do(t, s, "POST", "/v1/completions", `{"model":"gpt-3.5-turbo-instruct","prompt":"Say this is a test","max_tokens":7,"n":2}`)
	if rec.Code != 200 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	var c struct {
		ID                string `json:"id"`
		Object            string `json:"object"`
		Created           int64  `json:"created"`
		Model             string `json:"model"`
		SystemFingerprint string `json:"system_fingerprint"`
		Choices           []struct {
			Text         string `json:"text"`
			Index        int    `json:"index"`
			Logprobs     any    `json:"logprobs"`
			FinishReason string `json:"finish_reason"`
		} `json:"choices"`
		Usage chatUsage `json:"usage"`
	}
	decodeInto(t, rec.Body.Bytes(), &c)
	e, _ := getEncoder(encCL100K)
	if !strings.HasPrefix(c.ID, "cmpl-") || c.Object != "text_completion" || len(c.Choices) != 2 ||
		c.Usage.PromptTokens != 5 || c.Usage.CompletionTokens != 14 {
		t.Fatalf("shape: %s", rec.Body)
	}
	for i, ch := range c.Choices {
		if ch.Index != i || ch.FinishReason != "length" || e.count(ch.Text) != 7 {
			t.Errorf("choice %+v", ch)
		}
	}
	for name, body := range map[string]string{
		"missing prompt": `{"model":"x"}`,
		"too many":       `{"prompt":["a","b","c"],"n":50}`,
		"bad prompt":     `{"prompt":{}}`,
	} {
		t.Run(name, func(t *testing.T) {
			wantError(t, do(t, s, "POST", "/v1/completions", body), http.StatusBadRequest)
		})
	}
}

func TestModels(t *testing.T) {
	s := New(Options{Models: []string{"gpt-4o", "text-embedding-3-large"}})
	type model struct {
		ID      string `json:"id"`
		Object  string `json:"object"`
		Created int64  `json:"created"`
		OwnedBy string `json:"owned_by"`
	}
	var list struct {
		Object string  `json:"object"`
		Data   []model `json:"data"`
	}
	rec := do(t, s, "GET", "/v1/models", "")
	decodeInto(t, rec.Body.Bytes(), &list)
	if rec.Code != 200 || list.Object != "list" || len(list.Data) != 2 || list.Data[1].ID != "text-embedding-3-large" ||
		list.Data[0].Object != "model" || list.Data[0].OwnedBy == "" || list.Data[0].Created == 0 {
		t.Fatalf("list: %s", rec.Body)
	}
	var m model
	rec = do(t, s, "GET", "/v1/models/gpt-4o", "")
	decodeInto(t, rec.Body.Bytes(), &m)
	if rec.Code != 200 || m.ID != "gpt-4o" || m.Object != "model" {
		t.Fatalf("get: %s", rec.Body)
	}
	e := wantError(t, do(t, s, "GET", "/v1/models/gpt-2", ""), http.StatusNotFound)
	if deref(e.Error.Code) != "model_not_found" {
		t.Errorf("code %q", deref(e.Error.Code))
	}
	// Defaults.
	rec = do(t, New(Options{}), "GET", "/v1/models", "")
	decodeInto(t, rec.Body.Bytes(), &list)
	if len(list.Data) != len(DefaultModels) {
		t.Errorf("default models: %s", rec.Body)
	}
}
