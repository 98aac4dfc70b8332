package simulator

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// discard is a ResponseWriter that keeps nothing, so the benchmark measures
// the simulator rather than a recorder.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}

var benchBody = []byte(chatBody("gpt-4o-mini", `"max_tokens":64`,
	"system", "You are a helpful assistant.", "user", "Write a haiku about load balancers, please."))

// BenchmarkChatCompletion is the non-streaming path with zero latency, in
// process: the "direct upstream" baseline of the gateway's load tests.
func BenchmarkChatCompletion(b *testing.B) {
	s, r := benchSetup(b)
	w := &discard{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		r.Body = io.NopCloser(bytes.NewReader(benchBody))
		clear(w.h)
		s.ServeHTTP(w, r)
	}
}

// BenchmarkChatCompletionParallel shows how it scales over the cores (the
// tokenizer cache is shared behind a RWMutex).
func BenchmarkChatCompletionParallel(b *testing.B) {
	s, req := benchSetup(b)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		r := req.Clone(req.Context())
		w := &discard{h: http.Header{}}
		for pb.Next() {
			r.Body = io.NopCloser(bytes.NewReader(benchBody))
			clear(w.h)
			s.ServeHTTP(w, r)
		}
	})
}

func benchSetup(b *testing.B) (*Simulator, *http.Request) {
	s := New(Options{})
	if rec := do(b, s, "POST", "/v1/chat/completions", string(benchBody)); rec.Code != 200 { // warm tokenizer
		b.Fatal(rec.Body)
	}
	return s, httptest.NewRequest("POST", "/v1/chat/completions", nil)
}

// BenchmarkChatCompletionHTTP is the same request over loopback HTTP/1.1.
func BenchmarkChatCompletionHTTP(b *testing.B) {
	srv := httptest.NewServer(New(Options{}))
	defer srv.Close()
	c := srv.Client()
	b.ReportAllocs()
	for b.Loop() {
		resp, err := c.Post(srv.URL+"/v1/chat/completions", "application/json", bytes.NewReader(benchBody))
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatal(resp.Status)
		}
	}
}
