package gateway

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// bodyMeta is what the gateway reads of a request body: the deployment or
// model name, whether it streams, and what quota needs to estimate. Every
// number in it has been range-checked (see limits.go).
type bodyMeta struct {
	Model               string
	Stream              bool
	MaxTokens           *int
	MaxCompletionTokens *int
	MaxOutputTokens     *int
	N                   *int // choices (chat, completions)
	BestOf              *int // legacy completions: candidates generated
	Dimensions          *int // embeddings
	StreamOptions       json.RawMessage
}

// rawMeta is the raw JSON value of each field the gateway reads; nil when
// absent. encoding/json fills it with its own key matching (case-folded,
// escapes decoded, the last duplicate wins); scanRaw does the same faster.
type rawMeta struct {
	Model               json.RawMessage `json:"model"`
	Stream              json.RawMessage `json:"stream"`
	MaxTokens           json.RawMessage `json:"max_tokens"`
	MaxCompletionTokens json.RawMessage `json:"max_completion_tokens"`
	MaxOutputTokens     json.RawMessage `json:"max_output_tokens"`
	N                   json.RawMessage `json:"n"`
	BestOf              json.RawMessage `json:"best_of"`
	Dimensions          json.RawMessage `json:"dimensions"`
	Input               json.RawMessage `json:"input"`
	StreamOptions       json.RawMessage `json:"stream_options"`
}

// parseMeta reads and checks what the gateway needs of a request body for
// op, answering a protocol-shaped 400 for anything it cannot accept.
func parseMeta(b []byte, op Operation) (bodyMeta, error) {
	if len(b) == 0 {
		return bodyMeta{}, errBadRequest("The request body is empty; a JSON object is required.")
	}
	raw, ok := scanRaw(b)
	if !ok {
		if !json.Valid(b) {
			var v any
			err := json.Unmarshal(b, &v)
			return bodyMeta{}, errBadRequest("The request body is not valid JSON: " + err.Error())
		}
		raw = rawMeta{}
		if err := json.Unmarshal(b, &raw); err != nil {
			return bodyMeta{}, errBadRequest("The request body must be a JSON object.")
		}
	}
	return raw.check(op)
}

// check interprets the raw fields, range-checking every number.
func (r *rawMeta) check(op Operation) (m bodyMeta, err error) {
	if len(r.Model) > 0 && string(r.Model) != "null" {
		s, ok := plainString(r.Model)
		if !ok && json.Unmarshal(r.Model, &s) != nil {
			return m, errInvalidType("model", "a string", jsonTypeNameOrNumber(r.Model))
		}
		m.Model = s
	}
	switch string(r.Stream) {
	case "", "null", "false":
	case "true":
		m.Stream = true
	default:
		return m, errInvalidType("stream", "a boolean", jsonTypeNameOrNumber(r.Stream))
	}
	// Read into an array, not through pointers to m's fields: those would
	// move m to the heap on every request.
	fields := [...]struct {
		p   intParam
		raw []byte
	}{{pMaxTokens, r.MaxTokens}, {pMaxCompletionTokens, r.MaxCompletionTokens}, {pMaxOutputTokens, r.MaxOutputTokens},
		{pN, r.N}, {pBestOf, r.BestOf}, {pDimensions, r.Dimensions}}
	var v [len(fields)]*int
	for i, f := range fields {
		if v[i], err = f.p.readInt(f.raw); err != nil {
			return m, err
		}
	}
	m.MaxTokens, m.MaxCompletionTokens, m.MaxOutputTokens, m.N, m.BestOf, m.Dimensions = v[0], v[1], v[2], v[3], v[4], v[5]
	if op == OpEmbeddings {
		if n, ok := embeddingInputs(r.Input); ok && n > maxEmbeddingInputs {
			return m, errTooManyInputs()
		}
	}
	m.StreamOptions = json.RawMessage(r.StreamOptions)
	return m, nil
}

func jsonTypeNameOrNumber(raw []byte) string {
	if s := jsonTypeName(raw); s != "" {
		return s
	}
	if plainInteger(raw) {
		return "an integer"
	}
	return "a decimal number"
}

// metaFields are rawMeta's JSON names, quoted as they appear in a body.
var metaFields = []string{`"model"`, `"stream"`, `"max_tokens"`, `"max_completion_tokens"`, `"max_output_tokens"`,
	`"n"`, `"best_of"`, `"dimensions"`, `"input"`, `"stream_options"`}

// scanRaw reads rawMeta from a valid JSON object without decoding it
// (encoding/json's reflection was a visible share of the gateway's CPU).
// Keys with escapes, and keys that differ from a field only in case
// (encoding/json matches those), return ok false, and parseMeta leaves the
// body to encoding/json, so both give the same result.
func scanRaw(b []byte) (r rawMeta, ok bool) {
	if !json.Valid(b) {
		return r, false
	}
	ok = true
	wellFormed := eachMember(bytes.TrimLeft(b, " \t\r\n"), func(key, val []byte) {
		if !ok {
			return
		}
		if bytes.IndexByte(key, '\\') >= 0 {
			ok = false
			return
		}
		switch string(key) {
		case `"model"`:
			r.Model = val
		case `"stream"`:
			r.Stream = val
		case `"max_tokens"`:
			r.MaxTokens = val
		case `"max_completion_tokens"`:
			r.MaxCompletionTokens = val
		case `"max_output_tokens"`:
			r.MaxOutputTokens = val
		case `"n"`:
			r.N = val
		case `"best_of"`:
			r.BestOf = val
		case `"dimensions"`:
			r.Dimensions = val
		case `"input"`:
			r.Input = val
		case `"stream_options"`:
			r.StreamOptions = val
		default:
			for _, f := range metaFields {
				if bytes.EqualFold(key, []byte(f)) {
					ok = false
				}
			}
		}
	})
	return r, ok && wellFormed
}

// plainString is the content of a JSON string without escapes (and valid
// UTF-8, which encoding/json would otherwise replace).
func plainString(v []byte) (string, bool) {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' || bytes.IndexByte(v, '\\') >= 0 || !utf8.Valid(v) {
		return "", false
	}
	return string(v[1 : len(v)-1]), true
}

// maxOutput is the completion budget the client asked for, if any: the
// largest of the fields, since an upstream may honour any one of them.
func (m bodyMeta) maxOutput() int {
	out := 0
	for _, p := range []*int{m.MaxCompletionTokens, m.MaxTokens, m.MaxOutputTokens} {
		if p != nil && *p > out {
			out = *p
		}
	}
	return out
}

// choices is how many completions the request generates: n, or best_of
// candidates when larger (Azure counts both toward the estimate).
func (m bodyMeta) choices() int {
	c := 1
	for _, p := range []*int{m.N, m.BestOf} {
		if p != nil && *p > c {
			c = *p
		}
	}
	return c
}

// withModel returns body with its "model" set to model, keeping every
// other field as the client sent it. The common cases cost no decoding:
// the model is already right, or absent (Azure's deployment routes) and
// is spliced in after the opening brace.
func withModel(body []byte, current, model string) ([]byte, error) {
	if current == model {
		return body, nil
	}
	v, _ := json.Marshal(model)
	if current == "" {
		trimmed := bytes.TrimLeft(body, " \t\r\n")
		if len(trimmed) > 0 && trimmed[0] == '{' && !bytes.Contains(body, []byte(`"model"`)) {
			rest := bytes.TrimLeft(trimmed[1:], " \t\r\n")
			out := make([]byte, 0, len(body)+len(v)+10)
			out = append(out, `{"model":`...)
			out = append(out, v...)
			if len(rest) > 0 && rest[0] != '}' {
				out = append(out, ',')
			}
			return append(out, rest...), nil
		}
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, errBadRequest("The request body must be a JSON object.")
	}
	m["model"] = v
	return json.Marshal(m)
}
