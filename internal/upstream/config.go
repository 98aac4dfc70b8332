// Package upstream sends data-plane requests to model servers: any
// OpenAI-compatible server (vLLM, Ollama, llama.cpp, OpenAI), a real Azure
// OpenAI endpoint, or the built-in simulator.
package upstream

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Upstream types.
const (
	TypeSimulator   = "simulator"
	TypeOpenAI      = "openai"
	TypeAzureOpenAI = "azure-openai"
)

// Config is a deployment's upstream (its properties.upstream).
type Config struct {
	Type string `json:"type"`
	// URL: the OpenAI-compatible base URL including /v1
	// (http://127.0.0.1:11434/v1), or the Azure OpenAI endpoint
	// (https://x.openai.azure.com).
	URL string `json:"url,omitempty"`
	// Model is the model name sent upstream (default: the deployment's).
	Model string `json:"model,omitempty"`
	// APIKey authenticates to the upstream; never shown back.
	APIKey string `json:"apiKey,omitempty"`
	// Azure OpenAI: deployment name and api-version upstream.
	Deployment string `json:"deployment,omitempty"`
	APIVersion string `json:"apiVersion,omitempty"`
	// Azure OpenAI with an identity instead of a key: client credentials
	// against Authority (default https://login.microsoftonline.com).
	TenantID     string `json:"tenantId,omitempty"`
	ClientID     string `json:"clientId,omitempty"`
	ClientSecret string `json:"clientSecret,omitempty"`
	Authority    string `json:"authority,omitempty"`
	// Options configure the simulator: "ttft=20ms&per_token=5ms&error_rate=0.1".
	Options string `json:"options,omitempty"`
	// Timeout bounds one upstream call (default 10m: generations are long).
	Timeout string `json:"timeout,omitempty"`
}

// Redacted is the config as shown through ARM: secrets replaced.
func (c Config) Redacted() Config {
	if c.APIKey != "" {
		c.APIKey = "***"
	}
	if c.ClientSecret != "" {
		c.ClientSecret = "***"
	}
	return c
}

// Parse reads an upstream setting: a JSON object, or the shorthand string
// "simulator", "simulator?ttft=20ms", "openai=http://host/v1" or
// "azure-openai=https://x.openai.azure.com", with ",key=value" pairs
// (model, apiKey, deployment, apiVersion, tenantId, clientId, clientSecret,
// authority, timeout).
func Parse(v any) (*Config, error) {
	switch x := v.(type) {
	case nil:
		return &Config{Type: TypeSimulator}, nil
	case string:
		return parseString(x)
	case map[string]any:
		b, _ := json.Marshal(x)
		var c Config
		if err := json.Unmarshal(b, &c); err != nil {
			return nil, fmt.Errorf("upstream: %w", err)
		}
		return &c, c.Validate()
	}
	return nil, fmt.Errorf("upstream must be a string or an object")
}

func parseString(s string) (*Config, error) {
	parts := strings.Split(strings.TrimSpace(s), ",")
	head := parts[0]
	c := &Config{}
	if strings.HasPrefix(head, TypeSimulator) {
		// simulator?ttft=20ms&per_token=5ms: the query holds '=' too.
		head, c.Options, _ = strings.Cut(head, "?")
	}
	typ, rest, _ := strings.Cut(head, "=")
	c.Type, c.URL = strings.TrimSpace(typ), strings.TrimSpace(rest)
	for _, kv := range parts[1:] {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, fmt.Errorf("upstream: %q is not key=value", kv)
		}
		if err := c.set(strings.TrimSpace(k), strings.TrimSpace(v)); err != nil {
			return nil, err
		}
	}
	return c, c.Validate()
}

func (c *Config) set(k, v string) error {
	fields := map[string]*string{"model": &c.Model, "apiKey": &c.APIKey, "api-key": &c.APIKey, "deployment": &c.Deployment,
		"apiVersion": &c.APIVersion, "api-version": &c.APIVersion, "tenantId": &c.TenantID, "clientId": &c.ClientID,
		"clientSecret": &c.ClientSecret, "authority": &c.Authority, "timeout": &c.Timeout, "options": &c.Options, "url": &c.URL}
	p, ok := fields[k]
	if !ok {
		return fmt.Errorf("upstream: unknown setting %q", k)
	}
	*p = v
	return nil
}

// Validate checks the config is usable.
func (c *Config) Validate() error {
	if c.Type == "" {
		c.Type = TypeSimulator
	}
	switch c.Type {
	case TypeSimulator:
		if c.URL != "" {
			return fmt.Errorf("upstream: the simulator takes no URL")
		}
	case TypeOpenAI, TypeAzureOpenAI:
		u, err := url.Parse(c.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("upstream: %s needs an http(s) URL, not %q", c.Type, c.URL)
		}
		if c.Type == TypeAzureOpenAI && c.APIKey == "" && (c.TenantID == "" || c.ClientID == "" || c.ClientSecret == "") {
			return fmt.Errorf("upstream: azure-openai needs apiKey, or tenantId, clientId and clientSecret")
		}
	default:
		return fmt.Errorf("upstream: unknown type %q (simulator, openai or azure-openai)", c.Type)
	}
	if c.Timeout != "" {
		if _, err := time.ParseDuration(c.Timeout); err != nil {
			return fmt.Errorf("upstream: timeout: %w", err)
		}
	}
	return nil
}

func (c *Config) timeout() time.Duration {
	if d, err := time.ParseDuration(c.Timeout); err == nil && d > 0 {
		return d
	}
	return 10 * time.Minute
}
