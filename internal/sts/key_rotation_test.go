package sts_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/gatehouse/gatehouse/internal/directory"
	"github.com/gatehouse/gatehouse/internal/sts"
	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/internal/token"
)

// fakeClock is a settable clock shared by the components and the server's
// goroutines.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

// TestKeyRotation drives the signing-key schedule with a fake clock: a new
// key is published Prepublish before it signs, the old key keeps verifying
// its tokens until they expire (plus grace) and then leaves the JWKS.
func TestKeyRotation(t *testing.T) {
	ctx := context.Background()
	const lifetime = 30 * time.Minute
	policy := token.Policy{RotateEvery: time.Hour, Prepublish: 10 * time.Minute, TokenLifetime: lifetime}
	t0 := time.Now().UTC().Truncate(time.Second)
	clock := &fakeClock{t: t0}

	dir := newDirectory(t)
	st := dir.Store()
	var err error
	dir.SetClock(clock.Now)
	keys := token.NewKeys(st, policy)
	keys.SetClock(clock.Now)
	if err := keys.Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	svc := sts.New(dir, keys, sts.Options{TokenLifetime: lifetime, Logger: slog.New(slog.DiscardHandler)})
	svc.SetClock(clock.Now)
	ver := token.NewVerifier(keys, 5*time.Minute)
	ver.SetClock(clock.Now)
	srv := httptest.NewTLSServer(svc.Handler())
	t.Cleanup(srv.Close)

	var tid, appID, secret string
	err = dir.Update(ctx, func(tx *directory.Tx) error {
		ten, err := tx.CreateTenant(ctx, directory.NewTenant{Domain: "rotation.onmicrosoft.com"})
		if err != nil {
			return err
		}
		app, err := tx.CreateApplication(ctx, ten.ID, directory.NewApplication{DisplayName: "rotating"})
		if err != nil {
			return err
		}
		if _, err := tx.CreateServicePrincipal(ctx, ten.ID, app.AppID); err != nil {
			return err
		}
		tid, appID = ten.ID, app.AppID
		secret, _, err = tx.AddPassword(ctx, app.ID, "s", time.Time{}, time.Time{})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	env := &testenv.Env{URL: srv.URL, Client: srv.Client(), Tenant: tid}

	at := func(d time.Duration) { t.Helper(); clock.Set(t0.Add(d)) }
	rotate := func() {
		t.Helper()
		if err := keys.Rotate(ctx); err != nil {
			t.Fatal(err)
		}
	}
	mint := func() string {
		t.Helper()
		status, body := env.Token(t, testenv.ClientCredentials(appID, secret, cogScope))
		if status != http.StatusOK {
			t.Fatalf("token at %v: %d %v", clock.Now().Sub(t0), status, body)
		}
		return body["access_token"].(string)
	}
	published := func() (jose.JSONWebKeySet, []string) {
		t.Helper()
		set := env.KeySet(t, tid)
		var kids []string
		for _, k := range set.Keys {
			kids = append(kids, k.KeyID)
		}
		return set, kids
	}
	kidOf := func(raw string) string {
		t.Helper()
		set, _ := published()
		h, _ := testenv.VerifyWith(t, set, raw)
		return h.KeyID
	}
	verifies := func(raw string) error {
		t.Helper()
		_, err := ver.Verify(ctx, raw, []string{"https://cognitiveservices.azure.com"})
		return err
	}

	// t0: one key, it signs at once.
	_, kids := published()
	if len(kids) != 1 {
		t.Fatalf("initial JWKS %v, want one key", kids)
	}
	oldKid := kids[0]
	if got := kidOf(mint()); got != oldKid {
		t.Fatalf("first token kid %s, want %s", got, oldKid)
	}

	// Before RotateEvery-Prepublish nothing happens.
	at(49 * time.Minute)
	rotate()
	if _, kids := published(); len(kids) != 1 {
		t.Fatalf("rotated early: %v", kids)
	}

	// At RotateEvery-Prepublish the next key is published but does not sign.
	at(50 * time.Minute)
	rotate()
	_, kids = published()
	if len(kids) != 2 || !slices.Contains(kids, oldKid) {
		t.Fatalf("JWKS after rotation %v, want the old and the new key", kids)
	}
	newKid := kids[0] // newest first
	if newKid == oldKid {
		t.Fatalf("newest key listed first should be the new one: %v", kids)
	}
	if got := kidOf(mint()); got != oldKid {
		t.Errorf("token during prepublish signed by %s, want the old key %s", got, oldKid)
	}
	at(time.Hour - time.Second)
	lastOld := mint()
	if got := kidOf(lastOld); got != oldKid {
		t.Errorf("token just before activation signed by %s, want the old key", got)
	}

	// From ActiveFrom the new key signs; both verify.
	at(time.Hour)
	firstNew := mint()
	if got := kidOf(firstNew); got != newKid {
		t.Errorf("token after prepublish signed by %s, want the new key %s", got, newKid)
	}
	for name, raw := range map[string]string{"old": lastOld, "new": firstNew} {
		if err := verifies(raw); err != nil {
			t.Errorf("%s-key token: %v", name, err)
		}
	}

	// The old key's last token lives until 1h29m59s (+5 min skew); the key
	// stays published until ActiveFrom+TokenLifetime+grace = 1h35m.
	at(time.Hour + lifetime + 4*time.Minute)
	rotate()
	if _, kids := published(); len(kids) != 2 {
		t.Errorf("old key retired while its tokens are still valid: %v", kids)
	}
	if err := verifies(lastOld); err != nil {
		t.Errorf("old-key token within expiry+grace: %v", err)
	}
	at(time.Hour + lifetime + 5*time.Minute)
	if err := verifies(lastOld); !errors.Is(err, token.ErrExpired) {
		t.Errorf("old-key token after expiry+skew: %v, want ErrExpired", err)
	}

	// Past the grace the old key leaves the store and the JWKS.
	at(time.Hour + lifetime + 5*time.Minute + time.Second)
	rotate()
	if _, kids := published(); !slices.Equal(kids, []string{newKid}) {
		t.Fatalf("JWKS after retirement %v, want only %s", kids, newKid)
	}
	if err := verifies(lastOld); !errors.Is(err, token.ErrSignature) {
		t.Errorf("token of a retired key: %v, want ErrSignature", err)
	}
	if got := kidOf(mint()); got != newKid {
		t.Errorf("token after retirement signed by %s", got)
	}
}
