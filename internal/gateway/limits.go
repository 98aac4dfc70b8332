package gateway

import (
	"fmt"
	"strconv"
)

// Every number the gateway reads from a request body is range-checked
// here, before the quota estimate computes with it: a client's number
// never reaches arithmetic unchecked. The ceilings are the gateway's own,
// above any model's limits (the upstream still applies its model's); the
// floors and the messages are OpenAI's, which Azure OpenAI passes through.
const (
	maxOutputCeiling   = 1 << 20 // max_tokens and its kin: above every model's output limit
	maxChoices         = 128     // n, OpenAI's limit
	maxBestOf          = 20      // best_of (legacy completions), OpenAI's limit
	maxDimensions      = 1 << 16 // embeddings dimensions: above every model's
	maxEmbeddingInputs = 2048    // Azure OpenAI's limit of inputs per embeddings request
)

// intParam is one integer field of a request body and its valid range.
type intParam struct {
	name     string
	min, max int64
}

var (
	pMaxTokens           = intParam{"max_tokens", 1, maxOutputCeiling}
	pMaxCompletionTokens = intParam{"max_completion_tokens", 1, maxOutputCeiling}
	pMaxOutputTokens     = intParam{"max_output_tokens", 1, maxOutputCeiling}
	pN                   = intParam{"n", 1, maxChoices}
	pBestOf              = intParam{"best_of", 1, maxBestOf}
	pDimensions          = intParam{"dimensions", 1, maxDimensions}
)

// readInt reads raw, the JSON value of p (nil or null: absent), as an
// integer within p's range, or answers OpenAI's 400 for it.
func (p intParam) readInt(raw []byte) (*int, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if got := jsonTypeName(raw); got != "" {
		return nil, errInvalidType(p.name, "an integer", got)
	}
	if !plainInteger(raw) {
		return nil, errInvalidType(p.name, "an integer", "a decimal number")
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	switch {
	case (err != nil && raw[0] == '-') || (err == nil && n < p.min):
		return nil, errBelowMin(p.name, p.min, string(raw))
	case err != nil || n > p.max:
		return nil, errAboveMax(p.name, p.max, string(raw))
	}
	v := int(n) // within [min, max], which int holds on every platform
	return &v, nil
}

// jsonTypeName names the type of a JSON value that is not a number, as
// OpenAI's messages do; "" for a number.
func jsonTypeName(raw []byte) string {
	switch raw[0] {
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case '{':
		return "an object"
	case '[':
		return "an array"
	}
	return ""
}

// plainInteger: an optional minus and digits, no fraction or exponent.
func plainInteger(v []byte) bool {
	if len(v) > 0 && v[0] == '-' {
		v = v[1:]
	}
	if len(v) == 0 {
		return false
	}
	for _, c := range v {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// embeddingInputs counts the inputs of an embeddings request's "input": a
// string or an array of token ids is one input, an array of strings or of
// token arrays one per element. ok is false when input is not an array
// (the upstream judges everything else).
func embeddingInputs(raw []byte) (n int, ok bool) {
	if len(raw) == 0 || raw[0] != '[' {
		return 0, false
	}
	i := skipSpace(raw, 1)
	if i < len(raw) && raw[i] == ']' {
		return 0, true
	}
	if i < len(raw) && (raw[i] == '-' || (raw[i] >= '0' && raw[i] <= '9')) {
		return 1, true // one tokenized input
	}
	for i < len(raw) {
		end := skipValue(raw, i)
		if end < 0 {
			return n, false
		}
		n++
		i = skipSpace(raw, end)
		if i >= len(raw) || raw[i] != ',' {
			return n, true
		}
		i = skipSpace(raw, i+1)
	}
	return n, true
}

func errInvalidType(param, want, got string) *Error {
	return errParam(param, "invalid_type", fmt.Sprintf("Invalid type for '%s': expected %s, but got %s instead.", param, want, got))
}

func errBelowMin(param string, minimum int64, got string) *Error {
	return errParam(param, "integer_below_min_value",
		fmt.Sprintf("Invalid '%s': integer below minimum value. Expected a value >= %d, but got %s instead.", param, minimum, got))
}

func errAboveMax(param string, maximum int64, got string) *Error {
	return errParam(param, "integer_above_max_value",
		fmt.Sprintf("Invalid '%s': integer above maximum value. Expected a value <= %d, but got %s instead.", param, maximum, got))
}

// errTooManyInputs is Azure OpenAI's own answer (param and code null).
func errTooManyInputs() *Error {
	return errParam("", "", fmt.Sprintf("Too many inputs. The max number of inputs is %d.  We hope to increase the number of inputs per request soon. Please contact us through an Azure support request at: https://go.microsoft.com/fwlink/?linkid=2213926 for further questions.", maxEmbeddingInputs))
}
