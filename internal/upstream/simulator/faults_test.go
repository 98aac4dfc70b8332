package simulator

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestFaultsOnDemand(t *testing.T) {
	s := New(Options{Hang: 50 * time.Millisecond})
	chat := chatBody("gpt-4o-mini", "", "user", "Hi")
	tests := []struct {
		name, method, path, body string
		hdr                      []string
		status                   int
		code                     string
	}{
		{"header 429", "POST", "/v1/chat/completions", chat, []string{HeaderError, "429"}, 429, "rate_limit_exceeded"},
		{"header 500", "POST", "/v1/chat/completions", chat, []string{HeaderError, "500"}, 500, ""},
		{"header 503", "POST", "/v1/embeddings", `{"input":"x"}`, []string{HeaderError, "503"}, 503, "service_unavailable"},
		{"header timeout", "POST", "/v1/responses", `{"input":"x"}`, []string{HeaderError, "timeout"}, 504, "timeout"},
		{"header on models", "GET", "/v1/models", "", []string{HeaderError, "500"}, 500, ""},
		{"header beats bad body", "POST", "/v1/chat/completions", "{", []string{HeaderError, "429"}, 429, "rate_limit_exceeded"},
		{"bad header value", "POST", "/v1/chat/completions", chat, []string{HeaderError, "418"}, 400, "invalid_value"},
		{"model suffix 429", "POST", "/v1/chat/completions", chatBody("gpt-4o-error-429", "", "user", "Hi"), nil, 429,
			"rate_limit_exceeded"},
		{"model suffix 503", "POST", "/v1/completions", `{"model":"gpt-4-error-503","prompt":"x"}`, nil, 503,
			"service_unavailable"},
		{"model suffix 500", "POST", "/v1/embeddings", `{"model":"text-embedding-3-small-error-500","input":"x"}`, nil,
			500, ""},
		{"model suffix timeout", "POST", "/v1/responses", `{"model":"gpt-4o-error-timeout","input":"x"}`, nil, 504,
			"timeout"},
		{"validation before model suffix", "POST", "/v1/chat/completions", `{"model":"gpt-4o-error-429"}`, nil, 400,
			"missing_required_parameter"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := do(t, s, tc.method, tc.path, tc.body, tc.hdr...)
			e := wantError(t, rec, tc.status)
			if got := deref(e.Error.Code); got != tc.code && !(tc.code == "" && e.Error.Code == nil) {
				t.Errorf("code %q, want %q", got, tc.code)
			}
			if tc.status == 429 && (rec.Header().Get("retry-after") != "1" || rec.Header().Get("retry-after-ms") != "1000") {
				t.Errorf("429 without retry-after: %v", rec.Header())
			}
		})
	}
}

// A timeout fault says nothing while its caller waits, and ends with the
// caller.
func TestTimeoutFaultHangs(t *testing.T) {
	s := New(Options{}) // Hang defaults to minutes
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req := httptest.NewRequestWithContext(ctx, "POST", "/v1/chat/completions", strings.NewReader("{}"))
	req.Header.Set(HeaderError, "timeout")
	rec := httptest.NewRecorder()
	start := time.Now()
	s.ServeHTTP(rec, req)
	if d := time.Since(start); d < 100*time.Millisecond || d > 3*time.Second {
		t.Errorf("returned after %v", d)
	}
	if rec.Body.Len() != 0 {
		t.Errorf("wrote %q to a caller that left", rec.Body)
	}
}

func TestErrorRate(t *testing.T) {
	statuses := func(o Options, n int) []int {
		s := New(o)
		out := make([]int, n)
		for i := range out {
			out[i] = do(t, s, "POST", "/v1/chat/completions", chatBody("gpt-4o-mini", "", "user", "Hi")).Code
		}
		return out
	}
	tests := []struct {
		name     string
		rate     float64
		min, max int // failures out of 300
	}{
		{"never", 0, 0, 0},
		{"always", 1, 300, 300},
		{"a tenth", 0.1, 10, 60},
		{"half", 0.5, 100, 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := statuses(Options{ErrorRate: tc.rate, Seed: 42}, 300)
			b := statuses(Options{ErrorRate: tc.rate, Seed: 42}, 300)
			fails, kinds := 0, map[int]int{}
			for i := range a {
				if a[i] != b[i] {
					t.Fatalf("same seed, request %d: %d vs %d", i, a[i], b[i])
				}
				if a[i] != 200 {
					fails++
					kinds[a[i]]++
				}
			}
			if fails < tc.min || fails > tc.max {
				t.Errorf("%d failures, want %d..%d", fails, tc.min, tc.max)
			}
			for code := range kinds {
				if code != 429 && code != 500 && code != 503 {
					t.Errorf("status %d", code)
				}
			}
			if tc.rate == 0.5 && len(kinds) != 3 {
				t.Errorf("kinds %v, want all of 429, 500, 503", kinds)
			}
		})
	}
	// Another seed, another sequence.
	a := statuses(Options{ErrorRate: 0.5, Seed: 1}, 64)
	b := statuses(Options{ErrorRate: 0.5, Seed: 2}, 64)
	if slices.Equal(a, b) {
		t.Errorf("seeds 1 and 2 gave the same sequence")
	}
	// Bad requests don't use a slot: they are 400s whatever the rate.
	wantError(t, do(t, New(Options{ErrorRate: 1}), "POST", "/v1/chat/completions", `{}`), http.StatusBadRequest)
}
