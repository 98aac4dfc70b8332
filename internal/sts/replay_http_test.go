package sts_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/directory"
	"github.com/gatehouse/gatehouse/internal/sts"
	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/internal/token"
)

// replayEnv is a token service with two certificate apps.
type replayEnv struct {
	env        *testenv.Env
	cert       *testenv.Cert
	appA, appB string
}

func newReplayEnv(t *testing.T, o sts.Options) *replayEnv {
	t.Helper()
	ctx := context.Background()
	dir := newDirectory(t)
	keys := token.NewKeys(dir.Store(), token.DefaultPolicy)
	if err := keys.Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	o.Logger = slog.New(slog.DiscardHandler)
	srv := httptest.NewTLSServer(sts.New(dir, keys, o).Handler())
	t.Cleanup(srv.Close)
	r := &replayEnv{cert: testenv.NewCert(t, "replay", time.Time{}, time.Time{})}
	var tid string
	err := dir.Update(ctx, func(tx *directory.Tx) error {
		ten, err := tx.CreateTenant(ctx, directory.NewTenant{Domain: "replay.onmicrosoft.com"})
		if err != nil {
			return err
		}
		tid = ten.ID
		for _, id := range []*string{&r.appA, &r.appB} {
			app, err := tx.CreateApplication(ctx, ten.ID, directory.NewApplication{DisplayName: "replay"})
			if err != nil {
				return err
			}
			if _, err := tx.CreateServicePrincipal(ctx, ten.ID, app.AppID); err != nil {
				return err
			}
			if err := tx.AddKey(ctx, app.ID, directory.NewKeyCredential(r.cert.Cert, "")); err != nil {
				return err
			}
			*id = app.AppID
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	r.env = &testenv.Env{URL: srv.URL, Client: srv.Client(), Tenant: tid}
	return r
}

// assertion signs an assertion for app with the given jti.
func (r *replayEnv) assertion(t *testing.T, app, jti string) string {
	claims := testenv.AssertionClaims(app, r.env.TokenEndpoint(r.env.Tenant), time.Now())
	claims["jti"] = jti
	return testenv.Assertion{Headers: map[string]any{"x5t": testenv.B64URL(r.cert.SHA1())}, Claims: claims}.Sign(t, r.cert.Key)
}

func (r *replayEnv) token(t *testing.T, app, assertion string) (int, map[string]any) {
	t.Helper()
	return r.env.Token(t, testenv.AssertionForm(app, assertion, cogScope))
}

// Row 8 of the security issue, with SingleUseAssertions: a client
// assertion is accepted once; fresh jtis, and another client's use of the
// same jti, are not affected.
func TestSingleUseAssertions(t *testing.T) {
	r := newReplayEnv(t, sts.Options{SingleUseAssertions: true})
	a := r.assertion(t, r.appA, "jti-1")
	if status, body := r.token(t, r.appA, a); status != 200 {
		t.Fatalf("first use: %d %v", status, body)
	}
	status, body := r.token(t, r.appA, a)
	checkEntraError(t, status, body, 401, "invalid_client", 50012, "")
	if status, body := r.token(t, r.appA, r.assertion(t, r.appA, "jti-2")); status != 200 {
		t.Errorf("a fresh jti: %d %v", status, body)
	}
	if status, body := r.token(t, r.appB, r.assertion(t, r.appB, "jti-1")); status != 200 {
		t.Errorf("another client's jti-1: %d %v", status, body)
	}
	// Without client_id, the client is still the assertion's issuer.
	form := testenv.AssertionForm("", a, cogScope)
	form.Del("client_id")
	if status, _ := r.env.Token(t, form); status != 401 {
		t.Errorf("the replay without client_id: %d", status)
	}
}

// By default an assertion may be used until it expires, as Entra allows
// and as msal-node and MSAL Python do (they reuse one for ten minutes).
func TestAssertionReuseAllowedByDefault(t *testing.T) {
	r := newReplayEnv(t, sts.Options{})
	a := r.assertion(t, r.appA, "jti-1")
	for i := 0; i < 2; i++ {
		if status, body := r.token(t, r.appA, a); status != 200 {
			t.Fatalf("use %d: %d %v", i+1, status, body)
		}
	}
}
