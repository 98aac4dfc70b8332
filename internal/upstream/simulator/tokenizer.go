package simulator

import (
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	tiktoken "github.com/pkoukk/tiktoken-go"
	tiktokenloader "github.com/pkoukk/tiktoken-go-loader"
)

// The default tiktoken loader fetches the BPE ranks over HTTP (and caches
// them in a temp dir). The offline loader reads ranks embedded in the
// binary, so nothing touches the network. Set in init, before any
// GetEncoding, because SetBpeLoader writes an unguarded global.
func init() {
	tiktoken.SetBpeLoader(tiktokenloader.NewOfflineLoader())
}

// Encoding names, indexes into encoders.
const (
	encCL100K = iota
	encO200K
	numEncodings
)

var encodingNames = [numEncodings]string{encCL100K: "cl100k_base", encO200K: "o200k_base"}

// o200kPrefixes are the model families tokenized with o200k_base; every
// other model uses cl100k_base.
var o200kPrefixes = []string{"gpt-4o", "chatgpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "gpt-oss", "o1", "o3", "o4"}

func encodingFor(model string) int {
	model = strings.ToLower(model)
	for _, p := range o200kPrefixes {
		if strings.HasPrefix(model, p) {
			return encO200K
		}
	}
	return encCL100K
}

// encoder wraps one tiktoken encoding with what the simulator derives from
// it: the single-token vocabulary replies are built from, and a cache of
// counts for strings seen before (load tests repeat their prompts, and the
// regexp-based pre-tokenizer costs ~1 µs per word).
type encoder struct {
	name  string
	tk    *tiktoken.Tiktoken
	vocab *vocab

	mu    sync.RWMutex
	cache map[string]int
}

// Cache bounds: strings up to 1 KiB, up to 4096 of them (≤ 4 MiB). When full
// the cache is dropped whole: simpler than LRU and fine for repeated prompts.
const (
	cacheMaxLen     = 1 << 10
	cacheMaxEntries = 4096
)

var encoders [numEncodings]struct {
	once sync.Once
	enc  *encoder
	err  error
}

// getEncoder loads an encoding on first use (≈0.1–0.2 s for o200k_base) and
// returns the shared instance afterwards.
func getEncoder(id int) (*encoder, error) {
	e := &encoders[id]
	e.once.Do(func() {
		tk, err := tiktoken.GetEncoding(encodingNames[id])
		if err != nil {
			e.err = fmt.Errorf("tokenizer %s: %w", encodingNames[id], err)
			return
		}
		enc := &encoder{name: encodingNames[id], tk: tk, cache: make(map[string]int)}
		enc.vocab, e.err = buildVocab(enc)
		e.enc = enc
	})
	return e.enc, e.err
}

// count returns the number of tokens of s.
func (e *encoder) count(s string) int {
	if s == "" {
		return 0
	}
	cacheable := len(s) <= cacheMaxLen
	if cacheable {
		e.mu.RLock()
		n, ok := e.cache[s]
		e.mu.RUnlock()
		if ok {
			return n
		}
	}
	n := 0
	forEachChunk(s, func(c string) { n += len(e.tk.EncodeOrdinary(c)) })
	if cacheable {
		e.mu.Lock()
		if len(e.cache) >= cacheMaxEntries {
			clear(e.cache)
		}
		e.cache[strings.Clone(s)] = n // don't pin a larger request buffer
		e.mu.Unlock()
	}
	return n
}

// tokens returns the token ids of s (for embeddings, which are built from
// them).
func (e *encoder) tokens(s string) []int {
	var out []int
	forEachChunk(s, func(c string) { out = append(out, e.tk.EncodeOrdinary(c)...) })
	return out
}

// Chunking bounds. tiktoken-go's byte-pair merge is quadratic in the length
// of one pre-token: a 4 KiB run of letters costs ~12 ms, so a 4 MiB one
// would cost hours. Text is therefore encoded in chunks cut where the
// pre-tokenizer would cut anyway, which keeps counts exact; only a run of
// more than forceCutLen bytes without such a place (base64, minified JSON,
// CJK without spaces) is cut by force, which can miscount by at most one
// token per cut.
const (
	chunkLen    = 4 << 10
	forceCutLen = 256
)

// forEachChunk calls fn with consecutive pieces of s whose token counts add
// up to the count of s. A safe cut is before a space that is followed by a
// non-space (cl100k's and o200k's patterns start a new pre-token there: the
// space becomes the prefix of " word", " 1" or " ."), or after a newline that
// is followed by a non-space (newline runs end there).
func forEachChunk(s string, fn func(string)) {
	if len(s) <= forceCutLen {
		fn(s)
		return
	}
	start, lastCut := 0, 0 // lastCut: the latest safe cut (or start)
	for i := 1; i < len(s); i++ {
		if isSafeCut(s, i) {
			lastCut = i
			if i-start >= chunkLen {
				fn(s[start:i])
				start = i
			}
			continue
		}
		if i-max(start, lastCut) >= forceCutLen && utf8.RuneStart(s[i]) {
			fn(s[start:i])
			start, lastCut = i, i
		}
	}
	fn(s[start:])
}

func isSafeCut(s string, i int) bool {
	switch {
	case s[i] == ' ':
		if i+1 >= len(s) {
			return false
		}
		r, _ := utf8.DecodeRuneInString(s[i+1:])
		return !unicode.IsSpace(r)
	case s[i-1] == '\n':
		r, _ := utf8.DecodeRuneInString(s[i:])
		return !unicode.IsSpace(r)
	}
	return false
}
