package interop

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// curl runs the real curl binary and decodes its JSON answer.
func curl(t *testing.T, args ...string) map[string]any {
	t.Helper()
	if _, err := exec.LookPath("curl"); err != nil {
		t.Fatalf("curl is not installed: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	args = append([]string{"--silent", "--show-error", "--write-out", "\n%{http_code}"}, args...)
	cmd := exec.CommandContext(ctx, "curl", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("curl %v: %v\n%s%s", args, err, out, stderr.Bytes())
	}
	i := bytes.LastIndexByte(out, '\n')
	body, code := out[:i], string(out[i+1:])
	if code != "200" {
		t.Fatalf("curl: HTTP %s: %s", code, body)
	}
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		t.Fatalf("curl: body is not JSON: %v\n%s", err, body)
	}
	return m
}

// TestCurlREADME runs the command the server prints at start (and the
// README shows), exactly in that form.
func TestCurlREADME(t *testing.T) {
	m := curl(t, "--cacert", fx.CAFile, fx.URL+"/"+fx.Tenant+"/oauth2/v2.0/token",
		"-d", "grant_type=client_credentials",
		"-d", "client_id="+fx.SecretAppID,
		"--data-urlencode", "client_secret="+fx.SecretValue,
		"--data-urlencode", "scope=https://cognitiveservices.azure.com/.default")
	if m["token_type"] != "Bearer" {
		t.Errorf("token_type = %#v, want Bearer", m["token_type"])
	}
	for _, k := range []string{"expires_in", "ext_expires_in"} {
		n, ok := m[k].(json.Number)
		if !ok {
			t.Errorf("%s = %#v, want a JSON number", k, m[k])
			continue
		}
		if v, err := n.Int64(); err != nil || v < 3590 || v > 3600 {
			t.Errorf("%s = %s, want about 3599", k, n)
		}
	}
	if _, ok := m["refresh_token"]; ok {
		t.Errorf("client credentials response has a refresh_token")
	}
	tok, _ := m["access_token"].(string)
	verifyToken(t, tok, want{Aud: "https://cognitiveservices.azure.com", ClientID: fx.SecretAppID, ACR: "1", OID: fx.SecretAppOID})
}

// TestCurlV1Endpoint uses the v1 endpoint with resource=, where numbers
// are strings and aud keeps the trailing slash.
func TestCurlV1Endpoint(t *testing.T) {
	const resource = "https://management.core.windows.net/"
	m := curl(t, "--cacert", fx.CAFile, fx.URL+"/"+fx.Tenant+"/oauth2/token",
		"-d", "grant_type=client_credentials",
		"-d", "client_id="+fx.SecretAppID,
		"--data-urlencode", "client_secret="+fx.SecretValue,
		"--data-urlencode", "resource="+resource)
	if m["token_type"] != "Bearer" {
		t.Errorf("token_type = %#v, want Bearer", m["token_type"])
	}
	if m["resource"] != resource {
		t.Errorf("resource = %#v, want %q", m["resource"], resource)
	}
	ints := map[string]int64{}
	for _, k := range []string{"expires_in", "ext_expires_in", "expires_on", "not_before"} {
		s, ok := m[k].(string)
		if !ok {
			t.Errorf("%s = %#v, want a string (v1 endpoint)", k, m[k])
			continue
		}
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			t.Errorf("%s = %q, not an integer", k, s)
		}
		ints[k] = v
	}
	if d := ints["expires_on"] - ints["not_before"]; d != ints["expires_in"] {
		t.Errorf("expires_on-not_before = %d, expires_in = %d", d, ints["expires_in"])
	}
	if now := time.Now().Unix(); ints["expires_on"] < now+3500 || ints["expires_on"] > now+3700 {
		t.Errorf("expires_on %d is not about an hour from now (%d)", ints["expires_on"], now)
	}
	tok, _ := m["access_token"].(string)
	verifyToken(t, tok, want{Aud: resource, ClientID: fx.SecretAppID, ACR: "1", OID: fx.SecretAppOID})
}
