package simulator

import (
	"encoding/json"
	"net/http"
	"time"
)

// legacyRequest is the part of POST /v1/completions the simulator reads.
type legacyRequest struct {
	Model         string          `json:"model"`
	Prompt        json.RawMessage `json:"prompt"`
	MaxTokens     *int            `json:"max_tokens"`
	N             *int            `json:"n"`
	Seed          *int64          `json:"seed"`
	Stream        bool            `json:"stream"`
	StreamOptions *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
}

// completions serves the legacy text completion API: every prompt of the
// request gets n choices, indexed prompt*n + choice, as OpenAI does.
func (s *Simulator) completions(w http.ResponseWriter, r *http.Request, body []byte) *apiError {
	pc := s.newPacer()
	defer pc.stop()
	var req legacyRequest
	if err := decode(body, &req); err != nil {
		return err
	}
	in, aerr := parseInputs(req.Prompt, "prompt")
	if aerr != nil {
		return aerr
	}
	if req.Model == "" {
		req.Model = s.defaultModel(false)
	}
	enc, err := getEncoder(encodingFor(req.Model))
	if err != nil {
		return errTokenizer(err)
	}
	length, truncated, aerr := s.replyLength("max_tokens", req.MaxTokens)
	if aerr != nil {
		return aerr
	}
	n, aerr := choices(req.N)
	if aerr != nil {
		return aerr
	}
	if in.len()*n > maxChoices {
		return aboveMax("n", in.len()*n, maxChoices)
	}
	// One generator per (prompt, choice); prompts are counted once each.
	promptTokens := 0
	var gs []generator
	for i := range in.len() {
		p := newPrompt(enc, req.Model)
		if in.tokens != nil {
			p.tokenIDs(in.tokens[i])
		} else {
			p.text(in.texts[i])
		}
		p.seed(req.Seed)
		promptTokens += p.tokens
		for c := range n {
			gs = append(gs, newGenerator(enc.vocab, uint64(p.h), c, s.opts.ReplyTokens))
		}
	}
	if s.checkFaults(w, r, req.Model) {
		return nil
	}
	c := &completion{id: s.newID("cmpl-"), model: req.Model, created: time.Now().Unix(),
		promptTokens: promptTokens, n: len(gs), length: length, truncated: truncated}

	head := []byte{'{'}
	head = appendStrField(head, "id", c.id)
	head = appendStrField(head, "object", "text_completion")
	head = appendIntField(head, "created", c.created)
	head = appendStrField(head, "model", c.model)
	head = appendStrField(head, "system_fingerprint", fingerprint(c.model))
	head = append(head, `,"choices":[`...)
	choice := func(b []byte, i int, text, finish string) []byte {
		b = append(b, `{"text":"`...)
		b = append(b, text...) // vocab pieces need no escaping
		b = append(b, `","index":`...)
		b = appendInt(b, int64(i))
		b = append(b, `,"logprobs":null,"finish_reason":`...)
		b = append(b, finish...)
		return append(b, '}')
	}
	finish := `"` + c.finishReason() + `"`

	if req.Stream {
		usage := req.StreamOptions != nil && req.StreamOptions.IncludeUsage
		tail := "]}\n\n"
		if usage {
			tail = `],"usage":null}` + "\n\n"
		}
		out := startSSE(w)
		var b []byte
		for t := range c.length {
			if pc.wait(r, t) != nil {
				return nil
			}
			b = b[:0]
			for i := range gs {
				b = append(append(b, "data: "...), head...)
				b = append(choice(b, i, gs[i].next(), "null"), tail...)
			}
			if out.send(b) != nil {
				return nil
			}
		}
		b = b[:0]
		for i := range gs {
			b = append(append(b, "data: "...), head...)
			b = append(choice(b, i, "", finish), tail...)
		}
		if usage {
			b = append(append(b, "data: "...), head...)
			b = append(b, `],"usage":`...)
			b = append(appendLegacyUsage(b, c), "}\n\n"...)
		}
		_ = out.send(append(b, "data: [DONE]\n\n"...))
		return nil
	}

	b := append(make([]byte, 0, 256+len(gs)*(64+8*c.length)), head...)
	for i := range gs {
		if i > 0 {
			b = append(b, ',')
		}
		text := make([]byte, 0, 8*c.length)
		for range c.length {
			text = append(text, gs[i].next()...)
		}
		b = choice(b, i, string(text), finish)
	}
	b = append(b, `],"usage":`...)
	b = append(appendLegacyUsage(b, c), "}\n"...)
	if pc.wait(r, c.length-1) != nil {
		return nil
	}
	writeJSON(w, b)
	return nil
}

func appendLegacyUsage(b []byte, c *completion) []byte {
	return append(appendUsageCounts(append(b, '{'), c), '}')
}

// appendUsageCounts writes the token counts every usage object starts with.
func appendUsageCounts(b []byte, c *completion) []byte {
	b = appendIntField(b, "prompt_tokens", int64(c.promptTokens))
	b = appendIntField(b, "completion_tokens", int64(c.completionTokens()))
	return appendIntField(b, "total_tokens", int64(c.promptTokens+c.completionTokens()))
}
