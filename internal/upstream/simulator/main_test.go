package simulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
)

// guardTransport fails every request to a non-loopback host, so a tokenizer
// that tried to download its ranks would be caught even on a machine with a
// network.
type guardTransport struct {
	mu      sync.Mutex
	blocked []string
	next    http.RoundTripper
}

func (g *guardTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if ip := net.ParseIP(r.URL.Hostname()); ip == nil || !ip.IsLoopback() {
		g.mu.Lock()
		g.blocked = append(g.blocked, r.URL.String())
		g.mu.Unlock()
		return nil, fmt.Errorf("network access blocked in tests: %s", r.URL)
	}
	return g.next.RoundTrip(r)
}

func TestMain(m *testing.M) {
	guard := &guardTransport{next: http.DefaultTransport}
	http.DefaultTransport = guard
	// tiktoken's default loader caches downloads here; it must stay empty.
	cache, err := os.MkdirTemp("", "tiktoken-cache")
	if err != nil {
		panic(err)
	}
	os.Setenv("TIKTOKEN_CACHE_DIR", cache)
	code := m.Run()
	if len(guard.blocked) > 0 {
		fmt.Fprintf(os.Stderr, "FAIL: network access attempted: %v\n", guard.blocked)
		code = 1
	}
	if ents, _ := os.ReadDir(cache); len(ents) > 0 {
		fmt.Fprintf(os.Stderr, "FAIL: tiktoken cache written: %d files\n", len(ents))
		code = 1
	}
	os.RemoveAll(cache)
	os.Exit(code)
}

// do sends one request straight to the handler.
func do(t testing.TB, s http.Handler, method, path, body string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, bytes.NewBufferString(body))
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec
}

// decodeInto decodes a JSON body strictly: unknown fields fail the test, so
// the mirrored structs below document the whole shape.
func decodeInto(t testing.TB, body []byte, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("decode %T: %v\n%s", v, err, body)
	}
}

// errorBody mirrors OpenAI's error shape.
type errorBody struct {
	Error struct {
		Message string  `json:"message"`
		Type    string  `json:"type"`
		Param   *string `json:"param"`
		Code    *string `json:"code"`
	} `json:"error"`
}

// wantError checks status and OpenAI's error shape, and returns the body.
func wantError(t testing.TB, rec *httptest.ResponseRecorder, status int) errorBody {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d: %s", rec.Code, status, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("content-type %q", ct)
	}
	var e errorBody
	decodeInto(t, rec.Body.Bytes(), &e)
	if e.Error.Message == "" || e.Error.Type == "" {
		t.Errorf("error without message or type: %s", rec.Body)
	}
	return e
}

func deref(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}
