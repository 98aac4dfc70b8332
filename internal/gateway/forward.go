package gateway

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/gatehouse/gatehouse/internal/upstream"
)

// forward sends the request to the deployment's upstream and copies the
// answer back, streaming server-sent events chunk by chunk.
func (s *Service) forward(ctx context.Context, w http.ResponseWriter, rq *request) (int, error) {
	tg, err := s.targetOf(ctx, rq.deployment)
	if err != nil {
		return 0, azErr(500, "InvalidUpstream", "The deployment's upstream is misconfigured: "+err.Error())
	}
	cfg, target := tg.cfg, tg.t
	body := rq.body
	if cfg.Type != upstream.TypeAzureOpenAI {
		if body, err = withModel(rq.body, rq.meta.Model, upstreamModel(cfg, rq.deployment)); err != nil {
			return 0, err
		}
	}
	charge, err := s.admit(w, rq)
	if err != nil {
		return 0, err
	}
	resp, err := target.Do(ctx, upstream.Operation(rq.route.Op), body)
	if err != nil {
		s.quota.adjust(rq.deployment.ID, -charge) // nothing was generated: give the tokens back
		s.recordUsage(rq, usage{})
		return 0, upstreamError(ctx, err)
	}
	defer resp.Body.Close()
	copyHeaders(w.Header(), resp.Header)
	s.rateHeaders(w, rq)
	w.WriteHeader(resp.StatusCode)
	if isEventStream(resp) {
		// The client sees the stream open at once, not at the first token.
		_ = http.NewResponseController(w).Flush()
	}
	u := s.copyBody(w, resp)
	s.settle(rq, charge, u)
	return resp.StatusCode, nil
}

func upstreamError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return azErr(499, "ClientClosedRequest", "The client closed the request.")
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return azErr(504, "Timeout", "The upstream model server did not answer in time.")
	}
	return azErr(502, "BadGateway", "The upstream model server could not be reached.")
}

// hopHeaders are not copied from the upstream's answer: hop-by-hop
// headers, and the request ids, which are gatehouse's own (they must match
// its logs; openai SDKs report x-request-id as the request's id).
var hopHeaders = map[string]bool{"Connection": true, "Keep-Alive": true, "Transfer-Encoding": true,
	"Content-Length": true, "Upgrade": true, "Proxy-Connection": true, "Te": true, "Trailer": true,
	"X-Request-Id": true, "Apim-Request-Id": true, "X-Ms-Request-Id": true, "X-Ms-Client-Request-Id": true}

func copyHeaders(dst, src http.Header) {
	for k, vs := range src {
		// Keys are canonical (http.ReadResponse, Header.Set), so no case folding.
		if hopHeaders[k] || strings.HasPrefix(k, "X-Ratelimit-") {
			continue
		}
		dst[k] = vs
	}
}

// copyBody copies the response, flushing each read of an event stream, and
// reads the token usage from it.
func (s *Service) copyBody(w http.ResponseWriter, resp *http.Response) usage {
	bp := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(bp)
	b := *bp
	if !isEventStream(resp) {
		tail := tailBuffers.Get().(*tailBuffer)
		defer putTailBuffer(tail)
		_, _ = io.CopyBuffer(w, io.TeeReader(resp.Body, tail), b)
		return usageOf(tail.b)
	}
	rc := http.NewResponseController(w)
	sc := &sseUsage{}
	for {
		n, err := resp.Body.Read(b)
		if n > 0 {
			if _, werr := w.Write(b[:n]); werr != nil {
				return sc.u // the client went away; its context cancels the upstream
			}
			_ = rc.Flush()
			sc.feed(b[:n])
		}
		if err != nil {
			return sc.u
		}
	}
}

func isEventStream(resp *http.Response) bool {
	return strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream")
}

// copyBuffers are reused between responses: a fresh 32 KiB buffer per
// request showed in the profile.
var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// tailKeep is how much of a response is kept to find its usage in: the
// usage object comes at the end, and a response (a large batch of
// embeddings) may be far bigger.
const tailKeep = 1 << 20

// tailBuffer keeps the last tailKeep to 2×tailKeep bytes written to it.
type tailBuffer struct{ b []byte }

func (t *tailBuffer) Write(p []byte) (int, error) {
	if len(p) > tailKeep {
		t.b = append(t.b[:0], p[len(p)-tailKeep:]...)
		return len(p), nil
	}
	if len(t.b)+len(p) > 2*tailKeep {
		t.b = append(t.b[:0], t.b[len(t.b)-tailKeep:]...)
	}
	t.b = append(t.b, p...)
	return len(p), nil
}

var tailBuffers = sync.Pool{New: func() any { return new(tailBuffer) }}

func putTailBuffer(t *tailBuffer) {
	if cap(t.b) <= 64<<10 { // big buffers go to the garbage collector
		t.b = t.b[:0]
		tailBuffers.Put(t)
	}
}

// sseUsage finds the usage in an event stream (the final chunk when the
// client asked for stream_options.include_usage, or response.completed),
// and otherwise counts content chunks as completion tokens.
type sseUsage struct {
	u       usage
	found   bool
	pending []byte
}

func (s *sseUsage) feed(b []byte) {
	s.pending = append(s.pending, b...)
	for {
		i := bytes.IndexByte(s.pending, '\n')
		if i < 0 {
			if len(s.pending) > tailKeep { // an endless line: not one to read usage from
				s.pending = s.pending[:0]
			}
			return
		}
		line := bytes.TrimSpace(s.pending[:i])
		s.pending = s.pending[i+1:]
		data, ok := bytes.CutPrefix(line, []byte("data:"))
		if !ok {
			continue
		}
		data = bytes.TrimSpace(data)
		if bytes.Contains(data, []byte(`"usage"`)) {
			if u := usageOf(data); u.Prompt+u.Completion > 0 {
				s.u, s.found = u, true
				continue
			}
		}
		if !s.found && (bytes.Contains(data, []byte(`"content":"`)) || bytes.Contains(data, []byte(`"delta":"`))) {
			s.u.Completion++
		}
	}
}
