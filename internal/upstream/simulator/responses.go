package simulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// responsesRequest is the part of POST /v1/responses the simulator reads.
type responsesRequest struct {
	Model              string          `json:"model"`
	Input              json.RawMessage `json:"input"`
	Instructions       *string         `json:"instructions"`
	MaxOutputTokens    *int            `json:"max_output_tokens"`
	Stream             bool            `json:"stream"`
	Temperature        *float64        `json:"temperature"`
	TopP               *float64        `json:"top_p"`
	PreviousResponseID *string         `json:"previous_response_id"`
	Metadata           map[string]any  `json:"metadata"`
}

// inputItem is one element of an array input: a message, or a tool
// call / tool output that earlier turns produced.
type inputItem struct {
	Type      string  `json:"type"`
	Role      string  `json:"role"`
	Content   content `json:"content"`
	Name      string  `json:"name"`
	Arguments string  `json:"arguments"`
	Output    string  `json:"output"`
}

var responseRoles = []string{"user", "assistant", "system", "developer"}

// addResponsesInput accounts the input the way chat accounts messages.
func addResponsesInput(p *prompt, raw json.RawMessage) *apiError {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return missing("input")
	}
	if raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return invalidType("input", "a string or an array of input items")
		}
		p.message("user", "")
		p.text(s)
		return nil
	}
	var items []inputItem
	if raw[0] != '[' || json.Unmarshal(raw, &items) != nil {
		return invalidType("input", "a string or an array of input items")
	}
	if len(items) == 0 {
		return invalid("input", "empty_array", "Invalid 'input': empty array. "+
			"Expected an array with minimum length 1, but got an empty array instead.")
	}
	for i := range items {
		it := &items[i]
		param := "input[" + strconv.Itoa(i) + "]"
		switch it.Type {
		case "", "message":
			if !isOneOf(it.Role, responseRoles...) {
				if it.Role == "" {
					return missing(param + ".role")
				}
				return invalid(param+".role", "invalid_value", "Invalid value: '%s'. Supported values are: %s.",
					it.Role, quoteList(responseRoles))
			}
			p.message(it.Role, "")
			if err := p.addContent(&it.Content, param+".content", "input_text", "output_text", "text"); err != nil {
				return err
			}
		case "function_call":
			p.message("assistant", "")
			p.text(it.Name)
			p.text(it.Arguments)
		case "function_call_output":
			p.message("tool", "")
			p.text(it.Output)
		default:
			// Reasoning items and the like carry nothing the simulator
			// counts; they still vary the reply.
			p.h.str(it.Type)
		}
	}
	return nil
}

func (s *Simulator) responses(w http.ResponseWriter, r *http.Request, body []byte) *apiError {
	pc := s.newPacer()
	defer pc.stop()
	var req responsesRequest
	if err := decode(body, &req); err != nil {
		return err
	}
	if req.Model == "" {
		req.Model = s.defaultModel(false)
	}
	enc, err := getEncoder(encodingFor(req.Model))
	if err != nil {
		return errTokenizer(err)
	}
	p := newPrompt(enc, req.Model)
	if req.Instructions != nil {
		p.message("system", "")
		p.text(*req.Instructions)
	}
	if aerr := addResponsesInput(&p, req.Input); aerr != nil {
		return aerr
	}
	p.tokens += tokensPriming
	length, truncated, aerr := s.replyLength("max_output_tokens", req.MaxOutputTokens)
	if aerr != nil {
		return aerr
	}
	if s.checkFaults(w, r, req.Model) {
		return nil
	}

	resp := newResponseObject(&req, s.newID("resp_"), time.Now().Unix())
	msgID := s.newID("msg_")
	g := newGenerator(enc.vocab, uint64(p.h), 0, s.opts.ReplyTokens)
	finish := func(text string) {
		item := outputItem{Type: "message", ID: msgID, Status: "completed", Role: "assistant",
			Content: []outputText{{Type: "output_text", Text: text, Annotations: []any{}}}}
		resp.Status = "completed"
		if truncated {
			item.Status, resp.Status = "incomplete", "incomplete"
			resp.IncompleteDetails = &incompleteDetails{Reason: "max_output_tokens"}
		}
		resp.Output = []outputItem{item}
		resp.Usage = &responseUsage{InputTokens: p.tokens, OutputTokens: length,
			TotalTokens:        p.tokens + length,
			InputTokensDetails: map[string]int{"cached_tokens": 0},
			OutputDetails:      map[string]int{"reasoning_tokens": 0}}
	}
	if req.Stream {
		s.streamResponse(w, r, &pc, resp, msgID, &g, length, finish)
		return nil
	}
	text := make([]byte, 0, 8*length)
	for range length {
		text = append(text, g.next()...)
	}
	finish(string(text))
	b, _ := json.Marshal(resp) // plain structs: cannot fail
	if pc.wait(r, length-1) != nil {
		return nil
	}
	writeJSON(w, append(b, '\n'))
	return nil
}

// streamResponse sends the Responses API's event sequence: created,
// in_progress, item and part added, one output_text.delta per token, the
// done events, then completed (or incomplete when max_output_tokens cut it).
func (s *Simulator) streamResponse(w http.ResponseWriter, r *http.Request, pc *pacer,
	resp *responseObject, msgID string, g *generator, length int, finish func(string)) {
	out := startSSE(w)
	seq := 0
	var b []byte
	event := func(typ string, fields map[string]any) {
		fields["type"], fields["sequence_number"] = typ, seq
		seq++
		data, _ := json.Marshal(fields)
		b = append(b, "event: "...)
		b = append(b, typ...)
		b = append(b, "\ndata: "...)
		b = append(b, data...)
		b = append(b, "\n\n"...)
	}
	item := outputItem{Type: "message", ID: msgID, Status: "in_progress", Role: "assistant",
		Content: []outputText{}}
	resp.Status = "in_progress"
	event("response.created", map[string]any{"response": resp})
	event("response.in_progress", map[string]any{"response": resp})
	event("response.output_item.added", map[string]any{"output_index": 0, "item": item})
	emptyPart := outputText{Type: "output_text", Text: "", Annotations: []any{}}
	event("response.content_part.added", map[string]any{"item_id": msgID, "output_index": 0,
		"content_index": 0, "part": emptyPart})
	if out.send(b) != nil {
		return
	}

	// Deltas are the per-token hot path: built by hand.
	deltaHead := append([]byte(nil), "event: response.output_text.delta\ndata: {"...)
	deltaHead = appendStrField(deltaHead, "type", "response.output_text.delta")
	deltaHead = appendStrField(deltaHead, "item_id", msgID)
	deltaHead = append(deltaHead, `,"output_index":0,"content_index":0,"logprobs":[],"sequence_number":`...)
	text := make([]byte, 0, 8*length)
	for t := range length {
		if pc.wait(r, t) != nil {
			return
		}
		piece := g.next()
		text = append(text, piece...)
		b = append(b[:0], deltaHead...)
		b = appendInt(b, int64(seq))
		b = append(b, `,"delta":"`...)
		b = append(b, piece...) // vocab pieces need no escaping
		b = append(b, "\"}\n\n"...)
		seq++
		if out.send(b) != nil {
			return
		}
	}

	b = b[:0]
	finish(string(text))
	done := resp.Output[0]
	part := done.Content[0]
	event("response.output_text.done", map[string]any{"item_id": msgID, "output_index": 0,
		"content_index": 0, "text": part.Text, "logprobs": []any{}})
	event("response.content_part.done", map[string]any{"item_id": msgID, "output_index": 0,
		"content_index": 0, "part": part})
	event("response.output_item.done", map[string]any{"output_index": 0, "item": done})
	final := "response.completed"
	if resp.Status == "incomplete" {
		final = "response.incomplete"
	}
	event(final, map[string]any{"response": resp})
	_ = out.send(b)
}
