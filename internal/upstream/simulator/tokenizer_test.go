package simulator

import (
	"strings"
	"testing"
	"time"
)

func TestEncodingFor(t *testing.T) {
	for model, want := range map[string]int{
		"gpt-4o": encO200K, "gpt-4o-mini": encO200K, "GPT-4o-2024-08-06": encO200K, "gpt-4.1-nano": encO200K,
		"o3-mini": encO200K, "gpt-5": encO200K, "gpt-4": encCL100K, "gpt-35-turbo": encCL100K,
		"text-embedding-3-small": encCL100K, "llama-3": encCL100K, "": encCL100K,
	} {
		if got := encodingFor(model); got != want {
			t.Errorf("encodingFor(%q) = %s, want %s", model, encodingNames[got], encodingNames[want])
		}
	}
}

// Known counts (checked against OpenAI's tokenizer) prove the real BPE
// ranks are loaded, offline (TestMain fails on any network access).
func TestTokenizerCounts(t *testing.T) {
	tests := []struct {
		enc  int
		text string
		want int
	}{
		{encO200K, "You are a helpful assistant.", 6},
		{encO200K, "Hello!", 2},
		{encO200K, "user", 1},
		{encCL100K, "You are a helpful assistant.", 6},
		{encCL100K, "tiktoken is great!", 6},
		{encCL100K, "antidisestablishmentarianism", 6},
		{encO200K, "", 0},
	}
	for _, tc := range tests {
		e, err := getEncoder(tc.enc)
		if err != nil {
			t.Fatal(err)
		}
		if got := e.count(tc.text); got != tc.want {
			t.Errorf("%s count(%q) = %d, want %d", e.name, tc.text, got, tc.want)
		}
		if got := e.count(tc.text); got != tc.want { // from the cache now
			t.Errorf("%s cached count(%q) = %d, want %d", e.name, tc.text, got, tc.want)
		}
	}
}

// Chunked counting must equal one-shot counting wherever it cuts at safe
// places, i.e. for ordinary text of any length.
func TestChunkedCountIsExact(t *testing.T) {
	para := "The quick brown fox jumps over the lazy dog.\n  Numbers 123 4567, punctuation!? " +
		"and\ttabs\t\t here;   spaces   \n\n{\"json\": [1, 2]}\n中文 text é\r\n"
	long := strings.Repeat(para, 200) // ~20 KiB: several chunks
	for id := range numEncodings {
		e, err := getEncoder(id)
		if err != nil {
			t.Fatal(err)
		}
		var chunks int
		forEachChunk(long, func(string) { chunks++ })
		if chunks < 3 {
			t.Fatalf("only %d chunks: the test doesn't exercise chunking", chunks)
		}
		if got, want := e.count(long), len(e.tk.EncodeOrdinary(long)); got != want {
			t.Errorf("%s: chunked %d, whole %d", e.name, got, want)
		}
	}
}

// A pathological single pre-token must not take quadratic time.
func TestLongRunIsBounded(t *testing.T) {
	e, err := getEncoder(encCL100K)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Repeat("a", 1<<20)
	start := time.Now()
	n := e.count(s)
	if d := time.Since(start); d > 20*time.Second { // generous: quadratic would be hours
		t.Errorf("1 MiB run took %v", d)
	}
	if n < len(s)/16 || n > len(s) {
		t.Errorf("implausible count %d for %d bytes", n, len(s))
	}
}

func TestForEachChunkCoversInput(t *testing.T) {
	for _, s := range []string{"", "x", strings.Repeat("ab ", 5000), strings.Repeat("é", 3000),
		strings.Repeat("\n\n x", 2000)} {
		var got strings.Builder
		forEachChunk(s, func(c string) {
			if len(c) == 0 && len(s) > 0 {
				t.Errorf("empty chunk")
			}
			got.WriteString(c)
		})
		if got.String() != s {
			t.Errorf("chunks don't reassemble the input (len %d)", len(s))
		}
	}
}

func TestVocabIsSingleTokens(t *testing.T) {
	for id := range numEncodings {
		e, err := getEncoder(id)
		if err != nil {
			t.Fatal(err)
		}
		for _, list := range [][]string{e.vocab.first, e.vocab.cap, e.vocab.lower} {
			for _, w := range list {
				if n := len(e.tk.EncodeOrdinary(w)); n != 1 {
					t.Errorf("%s: %q is %d tokens", e.name, w, n)
				}
			}
		}
		t.Logf("%s: %d words", e.name, len(e.vocab.lower))
	}
}
