package simulator

import (
	"net/http"
	"strconv"
	"time"
)

// chatRequest is the part of POST /v1/chat/completions the simulator reads;
// other fields (temperature, tools, response_format, ...) are accepted and
// ignored.
type chatRequest struct {
	Model               string        `json:"model"`
	Messages            []chatMessage `json:"messages"`
	MaxTokens           *int          `json:"max_tokens"`
	MaxCompletionTokens *int          `json:"max_completion_tokens"`
	N                   *int          `json:"n"`
	Seed                *int64        `json:"seed"`
	Stream              bool          `json:"stream"`
	StreamOptions       *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
}

type chatMessage struct {
	Role      string     `json:"role"`
	Content   content    `json:"content"`
	Name      string     `json:"name"`
	ToolCalls []toolCall `json:"tool_calls"`
}

type toolCall struct {
	Function struct {
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

var chatRoles = []string{"system", "developer", "user", "assistant", "tool", "function"}

// completion is what a handler computed, ready to be written.
type completion struct {
	id, model    string
	created      int64
	promptTokens int
	seed         uint64 // reply hash
	n            int    // choices
	length       int    // tokens per choice
	truncated    bool
	vocab        *vocab
}

func (c *completion) finishReason() string {
	if c.truncated {
		return "length"
	}
	return "stop"
}

func (c *completion) completionTokens() int { return c.n * c.length }

func (c *completion) generators(natural int) []generator {
	gs := make([]generator, c.n)
	for i := range gs {
		gs[i] = newGenerator(c.vocab, c.seed, i, natural)
	}
	return gs
}

// parseChat validates a chat request and accounts its prompt.
func (s *Simulator) parseChat(body []byte) (*chatRequest, *completion, *apiError) {
	var req chatRequest
	if err := decode(body, &req); err != nil {
		return nil, nil, err
	}
	if req.Messages == nil {
		return nil, nil, missing("messages")
	}
	if len(req.Messages) == 0 {
		return nil, nil, invalid("messages", "empty_array", "Invalid 'messages': empty array. "+
			"Expected an array with minimum length 1, but got an empty array instead.")
	}
	if req.Model == "" {
		req.Model = s.defaultModel(false)
	}
	enc, err := getEncoder(encodingFor(req.Model))
	if err != nil {
		return nil, nil, errTokenizer(err)
	}
	p := newPrompt(enc, req.Model)
	for i := range req.Messages {
		m := &req.Messages[i]
		param := "messages[" + strconv.Itoa(i) + "]"
		if m.Role == "" {
			return nil, nil, missing(param + ".role")
		}
		if !isOneOf(m.Role, chatRoles...) {
			return nil, nil, invalid(param+".role", "invalid_value",
				"Invalid value: '%s'. Supported values are: %s.", m.Role, quoteList(chatRoles))
		}
		p.message(m.Role, m.Name)
		if m.Content.kind == 0 {
			// Only an assistant turn (typically one with tool calls) may
			// omit its content.
			if m.Role != "assistant" {
				return nil, nil, missing(param + ".content")
			}
		} else if err := p.addContent(&m.Content, param+".content", "text"); err != nil {
			return nil, nil, err
		}
		for _, tc := range m.ToolCalls {
			p.text(tc.Function.Name)
			p.text(tc.Function.Arguments)
		}
	}
	p.seed(req.Seed)
	p.tokens += tokensPriming

	limitParam, limit := "max_tokens", req.MaxTokens
	if req.MaxCompletionTokens != nil {
		limitParam, limit = "max_completion_tokens", req.MaxCompletionTokens
	}
	length, truncated, aerr := s.replyLength(limitParam, limit)
	if aerr != nil {
		return nil, nil, aerr
	}
	n, aerr := choices(req.N)
	if aerr != nil {
		return nil, nil, aerr
	}
	return &req, &completion{model: req.Model, promptTokens: p.tokens, seed: uint64(p.h), n: n,
		length: length, truncated: truncated, vocab: enc.vocab}, nil
}

func (s *Simulator) chat(w http.ResponseWriter, r *http.Request, body []byte) *apiError {
	pc := s.newPacer() // the clock starts when the request arrived
	defer pc.stop()
	req, c, err := s.parseChat(body)
	if err != nil {
		return err
	}
	if s.checkFaults(w, r, req.Model) {
		return nil
	}
	c.id, c.created = s.newID("chatcmpl-"), time.Now().Unix()
	if req.Stream {
		s.streamChat(w, r, &pc, c, req.StreamOptions != nil && req.StreamOptions.IncludeUsage)
		return nil
	}

	// Generate first (cheap), then hold the answer until the last token
	// would have been produced.
	gs := c.generators(s.opts.ReplyTokens)
	b := make([]byte, 0, 512+c.n*(64+8*c.length))
	b = append(b, '{')
	b = appendStrField(b, "id", c.id)
	b = appendStrField(b, "object", "chat.completion")
	b = appendIntField(b, "created", c.created)
	b = appendStrField(b, "model", c.model)
	b = appendKey(b, "choices")
	b = append(b, '[')
	for i := range gs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"index":`...)
		b = appendInt(b, int64(i))
		b = append(b, `,"message":{"role":"assistant","content":"`...)
		for range c.length {
			b = append(b, gs[i].next()...) // vocab pieces need no escaping
		}
		b = append(b, `","refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"`...)
		b = append(b, c.finishReason()...)
		b = append(b, `"}`...)
	}
	b = append(b, ']')
	b = appendChatUsage(appendKey(b, "usage"), c)
	b = appendStrField(b, "service_tier", "default")
	b = appendStrField(b, "system_fingerprint", fingerprint(c.model))
	b = append(b, "}\n"...)
	if pc.wait(r, c.length-1) != nil {
		return nil // client gone: nobody to answer
	}
	writeJSON(w, b)
	return nil
}

func appendChatUsage(b []byte, c *completion) []byte {
	b = appendUsageCounts(append(b, '{'), c)
	b = appendRawField(b, "prompt_tokens_details", `{"cached_tokens":0,"audio_tokens":0}`)
	b = appendRawField(b, "completion_tokens_details", `{"reasoning_tokens":0,"audio_tokens":0,`+
		`"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}`)
	return append(b, '}')
}

// streamChat sends chat.completion.chunk events: the role, one event per
// token per choice, the finish reason, the usage when asked, then [DONE].
func (s *Simulator) streamChat(w http.ResponseWriter, r *http.Request, pc *pacer, c *completion, usage bool) {
	gs := c.generators(s.opts.ReplyTokens)
	// Every chunk starts the same: build that once.
	head := append([]byte(nil), `data: {`...)
	head = appendStrField(head, "id", c.id)
	head = appendStrField(head, "object", "chat.completion.chunk")
	head = appendIntField(head, "created", c.created)
	head = appendStrField(head, "model", c.model)
	head = appendStrField(head, "service_tier", "default")
	head = appendStrField(head, "system_fingerprint", fingerprint(c.model))
	head = append(head, `,"choices":[{"index":`...)
	tail := "}]}\n\n"
	if usage {
		tail = `}],"usage":null}` + "\n\n"
	}
	chunk := func(b []byte, choice int, delta, finish string) []byte {
		b = append(b, head...)
		b = appendInt(b, int64(choice))
		b = append(b, `,"delta":`...)
		b = append(b, delta...)
		b = append(b, `,"logprobs":null,"finish_reason":`...)
		b = append(b, finish...)
		return append(b, tail...)
	}

	out := startSSE(w)
	var b []byte
	for t := range c.length {
		if pc.wait(r, t) != nil {
			return // cancelled: stop generating at once
		}
		b = b[:0]
		for i := range gs {
			if t == 0 {
				b = chunk(b, i, `{"role":"assistant","content":"","refusal":null}`, "null")
			}
			b = chunk(b, i, `{"content":"`+gs[i].next()+`"}`, "null")
		}
		if out.send(b) != nil {
			return
		}
	}
	b = b[:0]
	for i := range gs {
		b = chunk(b, i, "{}", `"`+c.finishReason()+`"`)
	}
	if usage {
		b = append(b, head[:len(head)-len(`{"index":`)]...) // `...,"choices":[`
		b = append(b, `],"usage":`...)
		b = appendChatUsage(b, c)
		b = append(b, "}\n\n"...)
	}
	b = append(b, "data: [DONE]\n\n"...)
	_ = out.send(b)
}
