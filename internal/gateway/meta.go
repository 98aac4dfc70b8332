package gateway

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"
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
	if m, ok := scanMeta(b); ok {
		return m, nil
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, errBadRequest("The request body is not valid JSON: " + err.Error())
	}
	return m, nil
}

// metaFields are bodyMeta's JSON names, quoted as they appear in a body.
var metaFields = []string{`"model"`, `"stream"`, `"max_tokens"`, `"max_completion_tokens"`, `"max_output_tokens"`, `"stream_options"`}

// scanMeta reads bodyMeta from a valid JSON object without decoding it
// (encoding/json's reflection was a visible share of the gateway's CPU).
// Anything unusual — escapes in keys or the model, keys that differ from a
// field only in case (encoding/json matches those), numbers that are not
// plain integers, wrong types — returns ok false, and parseMeta leaves the
// body to encoding/json, so both give the same result.
func scanMeta(b []byte) (m bodyMeta, ok bool) {
	if !json.Valid(b) {
		return m, false
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
			if string(val) != "null" {
				s, good := plainString(val)
				m.Model, ok = s, good
			}
		case `"stream"`:
			switch string(val) {
			case "true", "false":
				m.Stream = string(val) == "true"
			case "null":
			default:
				ok = false
			}
		case `"max_tokens"`:
			m.MaxTokens, ok = intField(val)
		case `"max_completion_tokens"`:
			m.MaxCompletionTokens, ok = intField(val)
		case `"max_output_tokens"`:
			m.MaxOutputTokens, ok = intField(val)
		case `"stream_options"`:
			m.StreamOptions = json.RawMessage(val)
		default:
			for _, f := range metaFields {
				if bytes.EqualFold(key, []byte(f)) {
					ok = false
				}
			}
		}
	})
	return m, ok && wellFormed
}

// plainString is the content of a JSON string without escapes (and valid
// UTF-8, which encoding/json would otherwise replace).
func plainString(v []byte) (string, bool) {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' || bytes.IndexByte(v, '\\') >= 0 || !utf8.Valid(v) {
		return "", false
	}
	return string(v[1 : len(v)-1]), true
}

// intField reads an integer field as encoding/json would into *int.
func intField(v []byte) (*int, bool) {
	if string(v) == "null" {
		return nil, true
	}
	for i, c := range v {
		if (c < '0' || c > '9') && !(i == 0 && c == '-') {
			return nil, false
		}
	}
	n, err := strconv.Atoi(string(v))
	if err != nil {
		return nil, false
	}
	return &n, true
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
