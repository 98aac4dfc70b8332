package upstream

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// clientCredentials gets and caches an Entra token for Azure OpenAI with
// the client-credentials grant (so no upstream key is needed).
type clientCredentials struct {
	client *http.Client
	cfg    *Config
	mu     sync.Mutex
	tok    string
	exp    time.Time
}

func newClientCredentials(client *http.Client, c *Config) *clientCredentials {
	return &clientCredentials{client: client, cfg: c}
}

func (cc *clientCredentials) token(ctx context.Context) (string, error) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.tok != "" && time.Until(cc.exp) > 5*time.Minute {
		return cc.tok, nil
	}
	authority := strings.TrimRight(cc.cfg.Authority, "/")
	if authority == "" {
		authority = "https://login.microsoftonline.com"
	}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {cc.cfg.ClientID},
		"client_secret": {cc.cfg.ClientSecret}, "scope": {"https://cognitiveservices.azure.com/.default"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, authority+"/"+url.PathEscape(cc.cfg.TenantID)+"/oauth2/v2.0/token",
		strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := cc.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("upstream identity: %w", err)
	}
	defer resp.Body.Close()
	var out struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
		Desc        string `json:"error_description"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK || out.AccessToken == "" {
		return "", fmt.Errorf("upstream identity: token request failed (%d): %s", resp.StatusCode, firstLine(out.Desc))
	}
	cc.tok, cc.exp = out.AccessToken, time.Now().Add(time.Duration(out.ExpiresIn)*time.Second)
	return cc.tok, nil
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\r\n")
	return l
}
