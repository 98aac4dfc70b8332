// Package simulator is an OpenAI-compatible model server for demos, tests
// and load tests. It is an http.Handler, so the gateway can run it
// in-process behind a deployment and a benchmark can put it on its own
// listener as the "direct upstream" baseline.
//
// # Endpoints
//
//	POST /v1/chat/completions   chat.completion / chat.completion.chunk (SSE)
//	POST /v1/completions        text_completion (legacy), SSE too
//	POST /v1/embeddings         float or base64 vectors, honours dimensions
//	POST /v1/responses          Responses API, SSE events when stream=true
//	GET  /v1/models             the configured model list
//	GET  /v1/models/{id}        one model, or 404 model_not_found
//
// Bodies and errors use OpenAI's shapes; bad input is a 400 in the shape
// {"error":{"message","type","param","code"}}, a body over 4 MiB is a 413,
// and no input makes the handler answer 5xx or panic. The simulator is
// lenient where the gateway needs it: any model name is served (the list
// only feeds /v1/models), and a request without "model" gets the first
// configured chat (or embedding) model, because Azure-style requests carry
// the deployment in the path, not the body.
//
// # Replies
//
// A reply is a pure function of the model, the messages and the request's
// seed: words from an embedded list, chosen by a PRNG seeded with a hash of
// those inputs. It is built one BPE token at a time from words that are a
// single token in the model's encoding, so usage.completion_tokens is exactly
// the tokenizer's count of the returned text. Token counts come from
// tiktoken (o200k_base for the gpt-4o, gpt-4.1, gpt-4.5, gpt-5 and o-series
// families, cl100k_base otherwise), loaded from ranks embedded in the binary:
// nothing is downloaded. prompt_tokens follow OpenAI's chat accounting:
// 3 per message, plus the tokens of role, content and name (+1 for a name),
// plus 3 to prime the reply; an image part counts 85 tokens (the low-detail
// price: the simulator never fetches images) and tool calls count their
// function name and arguments.
//
// The natural reply is ReplyTokens long (default 16) and ends in "stop";
// max_tokens / max_completion_tokens / max_output_tokens (clamped to 4096)
// cut it short with finish_reason "length". A large ReplyTokens makes every
// reply exactly max_tokens long, which load tests usually want.
//
// # Latency
//
// Token i (from 0) is produced at TTFT + i*PerToken after the request
// arrived. Streams send each token as its own SSE event and flush it at once;
// non-streaming answers wait for the last token. A cancelled request context
// (client gone, gateway timeout) stops the generation at the next token.
//
// # Errors on demand
//
//   - header x-simulator-error: 429 | 500 | 503 | timeout (any endpoint);
//   - a model name ending in -error-429, -error-500, -error-503 or
//     -error-timeout (POST endpoints);
//   - Options.ErrorRate: the k-th valid inference request fails when
//     hash(Seed, k) < ErrorRate, with 429, 500 or 503 in equal shares. The
//     sequence is fixed for a seed; which concurrent request gets which slot
//     is not.
//
// A 429 carries retry-after: 1 and retry-after-ms: 1000. "timeout" sends
// nothing until the request context ends or Hang (default 5m) passes, then
// answers 504.
//
// # Options format
//
// ParseOptions reads the query of a deployment's upstream URL, e.g.
//
//	simulator://?ttft=20ms&per_token=5ms&error_rate=0.1&seed=7
//
// It accepts the whole URL, "?query" or a bare query. Keys, each at most
// once, unknown keys being an error:
//
//	models        comma-separated model ids for /v1/models
//	ttft          time to first token, a Go duration ("20ms", "1.5s", "0")
//	per_token     time between tokens, a Go duration
//	error_rate    fraction of failed inference requests, 0..1
//	seed          uint64 seed of the error sequence
//	reply_tokens  natural reply length in tokens, 1..4096
//	hang          how long a "timeout" fault stalls before its 504
package simulator
