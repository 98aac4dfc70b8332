package simulator

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
)

// Chat token accounting, as in OpenAI's cookbook (num_tokens_from_messages).
const (
	tokensPerMessage = 3  // <|start|>{role}\n{content}<|end|>\n framing
	tokensPerName    = 1  // a name replaces the role's separator
	tokensPriming    = 3  // <|start|>assistant<|message|> before the reply
	tokensPerImage   = 85 // the low-detail price; images are never fetched
)

// prompt accumulates a request's prompt tokens and the hash that seeds its
// reply, message by message.
type prompt struct {
	enc    *encoder
	h      hasher
	tokens int
}

func newPrompt(enc *encoder, model string) prompt {
	p := prompt{enc: enc, h: newHasher()}
	p.h.str(model)
	return p
}

// message opens a chat message: framing plus its role (and name).
func (p *prompt) message(role, name string) {
	p.tokens += tokensPerMessage + p.enc.count(role)
	p.h.str(role)
	if name != "" {
		p.tokens += tokensPerName + p.enc.count(name)
		p.h.str(name)
	}
}

// text adds text to the current message (or to a plain prompt).
func (p *prompt) text(s string) {
	p.tokens += p.enc.count(s)
	p.h.str(s)
}

// image adds an image part; its reference still varies the reply.
func (p *prompt) image(ref []byte) {
	p.tokens += tokensPerImage
	p.h.str(string(ref))
}

// tokenIDs adds a prompt given as token ids (legacy completions).
func (p *prompt) tokenIDs(ids []int) {
	p.tokens += len(ids)
	for _, id := range ids {
		p.h.u64(uint64(id))
	}
}

// seed mixes the request's seed, when given, into the reply's hash.
func (p *prompt) seed(seed *int64) {
	if seed != nil {
		p.h.str("seed")
		p.h.u64(uint64(*seed))
	}
}

// content is a message's content: null, a string, or an array of parts.
// Its unmarshaller records the JSON kind instead of failing, so validation
// can name the offending parameter ("messages[2].content").
type content struct {
	kind  byte // 0 absent or null, '"' string, '[' parts, 'x' anything else
	text  string
	parts []contentPart
	bad   bool // an array that isn't an array of part objects
}

type contentPart struct {
	Type     string          `json:"type"`
	Text     string          `json:"text"`
	Refusal  string          `json:"refusal"`
	ImageURL json.RawMessage `json:"image_url"`
}

func (c *content) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		c.kind = 0
		return nil
	}
	switch b[0] {
	case '"':
		c.kind = '"'
		return json.Unmarshal(b, &c.text)
	case '[':
		c.kind = '['
		if json.Unmarshal(b, &c.parts) != nil {
			c.bad = true
		}
		return nil
	}
	c.kind = 'x'
	return nil
}

// addContent validates content at param and adds it to the prompt.
// textTypes are the part types that carry text for this API.
func (p *prompt) addContent(c *content, param string, textTypes ...string) *apiError {
	switch c.kind {
	case '"':
		p.text(c.text)
		return nil
	case '[':
	default:
		return invalidType(param, "a string or an array of content parts")
	}
	if c.bad {
		return invalidType(param, "an array of content part objects")
	}
	for i := range c.parts {
		part := &c.parts[i]
		pp := param + "[" + strconv.Itoa(i) + "]"
		switch {
		case isOneOf(part.Type, textTypes...):
			p.text(part.Text)
		case part.Type == "refusal":
			p.text(part.Refusal)
		case part.Type == "image_url" || part.Type == "input_image":
			p.image(part.ImageURL)
		case part.Type == "input_audio" || part.Type == "file" || part.Type == "input_file":
			// Not tokenized: the simulator doesn't decode media. Still
			// accepted so gateway tests can forward such requests.
			p.h.str(part.Type)
		case part.Type == "":
			return missing(pp + ".type")
		default:
			return invalid(pp+".type", "invalid_value", "Invalid value: '%s'. Supported values are: %s.",
				part.Type, quoteList(slices.Concat(textTypes, []string{"image_url", "input_audio", "refusal", "file"})))
		}
	}
	return nil
}

func isOneOf(s string, set ...string) bool { return slices.Contains(set, s) }

func quoteList(xs []string) string {
	out := ""
	for i, x := range xs {
		if i > 0 {
			out += ", "
		}
		out += "'" + x + "'"
	}
	return out
}

// replyLength applies the natural length and the request's limit.
// param names the limit field; limit is nil when the request set none.
func (s *Simulator) replyLength(param string, limit *int) (n int, truncated bool, err *apiError) {
	natural := s.opts.ReplyTokens
	if limit == nil {
		return natural, false, nil
	}
	if *limit < 1 {
		return 0, false, belowMin(param, *limit, 1)
	}
	l := min(*limit, maxReplyTokens)
	if l < natural {
		return l, true, nil
	}
	return natural, false, nil
}

// choices validates n.
func choices(n *int) (int, *apiError) {
	switch {
	case n == nil:
		return 1, nil
	case *n < 1:
		return 0, belowMin("n", *n, 1)
	case *n > maxChoices:
		return 0, aboveMax("n", *n, maxChoices)
	}
	return *n, nil
}
