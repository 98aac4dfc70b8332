package gateway

import (
	"bytes"
	"encoding/json"
)

// bodyMeta is what the gateway reads of a request body: the deployment or
// model name, whether it streams, and what quota needs to estimate.
type bodyMeta struct {
	Model               string          `json:"model"`
	Stream              bool            `json:"stream"`
	MaxTokens           *int            `json:"max_tokens"`
	MaxCompletionTokens *int            `json:"max_completion_tokens"`
	MaxOutputTokens     *int            `json:"max_output_tokens"`
	StreamOptions       json.RawMessage `json:"stream_options"`
}

func parseMeta(b []byte) (bodyMeta, error) {
	var m bodyMeta
	if len(b) == 0 {
		return m, errBadRequest("The request body is empty; a JSON object is required.")
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, errBadRequest("The request body is not valid JSON: " + err.Error())
	}
	return m, nil
}

// maxOutput is the completion budget the client asked for, if any.
func (m bodyMeta) maxOutput() int {
	for _, p := range []*int{m.MaxCompletionTokens, m.MaxTokens, m.MaxOutputTokens} {
		if p != nil && *p > 0 {
			return *p
		}
	}
	return 0
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
