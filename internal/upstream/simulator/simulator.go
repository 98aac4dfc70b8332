package simulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Simulator is an OpenAI-compatible model server. It is safe for concurrent
// use.
type Simulator struct {
	opts     Options
	salt     uint64        // makes ids differ between simulator instances
	ids      atomic.Uint64 // response id counter
	requests atomic.Uint64 // ErrorRate slot counter
}

// New returns a Simulator. The tokenizers of the configured models start
// loading in the background, so the first request rarely waits for them.
func New(opts Options) *Simulator {
	s := &Simulator{opts: opts.withDefaults(), salt: uint64(time.Now().UnixNano())}
	seen := [numEncodings]bool{}
	for _, m := range s.opts.Models {
		if id := encodingFor(m); !seen[id] {
			seen[id] = true
			go func() { _, _ = getEncoder(id) }()
		}
	}
	return s
}

// Options returns the effective options (defaults filled in).
func (s *Simulator) Options() Options {
	o := s.opts
	o.Models = append([]string(nil), o.Models...)
	return o
}

// ServeHTTP routes the OpenAI paths the gateway forwards to.
func (s *Simulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f, herr := headerFault(r)
	if herr != nil {
		herr.write(w)
		return
	}
	path := r.URL.Path
	var post func(http.ResponseWriter, *http.Request, []byte) *apiError
	switch path {
	case "/v1/chat/completions":
		post = s.chat
	case "/v1/completions":
		post = s.completions
	case "/v1/embeddings":
		post = s.embeddings
	case "/v1/responses":
		post = s.responses
	case "/v1/models":
		if !s.allowGet(w, r) {
			return
		}
		if f != faultNone {
			s.answerFault(w, r, f)
			return
		}
		s.listModels(w)
		return
	default:
		if id, ok := strings.CutPrefix(path, "/v1/models/"); ok && id != "" {
			if !s.allowGet(w, r) {
				return
			}
			if f != faultNone {
				s.answerFault(w, r, f)
				return
			}
			s.getModel(w, id)
			return
		}
		notFound(r.Method, path).write(w)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		methodNotAllowed(r.Method, path).write(w)
		return
	}
	if f != faultNone {
		s.answerFault(w, r, f)
		return
	}
	buf := bufPool.Get().(*bytes.Buffer)
	defer putBuf(buf)
	buf.Reset()
	if _, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, maxBodyBytes)); err != nil {
		decodeError(err).write(w)
		return
	}
	w.Header().Set("x-request-id", s.newID("req_"))
	if err := post(w, r, buf.Bytes()); err != nil {
		err.write(w)
	}
}

func (s *Simulator) allowGet(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	w.Header().Set("Allow", "GET, HEAD")
	methodNotAllowed(r.Method, r.URL.Path).write(w)
	return false
}

// bufPool recycles request body buffers; bodies over 64 KiB are not kept so
// one large request doesn't pin memory.
var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func putBuf(b *bytes.Buffer) {
	if b.Cap() <= 64<<10 {
		bufPool.Put(b)
	}
}

// decode unmarshals a request body, mapping failures to OpenAI's 400.
func decode(body []byte, v any) *apiError {
	if err := json.Unmarshal(body, v); err != nil {
		return decodeError(err)
	}
	return nil
}

// checkFaults applies the model-name suffix and the ErrorRate sequence, in
// that order, after the request validated. It reports whether it answered.
func (s *Simulator) checkFaults(w http.ResponseWriter, r *http.Request, model string) bool {
	f := modelFault(model)
	if f == faultNone {
		f = s.rateFault()
	}
	if f == faultNone {
		return false
	}
	s.answerFault(w, r, f)
	return true
}

// defaultModel picks the model for a request that names none.
func (s *Simulator) defaultModel(embedding bool) string {
	for _, m := range s.opts.Models {
		if strings.Contains(m, "embedding") == embedding {
			return m
		}
	}
	if embedding {
		return "text-embedding-3-small"
	}
	return "gpt-4o-mini"
}

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// newID returns prefix + 24 base62 characters, unique per simulator and
// distinct across instances (salted).
func (s *Simulator) newID(prefix string) string {
	n := s.ids.Add(1)
	var b [64]byte
	out := append(b[:0], prefix...)
	for _, x := range [2]uint64{mix(s.salt ^ n), mix(s.salt + n*0x9e3779b97f4a7c15)} {
		for range 12 {
			out = append(out, base62[x%62])
			x /= 62
		}
	}
	return string(out)
}

// fingerprint is a stable system_fingerprint per model.
func fingerprint(model string) string {
	h := newHasher()
	h.str(model)
	x := mix(uint64(h))
	b := []byte("fp_0000000000")
	for i := 3; i < len(b); i++ {
		b[i] = hexDigits[x&0xf]
		x >>= 4
	}
	return string(b)
}

// pacer releases tokens on schedule: token i at start + TTFT + i*PerToken.
// Deadlines are absolute so timer slop doesn't accumulate over long replies.
type pacer struct {
	start    time.Time
	ttft     time.Duration
	perToken time.Duration
	timer    *time.Timer
}

func (s *Simulator) newPacer() pacer {
	return pacer{start: time.Now(), ttft: s.opts.TTFT, perToken: s.opts.PerToken}
}

// wait blocks until token i is due; it fails when the request is cancelled.
func (p *pacer) wait(r *http.Request, i int) error {
	ctx := r.Context()
	if p.ttft == 0 && p.perToken == 0 {
		return ctx.Err()
	}
	d := time.Until(p.start.Add(p.ttft + time.Duration(i)*p.perToken))
	if d <= 0 {
		return ctx.Err()
	}
	if p.timer == nil {
		p.timer = time.NewTimer(d)
	} else {
		p.timer.Reset(d)
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-p.timer.C:
		return nil
	}
}

func (p *pacer) stop() {
	if p.timer != nil {
		p.timer.Stop()
	}
}

// sse writes server-sent events, flushing each one so it leaves at once.
type sse struct {
	w  http.ResponseWriter
	rc *http.ResponseController
}

func startSSE(w http.ResponseWriter) *sse {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no") // proxies must not buffer the stream
	w.WriteHeader(http.StatusOK)
	e := &sse{w: w, rc: http.NewResponseController(w)}
	_ = e.rc.Flush()
	return e
}

// send writes one event; b must already hold the "data: ..." line(s).
func (e *sse) send(b []byte) error {
	if _, err := e.w.Write(b); err != nil {
		return err
	}
	if err := e.rc.Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return err
	}
	return nil
}

func writeJSON(w http.ResponseWriter, b []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}
