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
	client *http.Client
	mu     sync.Mutex
	m      map[string]Target
}

// NewPool returns a pool whose HTTP targets use client (nil: a default
// client with keep-alive; no overall timeout, streams are long).
func NewPool(client *http.Client) *Pool {
	if client == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 256
		client = &http.Client{Transport: tr}
	}
	return &Pool{client: client, m: map[string]Target{}}
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
		return &httpTarget{client: &http.Client{Transport: handlerTransport{simulator.New(opts)}},
			base: "http://simulator/v1", cfg: c}, nil
	case TypeOpenAI:
		return &httpTarget{client: p.client, base: strings.TrimRight(c.URL, "/"), cfg: c}, nil
	case TypeAzureOpenAI:
		t := &httpTarget{client: p.client, base: strings.TrimRight(c.URL, "/"), cfg: c, azure: true}
		if c.APIKey == "" {
			t.creds = newClientCredentials(p.client, c)
		}
		return t, nil
	}
	return nil, fmt.Errorf("upstream: unknown type %q", c.Type)
}

// httpTarget speaks the OpenAI API (or Azure OpenAI's form of it) over HTTP.
type httpTarget struct {
	client *http.Client
	base   string
	cfg    *Config
	azure  bool
	creds  *clientCredentials
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
	method := http.MethodPost
	if op == "models" {
		method, body = http.MethodGet, nil
	}
	ctx, cancel := context.WithTimeout(ctx, t.cfg.timeout())
	req, err := http.NewRequestWithContext(ctx, method, t.url(op), bytes.NewReader(body))
	if err != nil {
		cancel()
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if err := t.authorize(ctx, req); err != nil {
		cancel()
		return nil, err
	}
	resp, err := t.client.Do(req)
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
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
