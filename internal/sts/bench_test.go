package sts_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/directory"
	"github.com/gatehouse/gatehouse/internal/sts"
	"github.com/gatehouse/gatehouse/internal/token"
)

// benchEnv is a token service on a real SQLite store with one tenant and
// one confidential client.
type benchEnv struct {
	handler http.Handler
	path    string
	form    string
}

func newBenchEnv(b *testing.B) *benchEnv {
	b.Helper()
	ctx := context.Background()
	dir := newDirectory(b)
	st := dir.Store()
	var err error
	keys := token.NewKeys(st, token.DefaultPolicy)
	if err := keys.Rotate(ctx); err != nil {
		b.Fatal(err)
	}
	var tid, appID, secret string
	err = dir.Update(ctx, func(tx *directory.Tx) error {
		ten, err := tx.CreateTenant(ctx, directory.NewTenant{Domain: "bench.onmicrosoft.com"})
		if err != nil {
			return err
		}
		app, err := tx.CreateApplication(ctx, ten.ID, directory.NewApplication{DisplayName: "bench"})
		if err != nil {
			return err
		}
		if _, err := tx.CreateServicePrincipal(ctx, ten.ID, app.AppID); err != nil {
			return err
		}
		secret, _, err = tx.AddPassword(ctx, app.ID, "bench", directory.ZeroTime, directory.ZeroTime)
		tid, appID = ten.ID, app.AppID
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	svc := sts.New(dir, keys, sts.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {appID}, "client_secret": {secret},
		"scope": {"https://cognitiveservices.azure.com/.default"}}
	return &benchEnv{handler: svc.Handler(), path: "/" + tid + "/oauth2/v2.0/token", form: form.Encode()}
}

func (e *benchEnv) issue(b *testing.B) []byte {
	req := httptest.NewRequest(http.MethodPost, "https://localhost"+e.path, strings.NewReader(e.form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	e.handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("status %d: %s", rec.Code, rec.Body.String())
	}
	return rec.Body.Bytes()
}

// BenchmarkIssueClientCredentials is one client-credentials token request
// end to end in-process: form parsing, client and resource lookup in
// SQLite, secret check, claims, RS256 signature, JSON response.
func BenchmarkIssueClientCredentials(b *testing.B) {
	e := newBenchEnv(b)
	e.issue(b)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			e.issue(b)
		}
	})
}

// BenchmarkBareSign is the baseline: an RSA-2048 PKCS#1 v1.5 signature over
// the same header and claims, with nothing else.
func BenchmarkBareSign(b *testing.B) {
	e := newBenchEnv(b)
	var resp struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(e.issue(b), &resp); err != nil {
		b.Fatal(err)
	}
	signingInput := resp.AccessToken[:strings.LastIndexByte(resp.AccessToken, '.')]
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		b.Fatal(err)
	}
	key.Precompute()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			d := sha256.Sum256([]byte(signingInput))
			sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, d[:])
			if err != nil {
				b.Fatal(err)
			}
			_ = base64.RawURLEncoding.EncodeToString(sig)
		}
	})
}
