package simulator

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Limits shared by every endpoint.
const (
	maxBodyBytes       = 4 << 20 // larger bodies get 413, as OpenAI's edge does
	maxReplyTokens     = 4096    // clamp for max_tokens and ReplyTokens
	defaultReplyTokens = 16
	defaultHang        = 5 * time.Minute
	maxChoices         = 128 // OpenAI's limit for n
)

// DefaultModels are served by /v1/models when Options.Models is empty.
var DefaultModels = []string{"gpt-4o-mini", "gpt-4o", "text-embedding-3-small"}

// Options configure a Simulator. The zero value is a fast, error-free server.
type Options struct {
	// Models are listed by GET /v1/models; default DefaultModels.
	Models []string
	// TTFT is the delay before the first token.
	TTFT time.Duration
	// PerToken is the delay between consecutive tokens.
	PerToken time.Duration
	// ErrorRate is the fraction (0..1) of inference requests that fail.
	ErrorRate float64
	// Seed fixes the ErrorRate sequence.
	Seed uint64
	// ReplyTokens is the natural reply length (default 16, max 4096).
	ReplyTokens int
	// Hang is how long a "timeout" fault stalls before answering 504.
	Hang time.Duration
}

// withDefaults fills the zero fields and clamps the rest, so the handler
// never has to re-check them.
func (o Options) withDefaults() Options {
	if len(o.Models) == 0 {
		o.Models = DefaultModels
	}
	o.Models = append([]string(nil), o.Models...) // callers may reuse theirs
	o.TTFT = max(o.TTFT, 0)
	o.PerToken = max(o.PerToken, 0)
	o.ErrorRate = min(max(o.ErrorRate, 0), 1)
	if o.ReplyTokens <= 0 {
		o.ReplyTokens = defaultReplyTokens
	}
	o.ReplyTokens = min(o.ReplyTokens, maxReplyTokens)
	if o.Hang <= 0 {
		o.Hang = defaultHang
	}
	return o
}

// ParseOptions reads Options from an upstream URL's query (see the package
// comment for the format). It accepts "simulator://?k=v", "?k=v" or "k=v".
func ParseOptions(query string) (Options, error) {
	var o Options
	if i := strings.Index(query, "?"); i >= 0 {
		query = query[i+1:]
	} else if strings.Contains(query, "://") {
		query = "" // a bare URL such as "simulator://" has no options
	}
	vals, err := url.ParseQuery(query)
	if err != nil {
		return o, fmt.Errorf("simulator options: %w", err)
	}
	for _, key := range slices.Sorted(maps.Keys(vals)) { // sorted: a stable first error
		vs := vals[key]
		if len(vs) != 1 {
			return o, fmt.Errorf("simulator options: %q given %d times", key, len(vs))
		}
		if err := o.set(key, vs[0]); err != nil {
			return o, fmt.Errorf("simulator options: %s=%q: %w", key, vs[0], err)
		}
	}
	return o, nil
}

// set applies one key of the options format.
func (o *Options) set(key, v string) error {
	var err error
	switch key {
	case "models":
		o.Models = nil
		for m := range strings.SplitSeq(v, ",") {
			if m = strings.TrimSpace(m); m != "" {
				o.Models = append(o.Models, m)
			}
		}
	case "ttft":
		o.TTFT, err = parseDuration(v)
	case "per_token":
		o.PerToken, err = parseDuration(v)
	case "hang":
		o.Hang, err = parseDuration(v)
	case "error_rate":
		o.ErrorRate, err = strconv.ParseFloat(v, 64)
		if err == nil && !(o.ErrorRate >= 0 && o.ErrorRate <= 1) { // also rejects NaN
			err = fmt.Errorf("want a number in [0, 1]")
		}
	case "seed":
		o.Seed, err = strconv.ParseUint(v, 10, 64)
	case "reply_tokens":
		o.ReplyTokens, err = strconv.Atoi(v)
		if err == nil && (o.ReplyTokens < 1 || o.ReplyTokens > maxReplyTokens) {
			err = fmt.Errorf("want an integer in [1, %d]", maxReplyTokens)
		}
	default:
		return fmt.Errorf("unknown option")
	}
	return err
}

func parseDuration(v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err == nil && d < 0 {
		err = fmt.Errorf("negative duration")
	}
	return d, err
}
