package simulator

import (
	"bytes"
	"encoding/json"
)

// textInputs is the polymorphic input of /v1/completions ("prompt") and
// /v1/embeddings ("input"): a string, an array of strings, an array of token
// ids, or an array of such arrays. Each element is one independent input.
type textInputs struct {
	texts  []string
	tokens [][]int // set instead of texts for token-id inputs
}

func (in *textInputs) len() int { return max(len(in.texts), len(in.tokens)) }

// parseInputs decodes raw at param; absent or null raw is a missing param.
func parseInputs(raw json.RawMessage, param string) (*textInputs, *apiError) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, missing(param)
	}
	bad := invalidType(param, "a string, an array of strings, an array of integers, "+
		"or an array of integer arrays")
	in := &textInputs{}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil, bad
		}
		in.texts = []string{s}
		return in, nil
	case '[':
	default:
		return nil, bad
	}
	var elems []json.RawMessage
	if json.Unmarshal(raw, &elems) != nil {
		return nil, bad
	}
	if len(elems) == 0 {
		return nil, invalid(param, "empty_array", "Invalid '%s': empty array. Expected an array "+
			"with minimum length 1, but got an empty array instead.", param)
	}
	// The first element decides the form; the others must match it.
	switch first := bytes.TrimSpace(elems[0]); {
	case len(first) > 0 && first[0] == '"':
		if json.Unmarshal(raw, &in.texts) != nil {
			return nil, bad
		}
	case len(first) > 0 && first[0] == '[':
		if json.Unmarshal(raw, &in.tokens) != nil {
			return nil, bad
		}
		for _, t := range in.tokens {
			if len(t) == 0 {
				return nil, invalid(param, "empty_array", "Invalid '%s': a token array is empty.", param)
			}
		}
	default:
		var ids []int
		if json.Unmarshal(raw, &ids) != nil {
			return nil, bad
		}
		in.tokens = [][]int{ids}
	}
	for _, t := range in.tokens {
		for _, id := range t {
			if id < 0 {
				return nil, invalid(param, "invalid_value", "Invalid '%s': token ids must be >= 0.", param)
			}
		}
	}
	return in, nil
}
