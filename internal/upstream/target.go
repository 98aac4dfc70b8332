package upstream

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/internal/upstream/simulator"
)

// Operation is what the upstream is asked to do: "chat/completions",
// "completions", "embeddings", "responses" or "models".
type Operation string

// Target is one upstream.
type Target interface {
	// Do sends the body (for POST operations) and returns the upstream's
	// response, whose body streams.
	Do(ctx context.Context, op Operation, body []byte) (*http.Response, error)
}

// Pool keeps one Target per distinct config, sharing connections.
type Pool struct {
	client *http.Client // token requests; model calls through a proxy
	h1     *h1Transport // model calls, unless client was given
	mu     sync.Mutex
	m      map[string]Target
}

// NewPool returns a pool whose HTTP targets use client (nil: keep-alive
// connections of gatehouse's own HTTP/1.1 transport, or net/http's where
// the environment names a proxy; no overall timeout, streams are long).
func NewPool(client *http.Client) *Pool {
	p := &Pool{client: client, m: map[string]Target{}}
	if client == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 256
		p.client = &http.Client{Transport: tr}
		p.h1 = newH1Transport(nil)
	}
	return p
}

// transport is what carries model calls to base.
func (p *Pool) transport(base string) http.RoundTripper {
	rt := p.client.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	if p.h1 == nil {
		return rt
	}
	if req, err := http.NewRequest(http.MethodPost, base, nil); err == nil {
		if proxy, err := http.ProxyFromEnvironment(req); err == nil && proxy == nil {
			return p.h1
		}
	}
	return rt
}

// Target returns the target for c.
func (p *Pool) Target(c *Config) (Target, error) {
	key, _ := json.Marshal(c)
	p.mu.Lock()
	defer p.mu.Unlock()
	if t, ok := p.m[string(key)]; ok {
		return t, nil
	}
	t, err := p.build(c)
	if err != nil {
		return nil, err
	}
	p.m[string(key)] = t
	return t, nil
}

func (p *Pool) build(c *Config) (Target, error) {
	switch c.Type {
	case TypeSimulator, "":
		opts, err := simulator.ParseOptions(c.Options)
		if err != nil {
			return nil, err
		}
		return &httpTarget{rt: handlerTransport{simulator.New(opts)}, base: "http://simulator/v1", cfg: c,
			timeout: c.timeout()}, nil
	case TypeOpenAI:
		base := strings.TrimRight(c.URL, "/")
		return &httpTarget{rt: p.transport(base), base: base, cfg: c, timeout: c.timeout()}, nil
	case TypeAzureOpenAI:
		base := strings.TrimRight(c.URL, "/")
		t := &httpTarget{rt: p.transport(base), base: base, cfg: c, azure: true, timeout: c.timeout()}
		if c.APIKey == "" {
			t.creds = newClientCredentials(p.client, c)
		}
		return t, nil
	}
	return nil, fmt.Errorf("upstream: unknown type %q", c.Type)
}

// httpTarget speaks the OpenAI API (or Azure OpenAI's form of it) over HTTP.
type httpTarget struct {
	rt      http.RoundTripper
	base    string
	cfg     *Config
	timeout time.Duration
	azure   bool
	creds   *clientCredentials
}

func (t *httpTarget) url(op Operation) string {
	if !t.azure {
		return t.base + "/" + string(op)
	}
	v := t.cfg.APIVersion
	if v == "" {
		v = "2024-10-21"
	}
	switch op {
	case "responses", "models":
		return t.base + "/openai/v1/" + string(op)
	}
	return t.base + "/openai/deployments/" + t.cfg.Deployment + "/" + string(op) + "?api-version=" + v
}

func (t *httpTarget) Do(ctx context.Context, op Operation, body []byte) (*http.Response, error) {
	if h1, ok := t.rt.(*h1Transport); ok {
		req, err := t.request(ctx, op, body)
		if err != nil {
			return nil, err
		}
		// The connection's deadline bounds the call: no timer per request.
		return h1.roundTrip(req, time.Now().Add(t.timeout)) // no redirects: a model call is never redirected
	}
	ctx, cancel := context.WithTimeout(ctx, t.timeout)
	req, err := t.request(ctx, op, body)
	if err != nil {
		cancel()
		return nil, err
	}
	resp, err := t.rt.RoundTrip(req)
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// request is the upstream request for op, with the upstream's credential.
func (t *httpTarget) request(ctx context.Context, op Operation, body []byte) (*http.Request, error) {
	method := http.MethodPost
	if op == "models" {
		method, body = http.MethodGet, nil
	}
	req, err := http.NewRequestWithContext(ctx, method, t.url(op), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header["Content-Type"] = []string{"application/json"}
	if err := t.authorize(ctx, req); err != nil {
		return nil, err
	}
	return req, nil
}

func (t *httpTarget) authorize(ctx context.Context, req *http.Request) error {
	switch {
	case t.creds != nil:
		tok, err := t.creds.token(ctx)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	case t.azure:
		req.Header.Set("api-key", t.cfg.APIKey)
	case t.cfg.APIKey != "":
		req.Header.Set("Authorization", "Bearer "+t.cfg.APIKey)
	}
	return nil
}

type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}
