package gateway

import (
	"math"
	"strconv"
	"testing"
	"time"
)

// FuzzQuotaEstimate checks the quota's arithmetic on any numbers, checked
// or not: a charge is never negative nor above maxCharge, never smaller
// than the charge of a request asking for less, and taking it never adds
// tokens to a bucket.
func FuzzQuotaEstimate(f *testing.F) {
	f.Add(100, int64(5), int64(1), int64(0), int64(0), uint8(0), 1, 500)
	f.Add(64, int64(math.MaxInt64), int64(1), int64(0), int64(0), uint8(0), 1, 0)
	f.Add(64, int64(-1), int64(-7), int64(1), int64(3), uint8(1), 3, 999)
	f.Add(maxBody, int64(maxOutputCeiling), int64(maxChoices), int64(maxBestOf), int64(7), uint8(2), 100000, 10)
	f.Add(1<<30, int64(1<<40), int64(1<<40), int64(1<<40), int64(1<<40), uint8(3), math.MaxInt32, 1)
	ops := []Operation{OpChat, OpCompletions, OpEmbeddings, OpResponses}
	f.Fuzz(func(t *testing.T, bodyLen int, out, n, bestOf, more int64, opIdx uint8, capacity, spent int) {
		op := ops[int(opIdx)%len(ops)]
		m := bodyMeta{MaxTokens: intp(out), N: intp(n), BestOf: intp(bestOf)}
		est := estimateTokens(op, bodyLen, m)
		if est < 0 || est > maxCharge {
			t.Fatalf("estimate(%s, %d, %+v) = %d", op, bodyLen, m, est)
		}
		// Asking for more (output, choices, prompt) never costs less.
		if more < 0 {
			more = -more
		}
		if out >= 1 && n >= 1 {
			bigger := bodyMeta{MaxTokens: intp(satAdd64(out, more)), N: intp(satAdd64(n, more)), BestOf: m.BestOf}
			if e2 := estimateTokens(op, satAddInt(bodyLen, int(more%maxBody)), bigger); e2 < est {
				t.Fatalf("a bigger request costs %d < %d", e2, est)
			}
		}
		// Through the body parser: a number it accepts gives a sane charge.
		body := `{"max_tokens":` + strconv.FormatInt(out, 10) + `,"n":` + strconv.FormatInt(n, 10) + `}`
		if pm, err := parseMeta([]byte(body), op); err == nil {
			if e := estimateTokens(op, len(body), pm); e < 0 || e > (len(body)/4+maxOutputCeiling*maxChoices) {
				t.Fatalf("parsed %s: charge %d", body, e)
			}
		} else if out >= 1 && out <= maxOutputCeiling && n >= 1 && n <= maxChoices {
			t.Fatalf("parseMeta refused a valid body %s: %v", body, err)
		}
		// Taking a charge never refills the bucket, whatever the charge.
		now := time.Unix(1_700_000_000, 0)
		l := &Limiter{buckets: map[string]*buckets{}, now: func() time.Time { return now }}
		capacity = max(1, min(capacity, 100000))
		_ = l.take("d", capacity, spent)
		_, before := l.remaining("d", capacity)
		for _, charge := range []int{est, -est, int(out), math.MinInt, math.MaxInt} {
			_ = l.take("d", capacity, charge)
			if _, after := l.remaining("d", capacity); after > before {
				t.Fatalf("taking %d refilled the bucket: %d -> %d", charge, before, after)
			} else {
				before = after
			}
		}
	})
}

func intp(v int64) *int {
	n := int(v)
	return &n
}

func satAdd64(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

func satAddInt(a, b int) int {
	if a > math.MaxInt-b {
		return math.MaxInt
	}
	return a + b
}

// Saturation at the edges, spelled out.
func TestQuotaArithmeticSaturates(t *testing.T) {
	huge := math.MaxInt
	for _, c := range []struct {
		name string
		m    bodyMeta
		len  int
	}{
		{"max_tokens 2^63-1", bodyMeta{MaxTokens: &huge}, 100},
		{"n 2^63-1", bodyMeta{MaxTokens: &huge, N: &huge}, 100},
		{"negative max_tokens", bodyMeta{MaxTokens: intp(-5)}, 100},
		{"negative length", bodyMeta{}, -1 << 40},
	} {
		if got := estimateTokens(OpChat, c.len, c.m); got < 0 || got > maxCharge {
			t.Errorf("%s: charge %d", c.name, got)
		}
	}
	if u := usageOf([]byte(`{"usage":{"prompt_tokens":9223372036854775807,"input_tokens":9223372036854775807,"completion_tokens":1}}`)); u.Prompt != maxCharge || satAdd(u.Prompt, u.Completion) != maxCharge {
		t.Errorf("usage of huge counts: %+v", u)
	}
}
