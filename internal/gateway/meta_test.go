package gateway

import (
	"bytes"
	"encoding/json"
	"strconv"
	"testing"
)

func TestWithModel(t *testing.T) {
	cases := []struct{ body, current, model, want string }{
		{`{"messages":[]}`, "", "m", `{"model":"m","messages":[]}`},
		{` { "messages":[]}`, "", "m", `{"model":"m","messages":[]}`},
		{`{}`, "", "m", `{"model":"m"}`},
		{`{"model":"m","x":1}`, "m", "m", `{"model":"m","x":1}`},
		{`{"model":"dep","x":1}`, "dep", "gpt", `{"model":"gpt","x":1}`},
	}
	for _, c := range cases {
		got, err := withModel([]byte(c.body), c.current, c.model)
		if err != nil {
			t.Fatal(err)
		}
		var a, b any
		if json.Unmarshal(got, &a) != nil || json.Unmarshal([]byte(c.want), &b) != nil {
			t.Fatalf("withModel(%s) = %s: not JSON", c.body, got)
		}
		if ja, _ := json.Marshal(a); string(ja) != mustJSON(b) {
			t.Errorf("withModel(%s) = %s, want %s", c.body, got, c.want)
		}
	}
}

func mustJSON(v any) string { b, _ := json.Marshal(v); return string(b) }

func TestUsageOf(t *testing.T) {
	cases := []struct {
		body string
		want usage
	}{
		{`{"choices":[{"message":{"content":"the \"usage\" word"}}],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}}`, usage{3, 4}},
		{`{"type":"response.completed","response":{"usage":{"input_tokens":5,"output_tokens":6}}}`, usage{5, 6}},
		{`{"object":"list","data":[],"usage":{"prompt_tokens":2,"total_tokens":2}}`, usage{2, 0}},
		{`{"usage":null}`, usage{}},
		{`{"choices":[]}`, usage{}},
		{`not json "usage": {`, usage{}},
	}
	for _, c := range cases {
		if got := usageOf([]byte(c.body)); got != c.want {
			t.Errorf("usageOf(%s) = %+v, want %+v", c.body, got, c.want)
		}
	}
}

// FuzzUsageOf checks the scanner against encoding/json: on any body whose
// last "usage" is a well-formed object, both read the same counts, and no
// input panics.
func FuzzUsageOf(f *testing.F) {
	for _, s := range []string{
		`{"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}}`,
		`{"response":{"usage":{"input_tokens":5,"input_tokens_details":{"cached_tokens":1},"output_tokens":6}}}`,
		`{"usage":{"prompt_tokens":1,"x":[1,{"y":"}"}],"completion_tokens":2}}`,
		`{"usage":{"prompt_tokens":"3"}}`, `{"usage":null}`, `{"usage":{`, `"usage":{"a":"\"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got := usageOf(b)
		i := bytes.LastIndex(b, []byte(`"usage"`))
		if i < 0 {
			if got != (usage{}) {
				t.Fatalf("no usage, got %+v", got)
			}
			return
		}
		rest, ok := bytes.CutPrefix(bytes.TrimLeft(b[i+len(`"usage"`):], " \t\r\n"), []byte(":"))
		if !ok {
			return
		}
		var u map[string]json.RawMessage
		dec := json.NewDecoder(bytes.NewReader(rest))
		if dec.Decode(&u) != nil || u == nil {
			return // not an object: the scanner may give up or not, either is fine
		}
		var want usage
		for k, v := range u {
			n, err := strconv.Atoi(string(v))
			if err != nil || n < 0 {
				continue
			}
			switch k {
			case "prompt_tokens", "input_tokens":
				want.Prompt = satAdd(want.Prompt, n)
			case "completion_tokens", "output_tokens":
				want.Completion = satAdd(want.Completion, n)
			}
		}
		if got != want {
			t.Fatalf("usageOf(%q) = %+v, encoding/json reads %+v", b, got, want)
		}
	})
}

// FuzzParseMeta checks the scanning fast path against encoding/json: the
// same raw fields whenever the scanner answers, and parseMeta fails exactly
// when encoding/json cannot read the body or check refuses what it read.
func FuzzParseMeta(f *testing.F) {
	for _, s := range []string{
		`{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"max_tokens":16,"stream":true}`,
		`{"stream_options":{"include_usage":true},"stream":false,"max_completion_tokens":null}`,
		`{"MODEL":"x"}`, `{"model":"a\u0062"}`, `{"max_tokens":1.5}`, `{"max_tokens":-3}`, `{"stream":1}`,
		`{"model":"a","model":"b"}`, `{"model":null}`, `[1]`, `{"model":`, ` {"max_output_tokens": 9999999999999999999999}`,
		`{"n":3,"best_of":5,"dimensions":64,"input":["a","b"]}`, `{"N":-1}`, `{"max_tokens":9223372036854775807}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) == 0 {
			return
		}
		var want rawMeta
		wantErr := json.Unmarshal(b, &want)
		if got, ok := scanRaw(b); ok {
			if wantErr != nil {
				t.Fatalf("scanRaw(%q) read a body encoding/json refuses: %v", b, wantErr)
			}
			if g, w := mustJSON(got), mustJSON(want); g != w {
				t.Fatalf("scanRaw(%q) = %s, encoding/json reads %s", b, g, w)
			}
		}
		for _, op := range []Operation{OpChat, OpEmbeddings} {
			m, err := parseMeta(b, op)
			if wantErr == nil {
				_, checkErr := want.check(op)
				if (err != nil) != (checkErr != nil) {
					t.Fatalf("parseMeta(%q, %s): %v, check of encoding/json's reading: %v", b, op, err, checkErr)
				}
			} else if err == nil {
				t.Fatalf("parseMeta(%q) accepted a body encoding/json refuses: %v", b, wantErr)
			}
			if err != nil {
				if e, ok := err.(*Error); !ok || e.Status != 400 {
					t.Fatalf("parseMeta(%q): %v, want a 400", b, err)
				}
				continue
			}
			for _, p := range []*int{m.MaxTokens, m.MaxCompletionTokens, m.MaxOutputTokens, m.N, m.BestOf, m.Dimensions} {
				if p != nil && (*p < 1 || *p > maxOutputCeiling) {
					t.Fatalf("parseMeta(%q) let %d through", b, *p)
				}
			}
		}
	})
}

// tailBuffer keeps a suffix of what was written: all of it up to tailKeep
// bytes, and never less than the last tailKeep.
func TestTailBuffer(t *testing.T) {
	for _, sizes := range [][]int{{10}, {tailKeep}, {tailKeep + 1}, {3 * tailKeep}, {tailKeep - 1, 2, tailKeep}, {7, tailKeep, tailKeep, 5}} {
		var tb tailBuffer
		var all []byte
		for i, n := range sizes {
			p := bytes.Repeat([]byte{byte('a' + i)}, n)
			p[0], p[n-1] = '<', '>'
			all = append(all, p...)
			tb.Write(p)
		}
		want := min(len(all), tailKeep)
		if len(tb.b) < want || len(tb.b) > 2*tailKeep || !bytes.HasSuffix(all, tb.b) {
			t.Errorf("sizes %v: kept %d bytes (want ≥ %d, ≤ %d, a suffix)", sizes, len(tb.b), want, 2*tailKeep)
		}
	}
}
