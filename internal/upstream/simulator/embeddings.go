package simulator

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
)

// Embedding limits, as OpenAI's text-embedding-3 models have them.
const (
	maxEmbeddingInputs = 2048
	maxEmbeddingTokens = 8192
	defaultDimensions  = 1536
	largeDimensions    = 3072 // text-embedding-3-large
)

type embeddingRequest struct {
	Model          string          `json:"model"`
	Input          json.RawMessage `json:"input"`
	Dimensions     *int            `json:"dimensions"`
	EncodingFormat string          `json:"encoding_format"`
}

func nativeDimensions(model string) int {
	if strings.Contains(model, "-large") {
		return largeDimensions
	}
	return defaultDimensions
}

func (s *Simulator) embeddings(w http.ResponseWriter, r *http.Request, body []byte) *apiError {
	pc := s.newPacer()
	defer pc.stop()
	var req embeddingRequest
	if err := decode(body, &req); err != nil {
		return err
	}
	in, aerr := parseInputs(req.Input, "input")
	if aerr != nil {
		return aerr
	}
	if in.len() > maxEmbeddingInputs {
		return invalid("input", "invalid_value", "Invalid 'input': maximum %d inputs, got %d.",
			maxEmbeddingInputs, in.len())
	}
	if req.Model == "" {
		req.Model = s.defaultModel(true)
	}
	dims := nativeDimensions(req.Model)
	if req.Dimensions != nil {
		if *req.Dimensions < 1 {
			return belowMin("dimensions", *req.Dimensions, 1)
		}
		if *req.Dimensions > dims {
			return aboveMax("dimensions", *req.Dimensions, dims)
		}
		dims = *req.Dimensions
	}
	asBase64 := false
	switch req.EncodingFormat {
	case "", "float":
	case "base64":
		asBase64 = true
	default:
		return invalid("encoding_format", "invalid_value",
			"Invalid value: '%s'. Supported values are: 'float' and 'base64'.", req.EncodingFormat)
	}
	enc, err := getEncoder(encodingFor(req.Model))
	if err != nil {
		return errTokenizer(err)
	}
	// Tokenize everything before answering anything, so a bad input is a
	// clean 400 rather than a half-written body.
	toks := in.tokens
	if toks == nil {
		toks = make([][]int, len(in.texts))
		for i, t := range in.texts {
			if t == "" {
				return invalid("input", "invalid_value", "Invalid 'input[%d]': the string is empty.", i)
			}
			toks[i] = enc.tokens(t)
		}
	}
	total := 0
	for i, t := range toks {
		if len(t) > maxEmbeddingTokens {
			return invalid("input", "context_length_exceeded", "This model's maximum context length is %d "+
				"tokens, however you requested %d tokens in input[%d].", maxEmbeddingTokens, len(t), i)
		}
		total += len(t)
	}
	if s.checkFaults(w, r, req.Model) {
		return nil
	}

	mh := newHasher()
	mh.str(req.Model)
	vec := make([]float64, dims)
	b := make([]byte, 0, 128+len(toks)*dims*12)
	b = append(b, `{"object":"list","data":[`...)
	for i, t := range toks {
		if i > 0 {
			b = append(b, ',')
		}
		embed(vec, uint64(mh), t)
		b = append(b, `{"object":"embedding","index":`...)
		b = appendInt(b, int64(i))
		b = append(b, `,"embedding":`...)
		if asBase64 {
			b = appendBase64Vector(b, vec)
		} else {
			b = appendFloatVector(b, vec)
		}
		b = append(b, '}')
	}
	b = append(b, ']')
	b = appendStrField(b, "model", req.Model)
	b = append(b, `,"usage":{"prompt_tokens":`...)
	b = appendInt(b, int64(total))
	b = append(b, `,"total_tokens":`...)
	b = appendInt(b, int64(total))
	b = append(b, "}}\n"...)
	if pc.wait(r, 0) != nil {
		return nil
	}
	writeJSON(w, b)
	return nil
}

// featuresPerToken is how many coordinates each token pushes.
const featuresPerToken = 8

// embed fills vec with a unit vector for the tokens: a sum of pseudo-random
// signed features per token (so texts sharing words have a positive cosine,
// which makes retrieval demos behave) plus a dense per-text component
// carrying a fifth of the energy (so every coordinate is non-zero, like a
// real model's output).
func embed(vec []float64, modelHash uint64, toks []int) {
	clear(vec)
	dims := uint64(len(vec))
	text := modelHash
	for _, t := range toks {
		x := mix(modelHash ^ mix(uint64(t)+1))
		text = mix(text ^ x)
		for k := range uint64(featuresPerToken) {
			y := mix(x + k)
			if y&1 == 0 {
				vec[(y>>1)%dims]++
			} else {
				vec[(y>>1)%dims]--
			}
		}
	}
	sparse := norm(vec)
	var pcg rand.PCG
	pcg.Seed(text, ^text)
	dense := make([]float64, len(vec))
	for i := range dense {
		dense[i] = float64(int64(pcg.Uint64()))/math.MaxInt64 + 1e-9 // never exactly 0
	}
	scale := 0.5 * sparse / norm(dense) // energy ratio 0.25 : 1
	if sparse == 0 {
		scale = 1 / norm(dense)
	}
	for i := range vec {
		vec[i] += scale * dense[i]
	}
	n := norm(vec)
	for i := range vec {
		vec[i] /= n
	}
}

func norm(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x * x
	}
	return math.Sqrt(s)
}

func appendFloatVector(b []byte, v []float64) []byte {
	b = append(b, '[')
	for i, x := range v {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendFloat(b, float64(float32(x)), 'g', -1, 32)
	}
	return append(b, ']')
}

// appendBase64Vector encodes little-endian float32s, as OpenAI does.
func appendBase64Vector(b []byte, v []float64) []byte {
	raw := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(float32(x)))
	}
	b = append(b, '"')
	b = base64.StdEncoding.AppendEncode(b, raw)
	return append(b, '"')
}
